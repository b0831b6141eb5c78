"""Bad input gets a clear answer: a finding when it is the dataset's fault,
otherwise exit 2 with one line naming the file, and never a traceback."""
from __future__ import annotations

import os

import pytest

from conftest import FOLDER


def caption_findings(run, dataset, stem):
    result = run("check", dataset, "--format", "json", "--select", "caption-format")
    return result, [f for f in result.json["findings"] if f["path"] == f"{FOLDER}/{stem}.txt"]


def test_a_caption_longer_than_the_first_read_is_read_whole(run, dataset):
    tags = ", ".join(f"tag{n}" for n in range(20_000))  # about 150 KB: several reads
    (dataset / FOLDER / "001.txt").write_text(f"ohwx woman, {tags}, blonde hair")
    found = run("check", dataset, "--format", "json", "--select", "identity-leak").json["findings"]
    assert any("blonde hair" in f["message"] for f in found if f["path"] == f"{FOLDER}/001.txt")  # the last tag


def test_a_file_name_that_is_not_utf8_is_skipped_with_a_note_naming_it(run, dataset):
    folder = os.fsencode(dataset / FOLDER)
    for suffix in (b".txt", b".png"):
        with open(os.path.join(folder, b"001.txt" if suffix == b".txt" else b"001.png"), "rb") as source, open(os.path.join(folder, b"caf\xe9" + suffix), "wb") as out:
            out.write(source.read())
    result = run("check", dataset, "--format", "json")
    assert result.code == 1 and result.err == ""
    (note,) = [n for d in result.json["summary"]["datasets"] for n in d["notes"] if "not UTF-8" in n]
    assert f"{FOLDER}/caf\\xe9.png" in note and f"{FOLDER}/caf\\xe9.txt" in note
    assert run("check", dataset, "--format", "json").out == result.out  # and again, through the cache


def test_non_utf8_caption_is_a_finding_and_still_checked(run, dataset):
    (dataset / FOLDER / "001.txt").write_bytes("ohwx woman, café, naïve, smiling".encode("cp1252"))
    result, findings = caption_findings(run, dataset, "001")
    assert result.code == 1
    assert [f["severity"] for f in findings] == ["error"]
    assert "not UTF-8" in findings[0]["message"]


def test_binary_junk_is_a_finding(run, dataset):
    (dataset / FOLDER / "001.txt").write_bytes(bytes(range(256)) * 4)
    _, findings = caption_findings(run, dataset, "001")
    assert [f["message"] for f in findings] == ["binary content, not a caption"]


@pytest.mark.parametrize("content", [b"", b"  \n", b"\xef\xbb\xbf\n"])
def test_empty_caption_is_a_finding_and_nothing_else(run, dataset, content):
    (dataset / FOLDER / "001.txt").write_bytes(content)
    result = run("check", dataset, "--format", "json")
    findings = {f["rule"]: f["message"] for f in result.json["findings"] if f["path"] == f"{FOLDER}/001.txt"}
    assert set(findings) == {"caption-format", "trainer-compat"}  # the file, and what kohya does with it
    assert findings["caption-format"].startswith("empty caption")
    assert findings["trainer-compat"].startswith("empty first line: kohya stops")


def test_multi_line_caption_and_bom_are_findings(run, dataset):
    (dataset / FOLDER / "001.txt").write_bytes(b"\xef\xbb\xbfohwx woman, smiling\r\nsecond line\r\n")
    _, findings = caption_findings(run, dataset, "001")
    messages = [f["message"] for f in findings]
    assert any("byte-order mark" in m for m in messages)
    assert any(m.startswith("2 lines") for m in messages)


