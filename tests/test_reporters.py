"""The CI formats: SARIF that validates, GitHub annotations, JUnit XML."""
from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from conftest import FOLDER, clean

from lora_lint.plugins import load_plugins

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture
def here(dataset, monkeypatch):
    monkeypatch.chdir(dataset.parent)
    return Path(dataset.name)


def test_sarif_validates_against_the_official_schema_and_holds_every_finding(run, here):
    sarif = run("check", here, "--format", "sarif")
    findings = run("check", here, "--format", "json").json["findings"]
    log = json.loads(sarif.out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert sarif.code == 1
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["message"]["text"]) for r in results] == [(f["rule"], f["message"]) for f in findings]
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    leak = next(r for r in rules if r["id"] == "identity-leak")
    assert leak["shortDescription"]["text"] and "trigger" in leak["fullDescription"]["text"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    located = next(r for r in results if r["ruleId"] == "identity-leak")["locations"][0]["physicalLocation"]
    assert located["artifactLocation"]["uri"] == f"character-dataset/{FOLDER.replace(' ', '%20')}/003.txt"
    assert located["region"] == {"startLine": 1, "startColumn": 13, "endColumn": 18}
    fixed = next(r for r in results if "fixes" in r)
    assert fixed["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]["startLine"] == 1


def test_a_clean_sarif_log_validates_too(run, here):
    clean(here)
    log = json.loads(run("check", here, "--format", "sarif").out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert log["runs"][0]["results"] == []


def test_a_record_of_a_dataset_file_is_a_line_of_that_file(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = [{"caption": "ohwx woman, smile, upper body, white background", "width": 1024, "height": 1024}] * 2
    (tmp_path / "set.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    log = json.loads(run("check", "set.jsonl", "--format", "sarif").out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    duplicate = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "duplicate-caption")
    assert duplicate["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "set.jsonl"}, "region": {"startLine": 2}}
    annotation = next(line for line in run("check", "set.jsonl", "--format", "github").out.splitlines() if "duplicate-caption" in line)
    assert annotation.startswith("::warning file=set.jsonl,line=2,title=")


def test_github_annotations_are_one_line_a_finding_with_escaped_properties(run, here):
    folder = here / FOLDER
    (folder / "003.txt").rename(folder / "a,b:c.txt")
    (folder / "003.png").rename(folder / "a,b:c.png")
    done = run("check", here, "--format", "github")
    lines = done.out.splitlines()
    findings = run("check", here, "--format", "json").json["findings"]
    assert len(lines) == len(findings) + 1 and lines[-1].startswith("lora-lint: ")
    leak = next(line for line in lines if "identity-leak" in line)
    assert leak.startswith(f"::error file=character-dataset/{FOLDER}/a%2Cb%3Ac.txt,line=1,col=13,endColumn=18,title=lora-lint identity-leak::")
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines[:-1])


def test_junit_is_xml_with_a_failure_a_finding(run, here):
    done = run("check", here, "--format", "junit")
    findings = run("check", here, "--format", "json").json["findings"]
    root = ET.fromstring(done.out)
    failures = root.findall(".//failure")
    assert root.tag == "testsuites" and int(root.get("failures")) == len(findings) == len(failures)
    assert {f.get("message") for f in failures} == {f["message"] for f in findings}
    clean(here)
    passing = ET.fromstring(run("check", here, "--format", "junit").out)
    assert passing.get("failures") == "0" and passing.findall(".//testcase")


def test_the_ci_formats_come_through_the_reporter_hook():
    assert {"json", "rich", "sarif", "github", "junit"} <= set(load_plugins().reporters)


def test_ci_formats_point_at_the_real_file_when_a_folder_below_the_root_is_checked(run, here):
    folder = here / FOLDER
    annotations = run("check", folder, "--format", "github").out
    assert f"file=character-dataset/{FOLDER}/003.txt,line=1,col=13" in annotations
    log = json.loads(run("check", folder, here / "reg", "--format", "sarif").out)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert f"character-dataset/{FOLDER.replace(' ', '%20')}/003.txt" in uris
    assert all(Path(__import__("urllib.parse").parse.unquote(uri)).exists() for uri in uris)


def test_junit_holds_a_control_character_in_a_file_name(run, here):
    folder = here / FOLDER
    (folder / "003.txt").rename(folder / "0\x013.txt")
    (folder / "003.png").rename(folder / "0\x013.png")
    root = ET.fromstring(run("check", here, "--format", "junit").out)  # well-formed XML
    assert any("0\\x013.txt" in (case.get("file") or "") for case in root.iter("testcase"))


def test_sarif_says_a_run_with_a_failed_rule_kind_was_not_whole(here, monkeypatch, capsys):
    from lora_lint.cli import main
    from lora_lint.kinds import junk

    def broken(caption, rule):
        raise RuntimeError("broken kind")

    monkeypatch.setattr(junk, "check", broken)
    assert main(["check", str(here), "--format", "sarif", "--no-cache"]) == 2
    log = json.loads(capsys.readouterr().out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert "broken kind" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    assert not [r for r in log["runs"][0]["results"] if r["ruleId"] == "junk-tags"]


def test_json_lines_are_what_the_json_encoder_writes():
    import json

    from lora_lint.findings import Edit, Finding, Fix
    from lora_lint.reporters.as_json import line

    encode = json.JSONEncoder(ensure_ascii=False).encode
    findings = [
        Finding("identity-leak", "error", "img/10_ohwx woman/003.txt", 1, 13, 18, "'asian' describes\twho \"she\" is \\ 黑髮 \u2028", Fix(False, "remove", (Edit(1, 13, 1, 20, ""),))),
        Finding("dataset-size", "warning", ".", None, None, None, "too few: 12\x00\x1f"),
        Finding("caption-pairing", "info", "set.jsonl:42#image", 42, None, None, "emoji 🙂 and é"),
    ]
    for finding in findings:
        assert line(finding, encode) == encode(finding.to_json())
