"""`lora-lint prompts`: distributions, variety, phrasing per model, paired
captions that lint clean, determinism, outputs, languages and custom packs."""
from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter

import pytest
from generated import fill_images

from lora_lint.packs import load_knowledge
from lora_lint.plugins import load_plugins

CHARACTER = ["--class", "woman", "--gender", "woman", "--age", "25", "--ethnicity", "asian", "--face", "oval",
             "--eyes", "single eyelid, brown eyes", "--hair", "shoulder length black straight hair", "--skin", "fair skin",
             "--look", "natural makeup"]
INPUTS = {
    "character": CHARACTER,
    "style": ["--trigger", "mystyle", "--style", "watercolor painting, muted colors, soft edges"],
    "object": ["--trigger", "myproduct", "--class", "handbag", "--features", "brown leather, gold clasp"],
    "concept": ["--trigger", "dblexp", "--concept", "double exposure effect"],
    "scene": ["--trigger", "myscene", "--scene", "cozy cafe interior with hanging plants"],
    "video": ["--class", "woman", "--subject", "a woman with long black hair"],
}
CASES = [(lora, model) for lora in ("character", "style", "object", "concept", "scene") for model in ("sd15", "sdxl", "flux", "wan")]
CASES += [("video", "wan"), ("video", "hunyuan")]
CJK = re.compile(r"[\u4e00-\u9fff]")


def generate(run, lora: str, model: str, *extra: str) -> dict:
    result = run("prompts", "--type", lora, "--model", model, *INPUTS[lora], "--format", "json", *extra)
    assert result.code == 0, result.err
    return json.loads(result.out)


def rows(data: dict, table: str) -> Counter:
    return Counter(p["rows"][table].rsplit(".", 1)[-1] for p in data["prompts"] if table in p["rows"])


# --- distributions and variety ---------------------------------------------------
@pytest.mark.parametrize("model", ["sd15", "sdxl", "flux", "wan"])
def test_character_set_has_the_domain_shot_split_and_backgrounds(run, model):
    data = generate(run, "character", model, "--count", "30", "--seed", "4")
    shots = rows(data, "shot")
    assert 8 <= shots["front_closeup"] <= 10 and 6 <= shots["three_quarter"] <= 8 and 3 <= shots["side"] <= 4
    assert 4 <= shots["upper_body"] <= 5 and 2 <= shots["full_body"] <= 3 and sum(shots.values()) == 30
    backgrounds = rows(data, "background")
    assert 18 <= backgrounds["simple"] <= 21 and backgrounds["simple"] + backgrounds["contextual"] == 30


@pytest.mark.parametrize("model", ["sd15", "sdxl", "flux", "wan"])
def test_character_prompts_never_share_an_outfit_and_mix_colour_tones(run, model):
    data = generate(run, "character", model, "--seed", "9")
    outfits = [p["parts"]["clothing"] for p in data["prompts"]]
    assert len(set(outfits)) == len(outfits) == 30
    knowledge = _knowledge()
    tones = {c.text: c.get("tone") for c in knowledge.pools["color"].choices}
    used = {tones[color] for outfit in outfits for color in tones if re.search(rf"\b{color}\b", outfit)}
    assert used >= {"light", "dark", "warm", "cool"}


def test_expressions_lighting_and_angles_vary_without_repeats_where_the_pools_allow(run):
    data = generate(run, "character", "sdxl", "--count", "30")
    expressions = [p["parts"]["expression"] for p in data["prompts"]]
    assert len(set(expressions)) == 30  # the pool holds 40
    lights = Counter(p["parts"]["lighting"] for p in data["prompts"])
    assert max(lights.values()) <= 2  # 22 lights for 30 prompts
    share = Counter(p["parts"]["accessory"] is not None for p in data["prompts"] if "accessory" in p["parts"])
    assert sum(share.values()) == 9  # accessories in 30% of the prompts


