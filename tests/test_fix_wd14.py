"""The fix workflow on raw WD14 tagger output: after `fix --unsafe-fixes`,
`check` finds nothing a fix could resolve, and fixing again changes no byte."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from conftest import REPO

spec = importlib.util.spec_from_file_location("materialize", REPO / "tests" / "eval" / "materialize.py")
materialize = importlib.util.module_from_spec(spec)
spec.loader.exec_module(materialize)


def snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*.txt")}


def test_raw_wd14_dataset_is_left_with_nothing_fixable(run, tmp_path):
    root = materialize.materialize(REPO / "tests" / "eval" / "datasets" / "wd14-raw", tmp_path / "wd14")
    before = snapshot(root)
    run("fix", root, "--unsafe-fixes", "--diff")
    assert snapshot(root) == before  # --diff changes no byte
    run("fix", root, "--unsafe-fixes")
    assert snapshot(root) != before
    left = run("check", root, "--format", "json").json["findings"]
    fixable = {row["rule"] for row in json.loads(run("rules", "--format", "json").out) if row["fix"] != "-"}
    assert {"identity-leak", "junk-tags", "trigger-word", "vocab-variant", "caption-format", "caption-style"} <= fixable
    assert [f for f in left if f["rule"] in fixable] == []  # no finding of a fixable rule
    fixed = snapshot(root)
    run("fix", root, "--unsafe-fixes")
    assert snapshot(root) == fixed  # a second fix changes no byte
