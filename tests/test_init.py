"""`lora-lint init`: settings from what the folders and images say, the rest asked."""
from __future__ import annotations

import shutil

import yaml
from conftest import EXAMPLE

from lora_lint import init as init_module
from lora_lint.init import init
from lora_lint.packs import load_knowledge
from lora_lint.plugins import load_plugins


def _bare(tmp_path, name="set"):
    target = tmp_path / name
    shutil.copytree(EXAMPLE, target)
    (target / ".lora-lint.yaml").unlink()
    return target


def test_init_reads_the_folders_and_check_then_uses_the_settings(run_process, tmp_path):
    dataset = _bare(tmp_path)
    done = run_process("init", dataset)  # standard input is not a terminal: no questions
    assert done.code == 0 and "wrote" in done.err
    written = (dataset / ".lora-lint.yaml").read_text()
    assert yaml.safe_load(written) == {"lora": "character", "model": "sdxl", "trigger": "ohwx", "class": "woman"}
    assert "# From the kohya folder img/10_ohwx woman." in written and "pony, flux, sd3, kolors train at this size too" in written
    checked = run_process("check", dataset, "--format", "json")
    (summary,) = checked.json["summary"]["datasets"]
    assert (summary["lora"], summary["model"], summary["triggers"]) == ("character", "sdxl", ["ohwx"])
    assert "identity-leak" in {f["rule"] for f in checked.json["findings"]}  # character rules apply
    again = run_process("init", dataset)
    assert again.code == 2 and "--force" in again.err


def test_flags_win_and_unknown_names_are_refused(run_process, tmp_path):
    dataset = _bare(tmp_path)
    done = run_process("init", dataset, "--lora", "style", "--model", "flux", "--trigger", "zkstyle")
    assert done.code == 0
    assert yaml.safe_load((dataset / ".lora-lint.yaml").read_text())["lora"] == "style"
    assert run_process("check", dataset, "--format", "json").json["summary"]["datasets"][0]["model"] == "flux"
    wrong = run_process("init", dataset, "--force", "--model", "sdxl2")
    assert wrong.code == 2 and "unknown model 'sdxl2' (did you mean 'sdxl'?)" in wrong.err


def test_what_cannot_be_read_is_asked_on_a_terminal(tmp_path, monkeypatch):
    plugins = load_plugins()
    knowledge = load_knowledge(plugins.packs, [], plugins.kinds)
    empty = tmp_path / "new"
    empty.mkdir()
    asked = []
    answers = {"lora": "object", "model": "sd15", "trigger": "zkbag", "class": "bag"}

    def answer(prompt):
        asked.append(prompt)
        return answers[prompt.split(" ")[0].split(":")[0]]

    monkeypatch.setattr("builtins.input", answer)
    target, choices = init(empty, dict.fromkeys(init_module.KEYS), False, plugins, knowledge, interactive=True)
    assert [p.split(" ")[0].split(":")[0] for p in asked] == ["lora", "model", "trigger", "class"]
    assert yaml.safe_load(target.read_text()) == answers
    quiet = tmp_path / "quiet"
    quiet.mkdir()
    target, _ = init(quiet, dict.fromkeys(init_module.KEYS), False, plugins, knowledge, interactive=False)
    assert yaml.safe_load(target.read_text()) is None  # every key left commented, for the user


def test_a_video_dataset_is_a_video_lora_on_a_video_model(run_process, tmp_path):
    from PIL import Image

    dataset = tmp_path / "clips"
    clip = dataset / "10_zkdance person" / "clip1"
    clip.mkdir(parents=True)
    for frame in range(5):
        Image.new("RGB", (832, 480), (frame * 40, 0, 0)).save(clip / f"{frame:03d}.png")
    (dataset / "10_zkdance person" / "clip1.txt").write_text("zkdance person, dancing\n")
    assert run_process("init", dataset).code == 0
    settings = yaml.safe_load((dataset / ".lora-lint.yaml").read_text())
    assert settings["lora"] == "video" and settings["model"] == "wan"