def test_an_unreadable_caption_is_a_finding_and_the_rest_is_checked(run, dataset, monkeypatch):
    caption = str(dataset / FOLDER / "001.txt")
    real_open = os.open

    def refusing_open(path, *args, **kwargs):  # root reads any file, so refuse by hand
        if str(path) == caption:
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("os.open", refusing_open)
    result = run("check", dataset, "--format", "json", "--no-cache")
    assert result.code == 1 and result.err == ""
    found = [f for f in result.json["findings"] if f["path"] == f"{FOLDER}/001.txt"]
    assert [(f["rule"], f["message"]) for f in found] == [("caption-format", "cannot read the caption file (Permission denied): the trainer cannot either")]
    assert {"identity-leak", "trigger-word"} <= {f["rule"] for f in result.json["findings"]}


def test_links_that_lead_out_of_the_dataset_are_not_read(run, dataset, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:*:20228:0:99999:7:::\n")
    caption = dataset / FOLDER / "001.txt"
    caption.unlink()
    os.symlink(secret, caption)
    os.symlink(tmp_path / "nowhere.txt", dataset / FOLDER / "002.txt.bak.txt")
    result = run("check", dataset, "--format", "json")
    assert "root:*" not in result.out
    (notes,) = [d["notes"] for d in result.json["summary"]["datasets"]]
    assert any("skipped 2 link(s), not followed" in note and "001.txt (leads outside the dataset)" in note and "(leads nowhere)" in note for note in notes)


def test_missing_folder_exits_2(run, tmp_path):
    result = run("check", tmp_path / "nope")
    assert result.code == 2
    assert result.err == f"lora-lint: error: {tmp_path / 'nope'}: no such file or folder\n"


def test_broken_yaml_exits_2_with_line_and_column(run, dataset):
    (dataset / ".lora-lint.yaml").write_text("lora: character\nmodel: [sdxl\n")
    result = run("check", dataset)
    assert result.code == 2
    assert f"{dataset / '.lora-lint.yaml'}:3:1: broken YAML" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_unknown_settings_key_suggests_the_nearest(run, dataset):
    (dataset / ".lora-lint.yaml").write_text("lora: character\ntriger: ohwx\n")
    result = run("check", dataset)
    assert result.code == 2
    assert result.err.strip() == f"lora-lint: error: {dataset / '.lora-lint.yaml'}:2: unknown key 'triger' (did you mean 'trigger'?)"


def test_unknown_lora_type_in_settings_is_named(run, dataset):
    (dataset / ".lora-lint.yaml").write_text("lora: charcter\n")
    result = run("check", dataset)
    assert result.code == 2
    assert "unknown lora 'charcter'" in result.err and "did you mean 'character'?" in result.err


def test_bad_settings_value(run, dataset):
    (dataset / ".lora-lint.yaml").write_text("hairstyles: several\n")
    result = run("check", dataset)
    assert result.code == 2 and "'hairstyles' is one of single, multiple" in result.err


def test_unknown_rule_in_select_exits_2(run, dataset):
    result = run("check", dataset, "--select", "identity-leek")
    assert result.code == 2
    assert "unknown rule 'identity-leek' in --select (did you mean 'identity-leak'?)" in result.err


def test_pack_with_a_typo_exits_2_naming_file_line_column(run, dataset):
    pack = dataset / "mine.lora"
    pack.write_text('use core\n\nrule my-rule {\n    kind forbidd\n    terms identity\n}\n')
    (dataset / ".lora-lint.yaml").write_text("lora: character\npacks: [mine.lora]\n")
    result = run("check", dataset)
    assert result.code == 2
    lines = result.err.splitlines()
    assert lines[0] == f"lora-lint: error: {pack}:4:10: unknown rule kind 'forbidd' (did you mean 'forbid'?)"
    assert lines[1] == "        kind forbidd"
    assert lines[2] == "             ^^^^^^^"


def test_pack_syntax_error_says_what_was_expected(run, dataset):
    pack = dataset / "mine.lora"
    pack.write_text('terms junk {\n    "a", "b"\n')
    (dataset / ".lora-lint.yaml").write_text("packs: [mine.lora]\n")
    result = run("check", dataset)
    assert result.code == 2
    assert f"{pack}:3:1: unexpected end of file: expected" in result.err


def test_binary_pack_file_is_named(run, dataset):
    (dataset / "mine.lora").write_bytes(b"\xff\xfe\x00junk")
    (dataset / ".lora-lint.yaml").write_text("packs: [mine.lora]\n")
    result = run("check", dataset)
    assert result.code == 2 and "mine.lora: rule pack is not UTF-8" in result.err


def test_missing_extra_pack_is_named(run, dataset):
    (dataset / ".lora-lint.yaml").write_text("packs: [gone.lora]\n")
    result = run("check", dataset)
    assert result.code == 2 and "gone.lora: rule pack not found" in result.err


def test_debug_shows_the_traceback(run_process, tmp_path):
    result = run_process("check", tmp_path / "nope", "--debug")
    assert result.code != 0 and "Traceback" in result.err


def test_unknown_format_exits_2(run, dataset):
    result = run("check", dataset, "--format", "xml")
    assert result.code == 2 and "unknown format 'xml' (formats: github, json, junit, rich, sarif)" in result.err


def test_bare_off_in_yaml_turns_a_rule_off(run, dataset):
    (dataset / ".lora-lint.yaml").write_text("lora: character\nseverity: {identity-leak: off}\n")
    findings = run("check", dataset, "--format", "json").json["findings"]
    assert "identity-leak" not in {f["rule"] for f in findings}


def test_a_settings_key_given_twice_is_an_error(run, dataset):
    (dataset / ".lora-lint.yaml").write_text("lora: character\nlora: style\n")
    result = run("check", dataset)
    assert result.code == 2 and ".lora-lint.yaml:2: key 'lora' is set twice (first on line 1)" in result.err


def test_unknown_rule_in_per_path_ignores(run, dataset):
    (dataset / ".lora-lint.yaml").write_text("lora: character\nper-path-ignores: {'img/*': [triger-word]}\n")
    result = run("check", dataset)
    assert result.code == 2
    assert "unknown rule 'triger-word' in per-path-ignores (did you mean 'trigger-word'?)" in result.err


def test_a_windows_1252_caption_is_read_as_such(run, dataset):
    (dataset / FOLDER / "001.txt").write_bytes("ohwx woman, naïve smile, café, asian".encode("cp1252"))
    result = run("check", dataset, "--format", "json")
    mine = [f for f in result.json["findings"] if f["path"].endswith("001.txt")]
    assert any(f["message"] == "not UTF-8 (reads as cp1252): kohya sd-scripts stops on it" for f in mine)
    assert any(f["rule"] == "identity-leak" for f in mine)  # and still checked


def test_a_folder_that_cannot_be_listed_is_one_line_naming_it(dataset, run, monkeypatch):
    """(Simulated: these tests may run as root, who lists any folder.)"""
    import os

    import lora_lint.dataset

    real = os.scandir
    denied = str(dataset / "reg" / "1_woman")

    def scandir(folder):
        if os.fspath(folder) == denied:
            raise PermissionError(13, "Permission denied", denied)
        return real(folder)

    monkeypatch.setattr(lora_lint.dataset.os, "scandir", scandir)
    for command in ("check", "report"):
        done = run(command, dataset, *(("--out", dataset.parent / "r.html") if command == "report" else ()))
        assert done.code == 2 and done.err == f"lora-lint: error: {denied}: cannot read this folder: Permission denied\n"


def test_a_path_that_cannot_be_listed_is_one_line_naming_it(tmp_path, run, monkeypatch):
    import pathlib

    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "a.txt").write_text("ohwx woman, smiling\n")
    real = pathlib.Path.iterdir

    def iterdir(path):
        if path == folder:
            raise PermissionError(13, "Permission denied", str(folder))
        return real(path)

    monkeypatch.setattr(pathlib.Path, "iterdir", iterdir)
    done = run("check", folder)
    assert done.code == 2 and done.err == f"lora-lint: error: {folder}: cannot read this folder: Permission denied\n"