@pytest.mark.parametrize("model", ["sd15", "sdxl", "flux", "wan"])
def test_style_set_splits_subjects_as_the_domain_asks(run, model):
    data = generate(run, "style", model, "--count", "50")
    content = rows(data, "content")
    shares = {row: n * 100 / 50 for row, n in content.items()}
    assert 25 <= shares["portrait"] <= 30 and 25 <= shares["landscape"] <= 30 and 15 <= shares["object"] <= 20
    assert 10 <= shares["animal"] <= 15 and 5 <= shares["abstract"] <= 10
    assert all("watercolor" not in p["caption"] for p in data["prompts"])
    if model in ("sd15", "sdxl"):
        assert all(p["prompt"].startswith("watercolor painting, muted colors, soft edges") for p in data["prompts"])
    else:  # a sentence: the style named once, after the subject
        assert all(", in the style of watercolor painting, muted colors, soft edges" in p["prompt"] for p in data["prompts"])


@pytest.mark.parametrize("model", ["sd15", "sdxl", "flux", "wan"])
def test_object_set_balances_angles_and_keeps_features_out_of_captions(run, model):
    data = generate(run, "object", model, "--count", "30")
    angles = Counter(p["parts"]["angle"] for p in data["prompts"])
    assert len(angles) == 8 and max(angles.values()) - min(angles.values()) <= 1
    assert all("background" in p["parts"] and "lighting" in p["parts"] for p in data["prompts"])
    assert all("gold clasp" in p["prompt"] and "gold clasp" not in p["caption"] for p in data["prompts"])


def test_summary_shows_each_row_target_next_to_what_was_drawn(run):
    result = run("prompts", "--type", "character", "--model", "sdxl", *CHARACTER, "--no-color")
    assert result.out.count("\n") == 30
    assert re.search(r"shot\s+│ front closeup\s+│ 27%-43%\s+│ 10\s+│ 33%", result.err), result.err
    assert re.search(r"background\s+│ simple\s+│ 60%-70%\s+│ 20\s+│ 67%", result.err)
    assert "negative: bad anatomy" in result.err


# --- paired captions lint clean ---------------------------------------------------
@pytest.mark.parametrize("lora,model", CASES)
def test_paired_captions_lint_clean_for_every_type_and_model(run, tmp_path, lora, model):
    out = tmp_path / "set"
    made = run("prompts", "--type", lora, "--model", model, *INPUTS[lora], "--seed", "2", "--out", out)
    assert made.code == 0, made.err
    info = json.loads((out / "prompts.json").read_text())
    width, height = map(int, info["resolution"].split("x"))
    video = model in ("wan", "hunyuan") and lora in ("character", "video")
    fill_images(out, (width, height), frames=48 if video else 0)
    checked = run("check", out, "--format", "json")
    assert checked.json["findings"] == [], checked.out
    assert checked.code == 0


@pytest.mark.parametrize("lang", ["zh-TW", "zh-CN"])
@pytest.mark.parametrize("lora", ["character", "style", "object", "concept", "scene"])
def test_kolors_chinese_sets_are_chinese_and_lint_clean(run, tmp_path, lang, lora):
    out = tmp_path / "set"
    assert run("prompts", "--type", lora, "--model", "kolors", *INPUTS[lora], "--lang", lang, "--out", out).code == 0
    captions = sorted((out / "img").rglob("*.txt"))
    assert all(CJK.search(c.read_text(encoding="utf-8")) for c in captions)
    fill_images(out, (1024, 1024))
    checked = run("check", out, "--format", "json")
    assert checked.json["findings"] == [], checked.out


def test_traditional_and_simplified_differ_where_the_scripts_do(run):
    tw = generate(run, "character", "kolors", "--lang", "zh-TW")
    cn = generate(run, "character", "kolors", "--lang", "zh-CN")
    assert "傑作" in tw["prompts"][0]["prompt"] and "杰作" in cn["prompts"][0]["prompt"]
    assert tw["negative"].startswith("錯誤的人體結構") and cn["negative"].startswith("错误的人体结构")


