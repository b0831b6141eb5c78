"""`rules`, `explain`, `test-pack` and `plugins`."""
from __future__ import annotations


import pytest

from conftest import REPO
from lora_lint.packs import load_knowledge
from lora_lint.plugins import load_plugins
from lora_lint.testing import pack_cases, run_case

BUILTIN_RULES = ["trigger-word", "identity-leak", "missing-field", "vocab-variant", "caption-format", "caption-pairing", "dataset-size"]


def test_rules_lists_every_builtin_rule(run):
    result = run("rules", "--format", "json")
    assert result.code == 0
    listed = {row["rule"]: row for row in __import__("json").loads(result.out)}
    assert set(BUILTIN_RULES) <= set(listed)
    assert listed["identity-leak"]["kind"] == "forbid"
    assert listed["identity-leak"]["fix"] == "remove (unsafe)"
    assert listed["caption-pairing"]["scope"] == "dataset"


@pytest.mark.parametrize("rule", BUILTIN_RULES)
def test_explain_gives_why_and_examples(run, rule):
    result = run("explain", rule)
    assert result.code == 0
    assert "Why it matters for training:" in result.out
    assert "Fix:" in result.out


def test_explain_shows_a_bad_and_a_good_caption(run):
    out = run("explain", "identity-leak").out
    assert "Bad caption:\n  ohwx woman, asian" in out
    assert "Good caption:\n  ohwx woman, front view" in out


def test_explain_unknown_rule_suggests(run):
    result = run("explain", "identity-leek")
    assert result.code == 2 and "did you mean 'identity-leak'?" in result.err


def test_test_pack_passes_on_the_builtin_packs(run):
    result = run("test-pack", REPO / "rules")
    assert result.code == 0, result.out
    assert result.out.strip().endswith("0 failed")


def test_test_pack_fails_when_a_fixture_does_not_hold(run, tmp_path):
    (tmp_path / "mine.lora").write_text(
        'use core\nterms junk.words { "blurry" }\n'
        'rule no-blur {\n kind forbid\n terms junk\n message "{match}"\n bad "ohwx woman, out of focus"\n good "ohwx woman, blurry"\n}\n'
    )
    (tmp_path / "mine.fixtures.yaml").write_text("settings: {lora: character, trigger: ohwx}\ncases:\n  - caption: 'ohwx woman, blurry'\n    spans: {no-blur: [blurry]}\n")
    result = run("test-pack", tmp_path / "mine.lora")
    assert result.code == 1
    assert "1 passed, 2 failed" in result.out
    assert "expected no-blur to fire; it did not" in result.out
    assert "expected no no-blur" in result.out


def test_plugins_lists_the_builtin_plugin(run):
    out = run("plugins").out
    assert out.startswith("builtin\n")
    assert "rule kinds: caption-format, dataset-size, distribution, duplicate-images, duplicates, forbid, image-quality, junk, length, mixing, outfits, overlap, pairing, presence, regularization, require, style-fit, trainer, trigger, variety, video, vocab-variant" in out


def _builtin_cases():
    plugins = load_plugins()
    knowledge = load_knowledge(plugins.packs, [], plugins.kinds)
    for pack in plugins.packs:
        for case in pack_cases(pack, knowledge):
            yield pytest.param(case, id=case.source)


@pytest.mark.parametrize("case", list(_builtin_cases()))
def test_builtin_pack_fixture(case):
    plugins = load_plugins()
    knowledge = load_knowledge(plugins.packs, [], plugins.kinds)
    assert run_case(case, knowledge, plugins) == []


def test_rules_and_explain_include_the_dataset_packs(run, dataset, monkeypatch):
    (dataset / "mine.lora").write_text('use core\nterms junk.words { "blurry" }\nrule no-blur {\n kind forbid\n terms junk\n message "{match}"\n why "Blur is a defect, not a feature."\n}\n')
    (dataset / ".lora-lint.yaml").write_text("lora: character\npacks: [mine.lora]\n")
    assert "no-blur" in run("rules", dataset, "--format", "json").out
    monkeypatch.chdir(dataset)
    page = run("explain", "no-blur")
    assert page.code == 0 and "pack mine, mine.lora:3" in page.out and "Blur is a defect" in page.out
