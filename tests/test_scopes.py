"""Which files a check reads and how it shows them: several PATHs, nested
PATHs, datasets below a repository root, single files, hidden and linked files."""
from __future__ import annotations

import shutil

from conftest import EXAMPLE, FOLDER


def copy(tmp_path, name):
    target = tmp_path / name
    shutil.copytree(EXAMPLE, target)
    return target


def test_several_paths_keep_their_findings_apart(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    copy(tmp_path, "dA")
    second = copy(tmp_path, "dB")
    (second / FOLDER / "003.txt").write_text("ohwx woman, blonde hair, three quarter view, winking, peace sign, graphic tee, park background, golden hour\n")
    findings = run("check", "dA", "dB", "--format", "json", "--select", "identity-leak").json["findings"]
    assert [(f["path"], f["column"]) for f in findings] == [
        (f"dA/{FOLDER}/003.txt", 13),
        (f"dA/{FOLDER}/003.txt", 20),
        (f"dB/{FOLDER}/003.txt", 13),
    ]


def test_a_path_inside_another_is_checked_once(run, dataset):
    once = run("check", dataset, "--format", "json").json
    twice = run("check", dataset, dataset / "img", dataset, "--format", "json").json
    assert len(twice["findings"]) == len(once["findings"])
    assert twice["findings"] == once["findings"]


def test_datasets_below_a_repository_root_are_found(run, tmp_path, monkeypatch):
    copy(tmp_path / "datasets", "alice")
    monkeypatch.chdir(tmp_path)
    result = run("check", ".", "--format", "json")
    rules = {f["rule"] for f in result.json["findings"]}
    assert "identity-leak" in rules  # the settings below were used: lora is character
    assert result.json["summary"]["datasets"][0]["lora"] == "character"


def test_settings_are_found_from_a_relative_path(run, dataset, monkeypatch):
    monkeypatch.chdir(dataset / "img")
    result = run("check", "10_ohwx woman", "--format", "json", "--select", "identity-leak")
    assert [f["path"] for f in result.json["findings"]] == ["003.txt", "003.txt"]


def test_a_single_caption_is_checked_with_its_images_and_no_dataset_rules(run, dataset):
    result = run("check", dataset / FOLDER / "012.txt", "--format", "json")
    assert [(f["rule"], f["path"]) for f in result.json["findings"]] == [("missing-field", "012.txt")]
    image = run("check", dataset / FOLDER / "001.png", "--format", "json")
    assert image.json["findings"] == [] and image.code == 0


def test_a_file_that_is_no_caption_or_image_is_refused(run, tmp_path):
    other = tmp_path / "passwd"
    other.write_text("root:x:0:0\n")
    result = run("check", other)
    assert result.code == 2 and "not a caption, an image, a dataset file or a dataset folder" in result.err


def test_hidden_files_are_skipped(run, dataset):
    (dataset / FOLDER / "._001.txt").write_bytes(b"\x00\x05\x16\x07junk")
    (dataset / FOLDER / "._001.png").write_bytes(b"\x00\x05\x16\x07junk")
    findings = run("check", dataset, "--format", "json").json["findings"]
    assert not [f for f in findings if "._001" in f["path"]]


def test_captions_without_images_get_only_the_pairing_finding(run, dataset):
    (dataset / FOLDER / "sample_prompts.txt").write_text("a cat, asian\n")
    findings = run("check", dataset, "--format", "json").json["findings"]
    assert [f["rule"] for f in findings if "sample_prompts" in f["path"]] == ["caption-pairing"]


def test_the_root_folder_name_is_not_read_as_kohya_when_settings_name_it(run, tmp_path):
    root = tmp_path / "2024_shoot"
    folder = root / "img"
    folder.mkdir(parents=True)
    (root / ".lora-lint.yaml").write_text("trigger: ohwx\n")
    (folder / "a.txt").write_text("ohwx woman, smiling\n")
    (folder / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    findings = run("check", root, "--format", "json", "--select", "trigger-word").json["findings"]
    assert findings == []


def test_a_fifo_named_like_a_caption_does_not_hang_the_check(run, dataset):
    import os

    os.mkfifo(dataset / FOLDER / "099.txt")
    result = run("check", dataset, "--format", "json")
    assert result.code == 1 and not [f for f in result.json["findings"] if "099" in f["path"]]


def test_the_caption_extension_is_configurable(run, dataset):
    for caption in (dataset / FOLDER).glob("*.txt"):
        caption.rename(caption.with_suffix(".caption"))
    (dataset / ".lora-lint.yaml").write_text("lora: character\ncaption_extension: caption\n")
    findings = run("check", dataset, "--format", "json", "--select", "identity-leak,caption-pairing").json["findings"]
    assert [(f["rule"], f["path"]) for f in findings] == [
        ("identity-leak", f"{FOLDER}/003.caption"),
        ("identity-leak", f"{FOLDER}/003.caption"),
        ("caption-pairing", f"{FOLDER}/020.png"),
    ]