def test_every_english_choice_is_canonical_and_leaks_nothing(run, tmp_path):
    """Each choice alone in a character caption: no variant, junk or leak."""
    knowledge = _knowledge()
    (tmp_path / ".lora-lint.yaml").write_text("lora: character\nmodel: sdxl\ntrigger: ohwx\nclass: woman\n")
    folder = tmp_path / "img"
    folder.mkdir()
    number = 0
    for name, pool in knowledge.pools.items():
        if name in ("quality", "negative", "color"):
            continue
        for choice in pool.choices:
            number += 1
            text = choice.text.replace("{color}", "navy")
            (folder / f"{number:04d}.txt").write_text(f"ohwx woman, {text}\n")
    checked = run("check", tmp_path, "--format", "json", "--select", "vocab-variant,identity-leak,junk-tags,caption-format")
    assert checked.json["findings"] == [], checked.out


def test_every_chinese_choice_is_read_as_its_field():
    """The pools' Chinese must be words the linter knows as the same field,
    or Kolors captions would miss fields the English ones name."""
    from lora_lint.caption import analyse

    knowledge = _knowledge()
    fields = {"expression": "expression", "lighting": "lighting", "background": "background", "object_background": "background",
              "object_angle": ("angle", "shot"), "accessory": ("accessory", "clothing"), "pose": "pose", "clothing": "clothing"}
    for pool, wanted in fields.items():
        wanted = (wanted,) if isinstance(wanted, str) else wanted
        for choice in knowledge.pools[pool].choices:
            for lang in ("zh-TW", "zh-CN"):
                text = choice.get(lang).replace("{color}", "白色")
                caption = analyse("x.txt", text.encode(), knowledge.lexicon, "", "")
                categories = {knowledge.lexicon.senses[i].category for hit in caption.hits for i in hit.senses}
                assert any(c.split(".")[0] in wanted for c in categories), (pool, lang, text, categories)


# --- phrasing per model ---------------------------------------------------------------
def test_tag_models_get_tags_and_quality_tags_natural_models_sentences(run):
    sd15 = generate(run, "character", "sd15")["prompts"][0]
    assert sd15["prompt"].endswith("masterpiece, best quality, highly detailed, sharp focus, 8k")
    assert sd15["caption"].startswith("ohwx woman, ") and not sd15["caption"].endswith(".")
    flux = generate(run, "character", "flux")
    first = flux["prompts"][0]
    assert first["prompt"].startswith("A photo of a 25 year old asian woman") and first["prompt"].endswith(".")
    assert first["caption"].startswith("A photo of ohwx woman") and "masterpiece" not in first["prompt"]
    assert flux["negative"] is None
    pony = generate(run, "character", "pony")
    assert pony["prompts"][0]["prompt"].endswith("score_9, score_8_up, score_7_up")
    assert pony["negative"].startswith("score_4")


def test_sdxl_hybrid_phrasing_and_the_model_resolution(run):
    data = generate(run, "character", "sdxl", "--phrasing", "hybrid")
    assert data["resolution"] == "1024x1024" and data["phrasing"] == "hybrid"
    assert all(p["caption"].startswith("ohwx woman, ") and "wearing " in p["caption"] for p in data["prompts"])
    assert generate(run, "character", "sd15")["resolution"] == "512x512"


def test_video_models_describe_motion(run):
    data = generate(run, "character", "wan")
    assert all("motion" in p["parts"] and p["parts"]["motion"] in p["caption"] for p in data["prompts"])
    assert data["negative"] is None and data["resolution"] == "1280x720"
    video = generate(run, "video", "wan")
    assert all(p["caption"].startswith("A video of ohwx woman ") for p in video["prompts"])


