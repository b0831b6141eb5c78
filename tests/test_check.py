"""`lora-lint check` end to end on real dataset folders."""
from __future__ import annotations


from conftest import FOLDER, clean


def rows(result):
    return [(f["rule"], f["path"], f["line"], f["column"], f["end_column"]) for f in result.json["findings"]]


def test_example_dataset_reports_each_planted_problem_and_exits_1(run, dataset):
    result = run("check", dataset, "--format", "json")
    assert result.code == 1
    found = rows(result)
    assert ("identity-leak", f"{FOLDER}/003.txt", 1, 13, 18) in found  # "asian"
    assert ("identity-leak", f"{FOLDER}/003.txt", 1, 20, 30) in found  # "black hair"
    assert ("trigger-word", f"{FOLDER}/007.txt", 1, 1, 9) in found  # no "ohwx"
    assert ("missing-field", f"{FOLDER}/012.txt", 1, 1, 84) in found  # the whole caption
    assert "no lighting" in next(f["message"] for f in result.json["findings"] if f["rule"] == "missing-field")
    assert ("caption-pairing", f"{FOLDER}/020.png", None, None, None) in found  # no caption
    assert ("vocab-variant", f"{FOLDER}/024.txt", 1, 33, 38) in found  # "laugh"
    assert ("vocab-mixing", ".", None, None, None) in found  # "laugh" beside "laughing"
    assert len(found) == 7


def test_json_matches_the_design_contract(run, dataset):
    document = run("check", dataset, "--format", "json").json
    assert document["version"] == 1
    assert set(document) == {"version", "findings", "summary"}
    leak = next(f for f in document["findings"] if f["rule"] == "identity-leak")
    assert set(leak) == {"rule", "severity", "path", "line", "column", "end_column", "message", "fix"}
    assert leak["severity"] == "error" and "'asian'" in leak["message"]
    assert leak["fix"]["applicability"] == "unsafe"
    assert leak["fix"]["edits"] == [{"line": 1, "column": 13, "end_line": 1, "end_column": 20, "content": ""}]
    assert document["summary"]["counts"] == {"error": 3, "warning": 4, "info": 0}
    assert document["summary"]["datasets"][0]["captions"] == 25
    assert document["summary"]["datasets"][0]["images"] == 52  # 26 training, 26 regularization


def test_cleaned_dataset_exits_0_with_no_findings(run, dataset):
    result = run("check", clean(dataset), "--format", "json")
    assert result.json["findings"] == []
    assert result.code == 0


def test_rich_output_shows_caption_and_summary(run, dataset):
    result = run("check", dataset, "--no-color")
    assert result.code == 1
    assert f"{FOLDER}/003.txt" in result.out
    assert "ohwx woman, asian, black hair" in result.out  # the caption itself
    assert "identity-leak" in result.out and "Findings by rule" in result.out
    assert "3 errors, 4 warnings, 0 info in 25 captions and 52 images" in result.out


def test_clean_rich_output_says_clean(run, dataset):
    result = run("check", clean(dataset), "--no-color")
    assert result.code == 0
    assert "clean: 0 errors, 0 warnings, 0 info" in result.out


def test_paths_are_relative_to_the_path_given(run, dataset):
    result = run("check", dataset / FOLDER, "--format", "json", "--select", "identity-leak")
    assert {f["path"] for f in result.json["findings"]} == {"003.txt"}


def test_a_single_caption_file_can_be_checked(run, dataset):
    result = run("check", dataset / FOLDER / "003.txt", "--format", "json", "--select", "identity-leak")
    assert [f["path"] for f in result.json["findings"]] == ["003.txt", "003.txt"]


def test_select_and_ignore(run, dataset):
    only = run("check", dataset, "--format", "json", "--select", "trigger-word,caption-pairing")
    assert {f["rule"] for f in only.json["findings"]} == {"trigger-word", "caption-pairing"}
    without = run("check", dataset, "--format", "json", "--ignore", "identity-leak")
    assert "identity-leak" not in {f["rule"] for f in without.json["findings"]}


