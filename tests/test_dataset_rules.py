"""Dataset rules: folded per subset, judged once, mergeable summaries."""
from __future__ import annotations


import pytest

from conftest import FOLDER
from lora_lint.dataset import Folder, Item
from lora_lint.kinds import dataset_size, pairing


def test_a_dataset_rule_conditioned_on_the_training_subset_still_judges(run, dataset):
    folder = dataset / FOLDER
    for path in sorted(folder.iterdir())[:40]:
        path.unlink()
    (dataset / "mine.lora").write_text("use core\noverride rule dataset-size { when subset train }\n")
    (dataset / ".lora-lint.yaml").write_text("lora: character\npacks: [mine.lora]\n")
    findings = run("check", dataset, "--format", "json", "--select", "dataset-size").json["findings"]
    assert len(findings) == 1 and "needs at least 15" in findings[0]["message"]


def test_an_empty_dataset_is_judged_too(run, tmp_path):
    (tmp_path / ".lora-lint.yaml").write_text("lora: character\n")
    findings = run("check", tmp_path, "--format", "json", "--select", "dataset-size").json["findings"]
    assert [f["message"] for f in findings] == ["0 training images: a character LoRA needs at least 15"]


def _items(count: int) -> list[Item]:
    folder = Folder("img")
    items = []
    for index in range(count):
        caption = None if index % 3 == 0 else f"/d/{index}.txt"
        images = () if index % 5 == 0 else (f"/d/{index}.png",) * (1 + (index % 7 == 1))
        items.append(Item(f"img/{index}", caption, images, folder))
    return items


@pytest.mark.parametrize("kind", [pairing, dataset_size])
def test_folding_halves_and_merging_equals_folding_all(kind):
    items = _items(40)
    whole = kind.start()
    for item in items:
        kind.fold(whole, item, None, None)
    left, right = kind.start(), kind.start()
    for item in items[:17]:
        kind.fold(left, item, None, None)
    for item in items[17:]:
        kind.fold(right, item, None, None)
    assert kind.merge(left, right) == whole


def test_a_measure_that_fails_is_a_note_and_the_findings_stand(run, dataset, monkeypatch):
    from lora_lint.kinds import variety

    before = run("check", dataset, "--format", "json")
    for broken in (lambda summary, rule: 1 / 0, lambda summary, rule: {"terms": {"a set"}}):  # raises; not JSON
        monkeypatch.setattr(variety, "measure", broken)
        after = run("check", dataset, "--format", "json", "--no-cache")
        assert after.code == before.code == 1
        assert after.json["findings"] == before.json["findings"]
        summary = after.json["summary"]["datasets"][0]
        assert "variety" not in summary["measures"] and "distribution" in summary["measures"]
        assert any(note.startswith("rule 'variety' (kind 'variety') could not measure: ") for note in summary["notes"])