def test_a_phrasing_the_model_never_learned_is_refused(run):
    result = run("prompts", "--type", "character", "--model", "sd15", *CHARACTER, "--phrasing", "natural")
    assert result.code == 2 and "sd15 learned tags prompts, not natural" in result.err


# --- regularization, seeds, reference mode --------------------------------------
def test_regularization_prompts_for_character_and_object_only_unless_asked(run):
    assert generate(run, "character", "sdxl")["regularization"] == ["a woman"] * 30
    assert generate(run, "object", "sdxl", "--regularization", "2")["regularization"] == ["a handbag"] * 60
    assert generate(run, "style", "sdxl")["regularization"] == []


def test_each_angle_category_gets_one_fixed_seed_and_pose_hints(run):
    data = generate(run, "character", "sdxl", "--seed", "7")
    by_row: dict[str, set[int]] = {}
    for p in data["prompts"]:
        by_row.setdefault(p["rows"]["shot"], set()).add(p["seed"])
        assert p["pose_hint"]
    assert all(len(seeds) == 1 for seeds in by_row.values()) and len(set(data["seeds"].values())) == 5


def test_reference_mode_reduces_the_anchor(run):
    data = generate(run, "character", "sdxl", "--reference")
    assert data["anchor"] == "a woman, shoulder length black straight hair"
    assert any("IPAdapter" in note for note in data["notes"])


# --- determinism and outputs -------------------------------------------------------
def test_same_seed_same_output_other_seed_other_output(run):
    first = run("prompts", "--type", "character", "--model", "sdxl", *CHARACTER, "--seed", "3", "--format", "json").out
    second = run("prompts", "--type", "character", "--model", "sdxl", *CHARACTER, "--seed", "3", "--format", "json").out
    other = run("prompts", "--type", "character", "--model", "sdxl", *CHARACTER, "--seed", "4", "--format", "json").out
    assert first == second and first != other


def test_same_seed_same_output_across_processes(run_process):
    args = ["prompts", "--type", "style", "--model", "flux", *INPUTS["style"], "--seed", "5"]
    assert run_process(*args, env={"PYTHONHASHSEED": "1"}).out == run_process(*args, env={"PYTHONHASHSEED": "2"}).out


def test_csv_output_parses_back(run):
    result = run("prompts", "--type", "character", "--model", "sdxl", *CHARACTER, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(result.out)))
    assert len(table) == 30 and table[0]["caption"].startswith("ohwx woman") and table[0]["shot"].startswith("framing.")


def test_out_writes_a_kohya_skeleton_and_refuses_a_full_folder(run, tmp_path):
    out = tmp_path / "set"
    assert run("prompts", "--type", "object", "--model", "sdxl", *INPUTS["object"], "--repeats", "8", "--out", out).code == 0
    captions = sorted((out / "img" / "8_myproduct handbag").glob("*.txt"))
    assert [c.name for c in captions[:2]] == ["01.txt", "02.txt"] and len(captions) == 30
    assert len((out / "prompts.txt").read_text().splitlines()) == 30
    assert (out / "negative.txt").read_text().startswith("bad anatomy")
    assert len(list((out / "reg" / "1_handbag").glob("*.txt"))) == 30
    settings = (out / ".lora-lint.yaml").read_text()
    assert "lora: object" in settings and "- brown leather" in settings and "- gold clasp" in settings
    before = (out / "prompts.txt").read_bytes()
    again = run("prompts", "--type", "object", "--model", "sdxl", *INPUTS["object"], "--seed", "9", "--out", out)
    assert again.code == 2 and "not empty" in again.err and (out / "prompts.txt").read_bytes() == before
    assert run("prompts", "--type", "object", "--model", "sdxl", *INPUTS["object"], "--seed", "9", "--out", out, "--force").code == 0
    assert (out / "prompts.txt").read_bytes() != before


