"""The baseline: an old dataset adopts lora-lint and still blocks new problems."""
from __future__ import annotations

import json

from conftest import FOLDER

from lora_lint.baseline import FILE


def test_a_baseline_holds_todays_findings_and_blocks_new_ones(run, dataset):
    before = run("check", dataset, "--format", "json").json["findings"]
    written = run("check", dataset, "--write-baseline", "--format", "json")
    assert written.code == 0 and len(written.json["findings"]) == len(before)
    entries = json.loads((dataset / FILE).read_text())["entries"]
    assert {(e["path"], e["rule"], e["message"]) for e in entries} == {(f["path"], f["rule"], f["message"]) for f in before}
    again = run("check", dataset, "--format", "json")
    assert again.code == 0 and again.json["findings"] == []
    assert again.json["summary"]["datasets"][0]["baselined"] == len(before)
    (dataset / FOLDER / "001.txt").write_text("ohwx woman, blonde hair, smile, upper body, looking at viewer, sundress, beach, sunlight\n")
    new = run("check", dataset, "--format", "json")
    assert new.code == 1 and [f["message"] for f in new.json["findings"] if f["rule"] == "identity-leak"] == [
        "'blonde hair' describes who the character is (hair color): leave it out so the LoRA binds it to the trigger"
    ]
    everything = run("check", dataset, "--no-baseline", "--format", "json").json["findings"]
    assert all(f in everything for f in before if f["path"] != f"{FOLDER}/001.txt")


def test_entries_that_no_longer_match_are_named(run, dataset):
    run("check", dataset, "--write-baseline")
    folder = dataset / FOLDER
    (folder / "003.txt").write_text("ohwx woman, three quarter view, winking, peace sign, graphic tee, park background, golden hour\n")
    checked = run("check", dataset, "--format", "json")
    assert checked.err.startswith("lora-lint: warning: ") and "2 baseline entries no longer match" in checked.err
    summary = checked.json["summary"]["datasets"][0]
    stale = summary["stale_baseline"]
    assert {(path, rule) for path, rule, _ in stale} == {(f"{FOLDER}/003.txt", "identity-leak")} and len(stale) == 2
    assert any("2 baseline entries no longer match" in note for note in summary["notes"])
    run("check", dataset, "--write-baseline")
    assert run("check", dataset, "--format", "json").json["summary"]["datasets"][0]["stale_baseline"] == []


def test_a_baseline_holds_when_the_dataset_is_checked_beside_another(run, dataset, tmp_path):
    run("check", dataset, "--write-baseline")
    other = tmp_path / "other"
    other.mkdir()
    (other / ".lora-lint.yaml").write_text("lora: style\nmodel: sdxl\n")
    both = run("check", dataset, other, "--format", "json").json
    assert not [f for f in both["findings"] if f["path"].startswith(dataset.name)]


def test_a_broken_baseline_is_an_error_naming_the_file(run, dataset):
    (dataset / FILE).write_text('{"version": 1, "entries": [\n  {"path": 3,\n')
    done = run("check", dataset)
    assert done.code == 2 and f"{FILE}:3:" in done.err and "broken JSON" in done.err
    (dataset / FILE).write_text('{"version": 7, "entries": []}')
    done = run("check", dataset)
    assert done.code == 2 and "not a lora-lint baseline" in done.err


def test_a_partial_write_keeps_what_it_did_not_look_at(run, dataset):
    run("check", dataset, "--write-baseline")
    whole = json.loads((dataset / FILE).read_text())["entries"]
    run("check", dataset, "--select", "trigger-word", "--write-baseline")
    run("check", dataset / FOLDER, "--write-baseline")
    kept = json.loads((dataset / FILE).read_text())["entries"]
    assert all(entry in kept for entry in whole)  # plus what the folder's own check judged
    assert run("check", dataset, "--format", "json").json["findings"] == []


def test_entries_match_from_a_folder_with_other_paths_and_in_another_language(run, dataset, tmp_path):
    run("check", dataset, "--write-baseline", "--lang", "en")
    below = run("check", dataset / FOLDER, "--format", "json")
    assert not [f for f in below.json["findings"] if f["path"] != "."]  # the folder's files: held (its own judgement is new)
    assert below.json["summary"]["datasets"][0]["stale_baseline"] == []  # entries outside the folder are not stale
    other = tmp_path / "other"
    other.mkdir()
    (other / ".lora-lint.yaml").write_text("lora: style\nmodel: sdxl\n")
    both = run("check", dataset, other, "--format", "json").json
    assert not [f for f in both["findings"] if f["path"].startswith(dataset.name + "/")]
    assert both["summary"]["datasets"][0]["stale_baseline"] == []
    chinese = run("check", dataset, "--format", "json", "--lang", "zh-TW").json
    assert chinese["findings"] == [] and chinese["summary"]["datasets"][0]["stale_baseline"] == []
