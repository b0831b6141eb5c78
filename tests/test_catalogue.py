"""The dataset-level rules on small datasets on disk."""
from __future__ import annotations

from pathlib import Path

import pytest

PNG = b"\x89PNG\r\n\x1a\n"


def make(root: Path, settings: str, folders: dict[str, dict[str, str | None]]) -> Path:
    """A dataset: folder -> {stem: caption or None (image only)}."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".lora-lint.yaml").write_text(settings)
    for folder, items in folders.items():
        path = root / folder
        path.mkdir(parents=True, exist_ok=True)
        for stem, caption in items.items():
            (path / f"{stem}.png").write_bytes(PNG)
            if caption is not None:
                (path / f"{stem}.txt").write_text(caption + "\n")
    return root


def findings(run, root: Path, rule: str) -> list[dict]:
    return [f for f in run("check", root, "--format", "json", "--select", rule).json["findings"]]


EXPRESSIONS = ["laughing", "gentle smile", "pouting", "winking", "crying", "frowning", "surprised expression", "shy expression", "neutral expression", "smirking", "yawning", "blushing"]
OUTFITS = ["white t-shirt", "black hoodie", "red dress", "denim jacket", "school uniform", "kimono", "blue blouse", "green sweater", "pajamas", "leather jacket", "sundress", "raincoat"]
LIGHTS = ["natural lighting", "studio lighting", "golden hour", "dramatic lighting", "soft lighting", "neon lighting"]
SHOTS = ["close-up, front view"] * 4 + ["three quarter view"] * 3 + ["side profile"] * 2 + ["upper body, front view"] * 2 + ["full body, from above"]
BACKGROUNDS = ["simple background", "white background", "gray background", "park background", "city street", "bedroom", "simple background", "blurred background"]


def caption(i: int, **change: str) -> str:
    parts = {
        "angle": SHOTS[i % len(SHOTS)],
        "expression": EXPRESSIONS[i % len(EXPRESSIONS)],
        "gaze": "looking at viewer" if i % 2 else "looking away",
        "outfit": OUTFITS[i % len(OUTFITS)],
        "background": BACKGROUNDS[i % len(BACKGROUNDS)],
        "light": LIGHTS[i % len(LIGHTS)],
    }
    parts.update(change)
    return "ohwx woman, " + ", ".join(parts.values())


def character(root: Path, count: int = 12, settings: str = "", **change) -> Path:
    items = {f"{i:03d}": caption(i, **change) for i in range(count)}
    return make(root, "lora: character\nmodel: sdxl\n" + settings, {"img/10_ohwx woman": items})


def test_a_balanced_character_set_is_clean_of_dataset_findings(run, tmp_path):
    root = character(tmp_path / "ds")
    rules = "duplicate-caption,clothing-repeat,variety,distribution,concept-overlap,trainer-compat"
    assert run("check", root, "--format", "json", "--select", rules).json["findings"] == []


def test_duplicate_caption(run, tmp_path):
    root = character(tmp_path / "ds")
    text = (root / "img/10_ohwx woman/001.txt").read_text()
    (root / "img/10_ohwx woman/002.txt").write_text(text.upper().replace(", ", ",  "))
    (found,) = findings(run, root, "duplicate-caption")
    assert found["path"] == "img/10_ohwx woman/002.txt" and "img/10_ohwx woman/001.txt" in found["message"]


def test_clothing_repeat_and_too_few_outfits(run, tmp_path):
    root = character(tmp_path / "ds", outfit="white t-shirt")
    found = findings(run, root, "clothing-repeat")
    assert len([f for f in found if f["message"].startswith("same outfit")]) == 11
    assert any(f["path"] == "." and "1 distinct outfits in 12 images" in f["message"] for f in found)


def test_clothing_repeat_names_each_outfit_with_its_own_first_image(run, tmp_path):
    """Two outfits that repeat, their images interleaved: each repeat names
    the first image of its own outfit."""
    root = character(tmp_path / "ds")
    folder = root / "img/10_ohwx woman"
    for i in range(12):
        outfit = ("red dress", "black hoodie")[i % 2] if i < 8 else OUTFITS[i]
        (folder / f"{i:03d}.txt").write_text(caption(i, outfit=outfit) + "\n")
    repeats = {f["path"]: f["message"] for f in findings(run, root, "clothing-repeat") if f["message"].startswith("same outfit")}
    assert repeats == {
        f"img/10_ohwx woman/{i:03d}.txt": f"same outfit as img/10_ohwx woman/{i % 2:03d}.txt ({('red dress', 'black hoodie')[i % 2]}): clothing that repeats is bound to the character"
        for i in range(2, 8)
    }


def test_variety_reports_a_dominant_expression(run, tmp_path):
    root = character(tmp_path / "ds", expression="smiling")
    messages = [f["message"] for f in findings(run, root, "variety")]
    assert any("'smiling' is in 100% of the captions" in m for m in messages)
    assert any(m.startswith("1 distinct expression terms in 12 images") for m in messages)


def test_distribution_of_backgrounds(run, tmp_path):
    root = character(tmp_path / "ds", background="bedroom")
    messages = [f["message"] for f in findings(run, root, "distribution")]
    assert "simple is 0% of the background mix; 60%-70% is the target for this LoRA type" in messages


def test_distribution_balances_concept_folders(run, tmp_path):
    root = make(
        tmp_path / "ds",
        "lora: character\n",
        {
            "img/10_aaa woman": {f"a{i}": caption(i).replace("ohwx", "aaa") for i in range(12)},
            "img/1_bbb woman": {f"b{i}": caption(i).replace("ohwx", "bbb") for i in range(12)},
        },
    )
    (found,) = [f for f in findings(run, root, "distribution") if "concept folders" in f["message"]]
    assert "img/10_aaa woman: 12 x 10" in found["message"] and "img/1_bbb woman: 12 x 1" in found["message"]


def test_concept_overlap(run, tmp_path):
    root = make(
        tmp_path / "ds",
        "lora: character\n",
        {
            "img/10_aaa woman": {"a1": "aaa woman, with bbb woman, smiling", "a2": "aaa woman, laughing"},
            "img/10_bbb woman": {"b1": "bbb woman, smiling"},
        },
    )
    (found,) = findings(run, root, "concept-overlap")
    assert found["path"] == "img/10_aaa woman" and "'bbb'" in found["message"]


@pytest.mark.parametrize(
    "reg, expected",
    [
        (0, "no regularization (class) images"),
        (80, "80 regularization images for 12 training images (6.7x); 1x-5x is advised"),
    ],
)
def test_regularization_amount(run, tmp_path, reg, expected):
    root = character(tmp_path / "ds")
    for i in range(reg):
        folder = root / "reg/1_woman"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"r{i}.png").write_bytes(PNG)
    messages = [f["message"] for f in findings(run, root, "regularization")]
    assert any(m.startswith(expected) for m in messages)


def test_style_lora_needs_no_regularization(run, tmp_path):
    root = make(tmp_path / "ds", "lora: style\n", {"img/10_mystyle": {"a": "mystyle, a cat"}, "reg/1_art": {"r": None}})
    messages = [f["message"] for f in findings(run, root, "regularization")]
    assert messages == ["regularization images are not needed for this LoRA type"]


def test_trainer_compat_reads_the_kohya_config(run, tmp_path):
    root = character(tmp_path / "ds")
    (root / "img/10_ohwx woman/005.txt").write_text("front view, ohwx woman, smiling\n")
    (root / "img/extra").mkdir()
    (root / "img/extra/x.png").write_bytes(PNG)
    (root / "dataset_config.toml").write_text(
        '[general]\nshuffle_caption = true\nkeep_tokens = 1\n\n[[datasets]]\nresolution = 1024\n\n'
        '  [[datasets.subsets]]\n  image_dir = "img/10_ohwx woman"\n\n  [[datasets.subsets]]\n  image_dir = "img/missing"\n'
    )
    found = sorted((f["path"], f["message"]) for f in findings(run, root, "trainer-compat"))
    assert [path for path, _ in found] == ["dataset_config.toml", "dataset_config.toml", "img/10_ohwx woman/005.txt", "img/extra"]
    assert found[0][1] == "dataset_config.toml has kohya read '.caption' captions, but the captions here are '.txt': kohya ignores them without a word"
    assert found[1][1] == "dataset_config.toml names image_dir 'img/missing', which does not exist"
    assert found[2][1].endswith("keeping 1 tag(s) in place, and the trigger is tag 2: it gets shuffled")
    assert found[3][1].startswith("kohya skips 'img/extra'")


def test_trainer_compat_names_a_broken_config(run, tmp_path):
    root = character(tmp_path / "ds")
    (root / "dataset_config.toml").write_text("[general\n")
    (found,) = findings(run, root, "trainer-compat")
    assert found["message"].startswith("dataset_config.toml is not valid TOML")