def test_fail_on_error_ignores_warnings(run, dataset):
    assert run("check", dataset, "--select", "caption-pairing", "--fail-on", "error", "--format", "json").code == 0
    assert run("check", dataset, "--select", "caption-pairing", "--fail-on", "warning", "--format", "json").code == 1


def test_settings_change_severity_and_ignore_per_path(run, dataset):
    settings = dataset / ".lora-lint.yaml"
    settings.write_text(
        settings.read_text()
        + "severity: {identity-leak: info, vocab-variant: 'off'}\n"
        + f"per-path-ignores: {{'{FOLDER}/007.txt': [trigger-word]}}\n"
    )
    findings = run("check", dataset, "--format", "json").json["findings"]
    assert {f["severity"] for f in findings if f["rule"] == "identity-leak"} == {"info"}
    assert not [f for f in findings if f["rule"] in ("vocab-variant", "trigger-word")]


def test_kohya_folder_gives_trigger_and_reg_folders_are_class_images(run, tmp_path):
    train = tmp_path / "img" / "5_sks dog"
    reg = tmp_path / "reg" / "1_dog"
    for folder in (train, reg):
        folder.mkdir(parents=True)
    (train / "a.txt").write_text("a dog on grass\n")
    (train / "b.txt").write_text("sks dog, on grass\n")
    (reg / "r.txt").write_text("a dog\n")
    for folder, stem in ((train, "a"), (train, "b"), (reg, "r")):
        (folder / f"{stem}.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    findings = run("check", tmp_path, "--format", "json", "--select", "trigger-word").json["findings"]
    assert [(f["path"], f["message"]) for f in findings] == [
        ("img/5_sks dog/a.txt", "caption lacks the trigger 'sks': the LoRA learns these images without it")
    ]


def test_settings_are_found_by_walking_up(run, dataset):
    (dataset / ".lora-lint.yaml").write_text("lora: character\nmodel: sdxl\ntrigger: zzz\n")
    findings = run("check", dataset / FOLDER, "--format", "json", "--select", "trigger-word").json["findings"]
    assert len(findings) == 25  # every caption lacks "zzz"


def test_without_a_lora_type_type_rules_are_skipped_with_a_note(run, dataset):
    (dataset / ".lora-lint.yaml").unlink()
    result = run("check", dataset, "--format", "json")
    rules = {f["rule"] for f in result.json["findings"]}
    assert "identity-leak" not in rules and "missing-field" not in rules
    assert "trigger-word" in rules  # the kohya folder still names the trigger
    assert any("no LoRA type set" in note for note in result.json["summary"]["datasets"][0]["notes"])


def test_dataset_size_uses_the_lora_type(run, dataset):
    folder = dataset / FOLDER
    for path in sorted(folder.glob("0[1-2]*"))[:30]:
        path.unlink()
    findings = run("check", dataset, "--format", "json", "--select", "dataset-size").json["findings"]
    assert [(f["path"], f["severity"]) for f in findings] == [(".", "warning")]
    assert "needs at least 15" in findings[0]["message"]


def test_orphan_caption_and_shared_stem(run, dataset):
    folder = dataset / FOLDER
    (folder / "099.txt").write_text("ohwx woman, smiling\n")
    (folder / "001.jpg").write_bytes((folder / "001.png").read_bytes())
    findings = run("check", dataset, "--format", "json", "--select", "caption-pairing").json["findings"]
    messages = {f["path"]: f["message"] for f in findings}
    assert messages[f"{FOLDER}/099.txt"] == "caption has no image with the same name beside it"
    assert "001.jpg, 001.png" in messages[f"{FOLDER}/001.txt"]


def test_console_script_runs_as_a_real_process(run_process, dataset):
    result = run_process("check", dataset, "--format", "json")
    assert result.code == 1 and result.err == ""
    assert len(result.json["findings"]) == 7


def test_progress_is_not_drawn_when_output_is_piped(run_process, dataset):
    result = run_process("check", clean(dataset))
    assert result.code == 0 and result.err == ""