# --- bad requests ---------------------------------------------------------------------
@pytest.mark.parametrize("args,message", [
    (["--type", "charcter", "--model", "sdxl"], "no prompt recipe for LoRA type 'charcter'"),
    (["--type", "character", "--model", "sdxxl", *CHARACTER], "unknown model 'sdxxl'"),
    (["--type", "character", "--model", "sdxl", "--class", "woman"], "needs --gender and --hair"),
    (["--type", "character", "--model", "sdxl", "--gender", "woman", "--hair", "bob"], "give --class"),
    (["--type", "video", "--model", "sdxl", *INPUTS["video"]], "choose a video model"),
    (["--type", "character", "--model", "sdxl", *CHARACTER, "--lang", "zh-TW", "--phrasing", "hybrid"], "English only"),
    (["--type", "character", "--model", "sdxl", *CHARACTER, "--input", "mood=happy"], "takes no input 'mood'"),
    (["--model", "sdxl"], "--type TYPE --model MODEL"),
])
def test_bad_requests_get_one_line_and_exit_2(run, args, message):
    result = run("prompts", *args)
    assert result.code == 2 and message in result.err and "Traceback" not in result.err
    assert result.err.count("\n") == 1


def test_spec_file_gives_the_settings_and_flags_win(run, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("type: character\nmodel: flux\nclass: man\ncount: 12\ngender: man\ninputs:\n  hair: short brown hair\n")
    data = json.loads(run("prompts", "--spec", spec, "--format", "json", "--count", "10").out)
    assert data["model"] == "flux" and data["count"] == 10 and data["anchor"] == "a man, short brown hair"


def test_a_broken_spec_file_is_named_with_its_line(run, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("type: character\nmodel: [sdxl\n")
    result = run("prompts", "--spec", spec)
    assert result.code == 2 and f"{spec}:3:1: not valid YAML" in result.err
    spec.write_text("type: character\ncount: many\n")
    assert "'count' takes a number" in run("prompts", "--spec", spec).err


# --- custom packs -----------------------------------------------------------------------
def test_a_custom_pack_adds_and_replaces_vocabulary(run, tmp_path):
    pack = tmp_path / "mine.lora"
    pack.write_text(
        'pack mine\nuse prompts\n'
        'override pool lighting {\n    "neon lighting" zh-TW "霓虹燈光" zh-CN "霓虹灯光"\n}\n'
        'extend pool expression {\n    "wistful smile" zh-TW "惆悵的微笑" zh-CN "惆怅的微笑"\n}\n'
    )
    data = generate(run, "character", "sdxl", "--pack", pack, "--count", "41")
    assert {p["parts"]["lighting"] for p in data["prompts"]} == {"neon lighting"}
    assert "wistful smile" in {p["parts"]["expression"] for p in data["prompts"]}


@pytest.mark.parametrize("body,message", [
    ('pool extra {\n    "x" colour red\n}\n', "unknown attribute 'colour'"),
    ('pool extra {\n    "x" zh-TW plain\n}\n', "'zh-TW' takes a quoted text"),
    ('override prompts character {\n    slot extra pool nowhere\n}\n', "unknown pool 'nowhere'"),
    ('override prompts character {\n    slot extra pool lighting split lighting\n}\n', "no distribution of"),
    ('override pool shot {\n    "front view" row framing.front_closeup\n}\n', "has no choice for row framing.full_body"),
    ('override prompts character {\n    anchor "{age} {height}"\n}\n', "unknown placeholder '{height}'"),
])
def test_broken_prompt_packs_are_named_with_a_location(run, tmp_path, body, message):
    pack = tmp_path / "bad.lora"
    pack.write_text("pack bad\nuse prompts\n" + body)
    result = run("prompts", "--type", "character", "--model", "sdxl", *CHARACTER, "--pack", pack)
    assert result.code == 2 and message in result.err, result.err
    assert re.search(r"\.lora:\d+:\d+: ", result.err)


def _knowledge():
    plugins = load_plugins()
    return load_knowledge(plugins.packs, [], plugins.kinds)
