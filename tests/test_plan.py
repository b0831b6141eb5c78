"""`lora-lint plan` and `lora-lint doctor`: settings from the packs, trainer configs, symptoms."""
from __future__ import annotations

import io
import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from PIL import Image

CAPTION = "ohwx woman, smiling, looking at viewer, red dress, simple background, soft lighting\n"


def make_dataset(root: Path, folders: dict[str, int], settings: str = "lora: character\nmodel: sdxl\n", size=(1024, 1024), caption=CAPTION) -> Path:
    """A dataset: each folder gets `count` images with captions (the trigger
    taken from the folder name)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".lora-lint.yaml").write_text(settings)
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(buffer, "PNG")
    for folder, count in folders.items():
        target = root / folder
        target.mkdir(parents=True)
        trigger = folder.rsplit("/", 1)[-1].split("_", 1)[-1].split(" ")[0]
        for number in range(1, count + 1):
            (target / f"{number:03d}.png").write_bytes(buffer.getvalue())
            text = caption if "reg" not in folder else "a woman, standing, simple background\n"
            (target / f"{number:03d}.txt").write_text(text.replace("ohwx", trigger))
    return root


def plan_json(run, *args) -> dict:
    done = run("plan", *args, "--format", "json")
    assert done.code == 0, done.err
    return done.json


def value(plan: dict, name: str):
    return plan["settings"][name]["value"]


# --- the "done when" -------------------------------------------------------

def test_sdxl_character_of_30_images_on_a_12gb_card_follows_the_vram_and_training_tables(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    plan = plan_json(run, root, "--gpu", "RTX 3060")
    assert value(plan, "rank") == 16 and value(plan, "batch") == 1  # VRAM table: RTX 3060, SDXL
    assert 5e-5 <= value(plan, "learning_rate") <= 1e-4
    steps = value(plan, "steps")
    assert 1500 <= steps <= 4000
    assert value(plan, "repeats") * value(plan, "epochs") * 30 / value(plan, "batch") == steps
    assert value(plan, "scheduler") == "cosine" and 0 < value(plan, "warmup_steps") < steps // 10
    assert value(plan, "gradient_checkpointing") is True and value(plan, "optimizer") == "AdamW8bit"
    assert all(setting["source"] for setting in plan["settings"].values())  # every number says where it comes from
    assert plan["warnings"] == []


def test_flux_on_a_12gb_card_warns_and_plans_the_smallest_run(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30}, "lora: character\nmodel: flux\n")
    plan = plan_json(run, root, "--vram", "12")
    assert any("not recommended" in w and "Flux" in w for w in plan["warnings"])
    assert value(plan, "variant") == "lokr"  # the variants table: extreme low VRAM
    assert value(plan, "resolution") == "512x512"  # the techniques table: a lower resolution
    assert {t["name"] for t in plan["techniques"]} >= {"gradient_checkpointing", "adam8bit", "lower_resolution"}


def test_sd3_on_12gb_also_warns(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30}, "lora: character\nmodel: sd3\n")
    assert any("not recommended" in w for w in plan_json(run, root, "--gpu", "3060")["warnings"])


def test_a_two_character_dataset_gets_balanced_repeats_and_the_multi_concept_rank(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/5_alice woman": 30, "img/5_bob man": 15})
    plan = plan_json(run, root)
    contributions = {f["trigger"]: f["images"] * f["repeats"] for f in plan["folders"]}
    assert set(contributions) == {"alice", "bob"}
    assert max(contributions.values()) / min(contributions.values()) <= 1.1
    assert value(plan, "rank") == 64  # multi-concept: rank 64-128
    steps = value(plan, "steps")
    assert value(plan, "epochs") * sum(contributions.values()) == steps


def test_a_multi_concept_rank_that_does_not_fit_the_card_is_capped_and_loha_is_advised(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/5_alice woman": 20, "img/5_bob man": 20})
    plan = plan_json(run, root, "--gpu", "RTX 3060")
    assert value(plan, "rank") == 16 and value(plan, "variant") == "loha"
    assert any("fits rank 16 of SDXL, below the 64..128 wanted" in w for w in plan["warnings"])


def test_a_concept_without_a_trigger_is_warned_about(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/5_alice woman": 20, "img/5_bob man": 20, "img/extra": 10})
    assert any("'img/extra': no trigger" in w for w in plan_json(run, root)["warnings"])


def test_regularization_doubles_the_steps_kohya_counts(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30, "reg/1_woman": 60})
    plan = plan_json(run, root, "--gpu", "RTX 3060")
    train = next(f for f in plan["folders"] if f["subset"] == "train")
    reg = next(f for f in plan["folders"] if f["subset"] == "reg")
    assert reg["repeats"] == 1
    assert value(plan, "epochs") * 30 * train["repeats"] * 2 == value(plan, "steps")
    assert "x 2" in plan["settings"]["repeats"]["source"]


# --- the kohya TOML and ai-toolkit YAML carry the dataset's real folders ----------------

KOHYA_GENERAL = {
    "caption_extension": str, "shuffle_caption": bool, "keep_tokens": int, "resolution": (int, list), "batch_size": int,
    "enable_bucket": bool, "min_bucket_reso": int, "max_bucket_reso": int, "bucket_reso_steps": int, "bucket_no_upscale": bool,
}
KOHYA_SUBSET = {"image_dir": str, "num_repeats": int, "class_tokens": str, "is_reg": bool, "caption_extension": str, "keep_tokens": int, "shuffle_caption": bool}
KOHYA_ARGUMENTS = {
    "pretrained_model_name_or_path": str, "dataset_config": str, "network_module": str, "network_dim": int, "network_alpha": float,
    "network_args": list, "network_train_unet_only": bool, "max_train_epochs": int, "gradient_accumulation_steps": int,
    "mixed_precision": str, "save_precision": str, "optimizer_type": str, "learning_rate": float, "lr_scheduler": str,
    "lr_warmup_steps": int, "cache_latents": bool, "seed": int, "gradient_checkpointing": bool, "xformers": bool, "sdpa": bool,
    "output_dir": str, "output_name": str, "save_model_as": str, "save_every_n_epochs": int, "clip_l": str, "clip_g": str,
    "t5xxl": str, "ae": str, "cache_text_encoder_outputs": bool, "guidance_scale": float, "timestep_sampling": str,
    "model_prediction_type": str, "discrete_flow_shift": float, "fp8_base": bool,
}


def _typed(table: dict, allowed: dict) -> None:
    for key, item in table.items():
        assert key in allowed, f"{key} is not a key the trainer accepts"
        assert isinstance(item, allowed[key]) and not (allowed[key] is int and isinstance(item, bool)), f"{key} = {item!r}"


def test_the_kohya_config_parses_and_carries_the_real_folders(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30, "reg/1_woman": 30})
    plan = plan_json(run, root, "--gpu", "RTX 3060", "--write", "kohya")
    dataset = tomllib.loads((root / "kohya_dataset.toml").read_text())
    assert set(dataset) == {"general", "datasets"}
    _typed(dataset["general"], KOHYA_GENERAL)
    general = dataset["general"]
    assert general["min_bucket_reso"] <= 1024 <= general["max_bucket_reso"]  # kohya asserts the resolution is inside
    assert all(v % general["bucket_reso_steps"] == 0 for v in (general["min_bucket_reso"], general["max_bucket_reso"]))
    subsets = [s for d in dataset["datasets"] for s in d["subsets"]]
    for subset in subsets:
        _typed(subset, KOHYA_SUBSET)
        assert Path(subset["image_dir"]).is_dir() and list(Path(subset["image_dir"]).glob("*.png"))
    by_dir = {Path(s["image_dir"]).relative_to(root).as_posix(): s for s in subsets}
    assert by_dir["img/10_ohwx woman"]["class_tokens"] == "ohwx woman" and "is_reg" not in by_dir["img/10_ohwx woman"]
    assert by_dir["reg/1_woman"]["is_reg"] is True
    planned = {f["relative"]: f["repeats"] for f in plan["folders"]}
    assert {k: s["num_repeats"] for k, s in by_dir.items()} == planned
    training = tomllib.loads((root / "kohya_training.toml").read_text())
    arguments = {k: v for section in training.values() for k, v in section.items()}  # kohya flattens the sections
    _typed(arguments, KOHYA_ARGUMENTS)
    assert Path(arguments["dataset_config"]) == root / "kohya_dataset.toml"
    assert arguments["network_dim"] == value(plan, "rank") and arguments["max_train_epochs"] == value(plan, "epochs")
    assert arguments["learning_rate"] == value(plan, "learning_rate") and arguments["optimizer_type"] == "AdamW8bit"
    assert [str(p) for p in sorted(root.glob("kohya_*.toml"))] == sorted(plan["written"])


def test_kohya_writes_lycoris_network_args_for_loha(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    run("plan", root, "--variant", "loha", "--write", "kohya", "--format", "json")
    network = tomllib.loads((root / "kohya_training.toml").read_text())["network_arguments"]
    assert network["network_module"] == "lycoris.kohya" and network["network_args"] == ["algo=loha"]


def test_kohya_flux_names_the_text_encoders_to_set(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30}, "lora: character\nmodel: flux\n")
    run("plan", root, "--gpu", "RTX 4090", "--write", "kohya", "--format", "json")
    text = (root / "kohya_training.toml").read_text()
    arguments = {k: v for section in tomllib.loads(text).values() for k, v in section.items()}
    assert arguments["network_module"] == "networks.lora_flux" and arguments["sdpa"] is True
    assert arguments["clip_l"] == arguments["t5xxl"] == arguments["ae"] == "SET-ME" and "Replace every SET-ME" in text


AI_TOOLKIT_DATASET = {
    "folder_path", "caption_ext", "caption_dropout_rate", "shuffle_tokens", "keep_tokens", "cache_latents_to_disk",
    "resolution", "num_repeats", "is_reg", "num_frames", "fps",
}
AI_TOOLKIT_TRAIN = {
    "batch_size", "steps", "gradient_accumulation", "train_unet", "train_text_encoder", "gradient_checkpointing",
    "noise_scheduler", "optimizer", "lr", "lr_scheduler", "lr_scheduler_params", "dtype",
}


def test_the_ai_toolkit_job_parses_and_carries_the_real_folders(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30, "reg/1_woman": 30})
    plan = plan_json(run, root, "--gpu", "RTX 3060", "--batch", "2", "--write", "ai-toolkit")
    job = yaml.safe_load((root / "ai-toolkit.yaml").read_text())
    assert job["job"] == "extension" and set(job) == {"job", "config", "meta"}
    (process,) = job["config"]["process"]
    assert process["type"] == "sd_trainer" and process["trigger_word"] == "ohwx"
    assert process["network"] == {"type": "lora", "linear": 16, "linear_alpha": 16}
    for dataset in process["datasets"]:
        assert set(dataset) <= AI_TOOLKIT_DATASET
        assert Path(dataset["folder_path"]).is_dir()
    folders = {Path(d["folder_path"]).relative_to(root).as_posix(): d for d in process["datasets"]}
    assert folders["reg/1_woman"]["is_reg"] is True and "is_reg" not in folders["img/10_ohwx woman"]
    train = process["train"]
    assert set(train) <= AI_TOOLKIT_TRAIN
    assert train["steps"] == value(plan, "steps") and isinstance(train["steps"], int)
    assert train["gradient_accumulation"] == 2 and train["batch_size"] == 1  # --batch 2 on a card that holds 1
    assert train["lr"] == value(plan, "learning_rate") and train["lr_scheduler_params"]["num_warmup_steps"] == value(plan, "warmup_steps")
    assert process["model"] == {"name_or_path": "stabilityai/stable-diffusion-xl-base-1.0", "arch": "sdxl"}


def test_ai_toolkit_refuses_a_variant_it_does_not_train(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    done = run("plan", root, "--variant", "loha", "--write", "ai-toolkit")
    assert done.code == 2 and "ai-toolkit trains lora and lokr" in done.err and not (root / "ai-toolkit.yaml").exists()


def test_the_onetrainer_concepts_file_is_a_list_of_concepts(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/5_alice woman": 30, "img/5_bob man": 15, "reg/1_person": 20})
    plan = plan_json(run, root, "--write", "onetrainer")
    concepts = json.loads((root / "onetrainer_concepts.json").read_text())
    assert isinstance(concepts, list) and len(concepts) == 3
    for concept in concepts:
        assert concept["type"] in ("STANDARD", "PRIOR_PREDICTION") and concept["balancing_strategy"] == "REPEATS"
        assert isinstance(concept["balancing"], float) and Path(concept["path"]).is_dir()
        assert concept["text"]["prompt_source"] == "sample"
    balancing = {Path(c["path"]).name: c["balancing"] for c in concepts}
    assert balancing == {Path(f["path"]).name: float(f["repeats"]) for f in plan["folders"]}
    assert [c["type"] for c in concepts if "reg" in c["path"]] == ["PRIOR_PREDICTION"]


def _video_dataset(root: Path, clips: int, settings: str) -> Path:
    folder = root / "clips" / "10_ohwx woman"
    folder.mkdir(parents=True)
    (root / ".lora-lint.yaml").write_text(settings)
    for number in range(1, clips + 1):
        (folder / f"{number:02d}.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
        (folder / f"{number:02d}.txt").write_text("ohwx woman walks through a park, the camera follows her\n")
    return root


def test_the_musubi_config_for_wan_carries_frames_from_the_packs(run, tmp_path):
    root = _video_dataset(tmp_path / "ds", 24, "lora: video\nmodel: wan\nfps: 24\n")
    plan = plan_json(run, root, "--write", "musubi")
    dataset = tomllib.loads((root / "musubi_dataset.toml").read_text())
    assert set(dataset["general"]) <= {"resolution", "caption_extension", "batch_size", "enable_bucket", "bucket_no_upscale", "num_repeats"}
    (clips,) = dataset["datasets"]
    assert Path(clips["video_directory"]) == root / "clips" / "10_ohwx woman"
    assert clips["target_frames"] == [81] and (81 - 1) % 4 == 0  # wan frames 16..81, the form N*4+1
    assert clips["frame_extraction"] in ("head", "chunk", "slide", "uniform", "full")
    assert isinstance(clips["source_fps"], float) and clips["source_fps"] == 24.0
    assert clips["num_repeats"] == plan["folders"][0]["repeats"]
    training = tomllib.loads((root / "musubi_training.toml").read_text())
    arguments = {k: v for section in training.values() for k, v in section.items()}
    assert arguments["network_module"] == "networks.lora_wan" and arguments["task"] == "t2v-14B"
    assert arguments["max_train_epochs"] == value(plan, "epochs") and isinstance(arguments["network_alpha"], float)


def test_musubi_refuses_an_image_model(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    done = run("plan", root, "--write", "musubi")
    assert done.code == 2 and done.err.count("\n") == 1 and "musubi-tuner does not train SDXL" in done.err


def test_written_configs_are_not_replaced_without_force(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    assert run("plan", root, "--write", "kohya").code == 0
    (root / "kohya_dataset.toml").write_text("# mine\n")
    done = run("plan", root, "--write", "kohya")
    assert done.code == 2 and "exists already" in done.err and (root / "kohya_dataset.toml").read_text() == "# mine\n"
    assert run("plan", root, "--write", "kohya", "--force").code == 0
    assert "[general]" in (root / "kohya_dataset.toml").read_text()


def test_out_puts_the_configs_elsewhere(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    run("plan", root, "--write", "kohya", "--out", tmp_path / "configs")
    assert sorted(p.name for p in (tmp_path / "configs").iterdir()) == ["kohya_dataset.toml", "kohya_training.toml"]


# --- the card, the variant, the batch ------------------------------------------------

def test_vram_between_cards_plans_for_the_largest_card_under_it(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    plan = plan_json(run, root, "--vram", "16")
    assert plan["gpu"]["name"] == "rtx3060" and any("16 GB: planned as the VRAM table's RTX 3060" in n for n in plan["notes"])


def test_vram_below_the_table_is_a_warning_and_the_lightest_variant(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    plan = plan_json(run, root, "--vram", "8")
    assert any("below the VRAM table's smallest card" in w for w in plan["warnings"]) and value(plan, "variant") == "lokr"


def test_a_roomy_card_needs_no_costly_savings(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    plan = plan_json(run, root, "--gpu", "RTX 3090")
    assert value(plan, "batch") == 2 and value(plan, "gradient_checkpointing") is False and value(plan, "optimizer") == "AdamW"
    assert {t["name"] for t in plan["techniques"]} == {"mixed_precision", "attention"}


def test_a_variant_heavier_than_the_card_allows_is_warned_about(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/5_alice woman": 20, "img/5_bob man": 20})
    plan = plan_json(run, root, "--gpu", "RTX 3060", "--variant", "dora")
    assert value(plan, "variant") == "dora" and any("DoRA needs medium-high VRAM" in w for w in plan["warnings"])


def test_goal_quality_chooses_dora_when_the_card_allows(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    assert value(plan_json(run, root, "--gpu", "RTX 4090", "--goal", "quality"), "variant") == "dora"


def test_a_kohya_folder_named_for_other_repeats_gets_a_note(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    plan = plan_json(run, root, "--gpu", "RTX 3060")
    if value(plan, "repeats") != 10:
        assert any("named for 10 repeats" in n for n in plan["notes"])


def test_an_sdxl_based_model_borrows_sdxl_ranges_and_vram_column(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30}, "lora: character\nmodel: kolors\n")
    plan = plan_json(run, root, "--gpu", "RTX 3060")
    assert value(plan, "rank") == 16 and "model sdxl" in plan["settings"]["learning_rate"]["source"]


def test_small_images_are_warned_about(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30}, size=(512, 512))
    assert any("upscaled" in w for w in plan_json(run, root)["warnings"])


def test_images_of_a_bucket_shape_are_not_warned_about(run, tmp_path):
    """832x1216 is a 1024x1024 bucket of SDXL: nothing is upscaled, as image-quality agrees."""
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30}, size=(832, 1216))
    assert not any("upscaled" in w for w in plan_json(run, root)["warnings"])


def test_every_lora_type_and_model_plans(run, tmp_path):
    models = ("sd15", "sdxl", "pony", "flux", "sd3", "kolors")
    for number, (lora, model) in enumerate((lora, model) for lora in ("character", "style", "object", "concept", "scene") for model in models):
        root = make_dataset(tmp_path / f"ds{number}", {"img/10_ohwx thing": 40}, f"lora: {lora}\nmodel: {model}\n")
        plan = plan_json(run, root, "--gpu", "RTX 4090")
        low, high = map(int, re.search(r"steps \w+ (\d+)\.\.(\d+)", plan["settings"]["steps"]["source"]).groups())
        per_step = value(plan, "batch") * value(plan, "accumulation")  # the table's steps are at batch 1
        assert low / per_step <= value(plan, "steps") <= high / per_step, (lora, model)
        assert 1 <= value(plan, "rank") <= 128 and value(plan, "learning_rate") > 0


# --- packs change the plan ---------------------------------------------------------------

def test_a_custom_pack_changes_the_plan(run, tmp_path):
    pack = tmp_path / "mine.lora"
    pack.write_text(
        'pack mine\nuse training\n'
        'override training defaults {\n    warmup 10%\n}\n'
        'override gpu rtx3060 {\n    fit sdxl { rank 8, batch 1 }\n}\n'
    )
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30}, f"lora: character\nmodel: sdxl\npacks: [{pack}]\n")
    plan = plan_json(run, root, "--gpu", "RTX 3060")
    assert value(plan, "rank") == 8 and "VRAM table: RTX 3060" in plan["settings"]["rank"]["source"]
    assert value(plan, "warmup_steps") == round(value(plan, "steps") * 0.10)


@pytest.mark.parametrize("text, message", [
    ("gpu small {\n    fit sdxl { rank 16 }\n}\n", "needs batch"),
    ("gpu small {\n    fit sdxl { rank 16, batch 1, speed 3 }\n}\n", "unknown key 'speed'"),
    ("gpu small {\n    fit sdxxl { rank 16, batch 1 }\n}\n", "unknown model 'sdxxl' (did you mean 'sdxl'?)"),
    ("symptom slow {\n    checks trigger-wrod\n}\n", "unknown rule 'trigger-wrod' (did you mean 'trigger-word'?)"),
    ("technique t {\n    use sometimes\n}\n", "'use' takes one of always, tight, unfit"),
    ("variant v {\n    choose cheap\n}\n", "'choose' takes one of default"),
])
def test_broken_training_blocks_are_pack_errors_with_a_location(run, tmp_path, text, message):
    pack = tmp_path / "broken.lora"
    pack.write_text("pack broken\nuse core\n" + text)
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 20}, f"lora: character\nmodel: sdxl\npacks: [{pack}]\n")
    done = run("plan", root)
    assert done.code == 2 and message in done.err and f"{pack}:" in done.err


# --- bad requests -----------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["--gpu", "RTX 2060"], "unknown GPU 'RTX 2060'"),
    (["--model", "sdxll"], "unknown model 'sdxll'"),
    (["--variant", "lorra"], "unknown variant 'lorra' (variants: lora, loha, lokr, dora, oft, boft) (did you mean 'lora'?)"),
    (["--write", "kohyaa"], "unknown trainer 'kohyaa'"),
    (["--batch", "0"], "--batch takes a whole number"),
])
def test_bad_requests_are_one_line_errors(run, tmp_path, args, message):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 20})
    done = run("plan", root, *args)
    assert done.code == 2 and message in done.err and done.err.count("\n") == 1


def test_plan_without_a_model_names_what_to_give(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 20}, "lora: character\n")
    done = run("plan", root)
    assert done.code == 2 and "no model given: pass --model or set 'model:'" in done.err


def test_plan_of_a_missing_folder_or_an_empty_one(run, tmp_path):
    assert "no such folder" in run("plan", tmp_path / "nowhere", "--model", "sdxl", "--type", "character").err
    (tmp_path / "empty").mkdir()
    done = run("plan", tmp_path / "empty", "--model", "sdxl", "--type", "character")
    assert done.code == 2 and "no training images found" in done.err


def test_plan_prints_settings_with_their_sources(run, dataset):
    done = run("plan", dataset, "--gpu", "RTX 3060", "--no-color")
    assert done.code == 0
    assert "Plan: Character LoRA for SDXL on RTX 3060 (12 GB)" in done.out
    assert "VRAM table: RTX 3060, SDXL" in done.out and "gradient checkpointing" in done.out


# --- doctor --------------------------------------------------------------------------------

def test_doctor_on_underfitting_names_the_captions_that_lack_the_trigger(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    for number in (3, 11):
        (root / "img/10_ohwx woman" / f"{number:03d}.txt").write_text("woman, smiling, red dress, simple background, soft lighting\n")
    done = run("doctor", root, "--symptom", "underfitting", "--format", "json")
    assert done.code == 1
    report = done.json
    assert report["symptom"] == "underfitting" and "the trigger is not in every caption" in report["causes"]
    trigger = next(c for c in report["checks"] if c["rule"] == "trigger-word")
    assert sorted(f["path"] for f in trigger["findings"]) == ["img/10_ohwx woman/003.txt", "img/10_ohwx woman/011.txt"]
    assert set(report["plan"]) == {"steps", "epochs"}
    text = run("doctor", root, "--symptom", "trigger has no effect", "--no-color").out
    assert "img/10_ohwx woman/003.txt" in text and "ok dataset-size" in text


def test_doctor_finds_nothing_on_a_clean_dataset_and_exits_0(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    done = run("doctor", root, "--symptom", "underfitting", "--format", "json")
    assert done.code == 0 and all(not c["findings"] for c in done.json["checks"])


def test_doctor_understands_the_tables_chinese_symptoms(run):
    done = run("doctor", "--symptom", "欠擬合", "--format", "json")
    assert done.code == 0 and done.json["symptom"] == "underfitting" and done.json["checks"] == []


def test_doctor_on_oom_shows_the_memory_settings_of_the_plan(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 20})
    report = run("doctor", root, "--symptom", "CUDA OOM", "--gpu", "RTX 3060", "--format", "json").json
    assert report["plan"]["batch"]["value"] == 1 and report["plan"]["gradient_checkpointing"]["value"] is True


def test_doctor_on_color_cast_runs_the_distribution_rules(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 20})
    report = run("doctor", root, "--symptom", "color cast", "--format", "json").json
    assert {c["rule"] for c in report["checks"]} == {"distribution", "variety"}
    assert any(c["findings"] for c in report["checks"])  # every caption: the same background and lighting


def test_doctor_lists_the_symptoms_and_refuses_an_unknown_one(run):
    listed = run("doctor").out
    assert "loss-flat: loss not decreasing" in listed and "cuda-oom: CUDA out of memory" in listed
    done = run("doctor", "--symptom", "exploding gradients")
    assert done.code == 2 and "unknown symptom 'exploding gradients'" in done.err and done.err.count("\n") == 1


def test_plan_runs_as_a_real_process_and_writes_every_trainer(run_process, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30, "reg/1_woman": 30})
    done = run_process("plan", root, "--gpu", "RTX 4090", "--write", "kohya", "--write", "ai-toolkit", "--write", "onetrainer")
    assert done.code == 0, done.err
    assert sorted(p.name for p in root.iterdir() if p.is_file()) == [
        ".lora-lint.yaml", "ai-toolkit.yaml", "kohya_dataset.toml", "kohya_training.toml", "onetrainer_concepts.json",
    ]
    assert "wrote" in done.out


# --- found by trying it as a new user ----------------------------------------------

def test_a_dataset_too_big_for_the_step_range_still_plans_with_a_warning(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 700, "reg/1_woman": 700}, "lora: character\nmodel: sd15\n", size=(64, 64))
    plan = plan_json(run, root)
    assert value(plan, "repeats") == 1 and value(plan, "epochs") * 700 * 2 == value(plan, "steps")
    assert any("700 training images is above lora character's 15..50" in w for w in plan["warnings"])


def test_a_tiny_dataset_is_warned_about(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 5})
    assert any("5 training images is below lora character's 15..50" in w for w in plan_json(run, root)["warnings"])


def test_flux_on_a_24gb_card_keeps_lora_when_the_capped_rank_is_in_flux_range(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30}, "lora: character\nmodel: flux\n")
    plan = plan_json(run, root, "--gpu", "RTX 3090", "--write", "kohya", "--write", "ai-toolkit")
    assert value(plan, "rank") == 16 and value(plan, "variant") == "lora" and plan["warnings"] == []
    assert len(plan["written"]) == 3


def test_a_larger_batch_takes_fewer_steps_for_the_same_image_views(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    one = plan_json(run, root, "--gpu", "RTX 3060")
    four = plan_json(run, root, "--gpu", "RTX 4090")
    assert value(four, "batch") == 4
    assert value(four, "repeats") * value(four, "epochs") * 30 / 4 == value(four, "steps")
    views_one, views_four = value(one, "steps"), value(four, "steps") * 4
    assert abs(views_four - views_one) / views_one < 0.15
    assert value(four, "gradient_checkpointing") is False  # rank 16 of the 128 the 4090 holds: room to spare


def test_an_asked_batch_the_card_holds_needs_no_accumulation(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    plan = plan_json(run, root, "--gpu", "RTX 3090", "--batch", "3")
    assert (value(plan, "batch"), value(plan, "accumulation")) == (3, 1)
    plan = plan_json(run, root, "--gpu", "RTX 3090", "--batch", "8")
    assert (value(plan, "batch"), value(plan, "accumulation")) == (2, 4)
    assert any("--batch 8 is above SDXL's batch 1..4" in w for w in plan["warnings"])


def test_configs_written_elsewhere_point_at_each_other_there(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    out = tmp_path / "configs"
    run("plan", root, "--write", "kohya", "--out", out)
    training = tomllib.loads((out / "kohya_training.toml").read_text())
    assert Path(training["dataset_arguments"]["dataset_config"]) == (out / "kohya_dataset.toml").resolve()
    video = _video_dataset(tmp_path / "video", 24, "lora: video\nmodel: wan\n")
    run("plan", video, "--write", "musubi", "--out", out)
    arguments = {k: v for section in tomllib.loads((out / "musubi_training.toml").read_text()).values() for k, v in section.items()}
    assert Path(arguments["dataset_config"]) == (out / "musubi_dataset.toml").resolve()


def test_folder_names_with_brackets_are_shown_as_they_are(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx [red]": 20, "img/10_bob [/b]": 20})
    done = run("plan", root, "--no-color")
    assert done.code == 0, done.err
    assert "img/10_ohwx [red]" in done.out and "img/10_bob [/b]" in done.out


def test_kohya_oft_keeps_oft_own_alpha(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30})
    run("plan", root, "--variant", "oft", "--write", "kohya")
    network = tomllib.loads((root / "kohya_training.toml").read_text())["network_arguments"]
    assert network["network_module"] == "networks.oft" and "network_alpha" not in network


def test_musubi_says_it_leaves_regularization_out(run, tmp_path):
    root = _video_dataset(tmp_path / "ds", 24, "lora: video\nmodel: wan\n")
    reg = root / "reg" / "1_woman"
    reg.mkdir(parents=True)
    for number in range(1, 5):
        (reg / f"{number}.mp4").write_bytes(b"\x00")
        (reg / f"{number}.txt").write_text("a woman walking\n")
    plan = plan_json(run, root, "--write", "musubi")
    assert [f["subset"] for f in plan["folders"]] == ["train"]  # no kohya-style doubling of the steps
    assert value(plan, "epochs") * 24 * value(plan, "repeats") == value(plan, "steps")
    assert "no regularization datasets: reg/1_woman left out" in (root / "musubi_dataset.toml").read_text()


def _frame_clips(root: Path, clips: int, frames: int) -> Path:
    (root / "clips").mkdir(parents=True)
    (root / ".lora-lint.yaml").write_text("lora: video\nmodel: wan\nfps: 16\n")
    buffer = io.BytesIO()
    Image.new("RGB", (832, 480), (10, 20, 30)).save(buffer, "PNG")
    for clip in range(1, clips + 1):
        folder = root / "clips" / f"{clip:02d}"
        folder.mkdir()
        for frame in range(frames):
            (folder / f"{frame:03d}.png").write_bytes(buffer.getvalue())
        (root / "clips" / f"{clip:02d}.txt").write_text("ohwx woman walks through a park, the camera follows her\n")
    return root


def test_frames_follow_the_shortest_clip_and_trainers_refuse_frame_folders(run, tmp_path):
    root = _frame_clips(tmp_path / "ds", 12, 20)
    plan = plan_json(run, root)
    assert value(plan, "frames") == 17 and "the shortest clip has 20" in plan["settings"]["frames"]["source"]
    for trainer in ("musubi", "ai-toolkit"):
        done = run("plan", root, "--write", trainer)
        assert done.code == 2 and "reads video files, not folders of frames" in done.err


def test_onetrainer_refuses_a_model_it_does_not_train(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30}, "lora: character\nmodel: kolors\n")
    done = run("plan", root, "--write", "onetrainer")
    assert done.code == 2 and "OneTrainer does not train Kolors" in done.err


def test_sdxl_based_models_use_xformers_like_sdxl(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30}, "lora: character\nmodel: pony\n")
    assert value(plan_json(run, root), "attention") == "xformers"


@pytest.mark.parametrize("args, message", [
    (["--vram", "0"], "--vram takes the card's memory in GB, not 0"),
    (["--gpu", "RTX 3060", "--vram", "48"], "give --gpu or --vram, not both"),
])
def test_impossible_cards_are_refused(run, tmp_path, args, message):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 20})
    done = run("plan", root, *args)
    assert done.code == 2 and message in done.err


def test_a_misspelt_lora_type_in_the_settings_names_its_line(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 20}, "model: sdxl\nlora: charcter\n")
    done = run("plan", root)
    assert done.code == 2 and f"{root / '.lora-lint.yaml'}:2: unknown lora 'charcter'" in done.err and "did you mean 'character'" in done.err


def test_doctor_reads_the_dataset_packs_without_a_model(run, tmp_path):
    pack = tmp_path / "mine.lora"
    pack.write_text('pack mine\nuse training\nsymptom melting {\n    title "faces melt"\n    causes "too high a learning rate"\n    fixes "lower it"\n}\n')
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 20}, f"lora: character\npacks: [{pack}]\n")
    done = run("doctor", root, "--symptom", "faces melt", "--format", "json")
    assert done.code == 0 and done.json["symptom"] == "melting"


def test_doctor_lists_symptoms_as_json_and_says_when_a_card_needs_a_dataset(run):
    listed = run("doctor", "--format", "json").json
    assert any(s["name"] == "underfitting" and "欠擬合" in s["aliases"] for s in listed)
    done = run("doctor", "--symptom", "oom", "--gpu", "RTX 3060")
    assert done.code == 0 and "--gpu: give a dataset PATH to plan for it" in done.err
    assert run("doctor", "--symptom", "oom", "--batch", "0").code == 2


def test_doctor_on_oom_shows_the_plans_warnings(run, tmp_path):
    root = make_dataset(tmp_path / "ds", {"img/10_ohwx woman": 30}, "lora: character\nmodel: flux\n")
    report = run("doctor", root, "--symptom", "顯存不足", "--gpu", "RTX 3060", "--format", "json").json
    assert report["symptom"] == "cuda-oom" and any("not recommended" in w for w in report["plan_warnings"])
    assert report["plan"]["resolution"]["value"] == "512x512"
