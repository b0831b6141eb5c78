"""Checking at scale: the map over worker processes gives what one process gives."""
from __future__ import annotations

import shutil
import sys

import pytest
from conftest import EXAMPLE

from lora_lint import engine

sys.path.insert(0, str(EXAMPLE.parent.parent / "benchmarks"))
from bench_check import make_dataset  # noqa: E402  (the benchmark's own generator: planted problems included)


@pytest.fixture
def many(tmp_path):
    """A generated dataset of 240 captions in three kohya folders, plus the
    example's folders (regularization, pairing and image problems)."""
    root = make_dataset(tmp_path / "many", 240, per_folder=100)
    shutil.copytree(EXAMPLE / "img" / "10_ohwx woman", root / "img" / "5_ohwx woman")
    shutil.copytree(EXAMPLE / "reg", root / "reg")
    first = root / "img" / "10_ohwx woman" / "0000000.txt"
    shutil.copy(first, root / "img" / "11_ohwx woman" / "copy.txt")  # a duplicate caption, in another chunk
    shutil.copy(first.with_suffix(".png"), root / "img" / "11_ohwx woman" / "copy.png")
    return root


def test_jobs_give_byte_for_byte_the_same_output(run, many, monkeypatch):
    monkeypatch.setattr(engine, "CHUNK", 7)  # many chunks, so every dataset rule merges summaries
    one = run("check", many, "--format", "json", "--jobs", "1")
    two = run("check", many, "--format", "json", "--jobs", "2")
    three = run("check", many, "--format", "json", "--jobs", "3")
    assert one.code == two.code == three.code == 1
    assert one.out == two.out == three.out
    rules = {f["rule"] for f in one.json["findings"]}
    assert {"identity-leak", "trigger-word", "duplicate-caption", "regularization", "clothing-repeat"} <= rules


def test_chunks_give_the_same_output_as_one_chunk(run, many, monkeypatch):
    whole = run("check", many, "--format", "json", "--jobs", "1").out
    monkeypatch.setattr(engine, "CHUNK", 5)
    assert run("check", many, "--format", "json", "--jobs", "1").out == whole


def test_a_bad_jobs_count_is_a_usage_error(run_process, many):
    done = run_process("check", many, "--jobs", "0")
    assert done.code == 2 and "--jobs: takes a whole number of at least 1" in done.err
