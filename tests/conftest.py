"""Shared fixtures: the CLI in-process and as a real process, example datasets."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from lora_lint.cli import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "character-dataset"
FOLDER = "img/10_ohwx woman"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Each test session caches compiled packs in its own folder."""
    monkeypatch.setenv("LORA_LINT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


@pytest.fixture
def run(capsys):
    """Run `lora-lint ARGS` in this process; returns exit code and output."""

    def invoke(*args: str) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def run_process():
    """Run the installed `lora-lint` console script as a real process."""

    def invoke(*args: str, cwd: Path | None = None, env: dict | None = None) -> Run:
        script = Path(sys.executable).with_name("lora-lint")
        done = subprocess.run([str(script), *map(str, args)], capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})})
        return Run(done.returncode, done.stdout, done.stderr)

    return invoke


@pytest.fixture
def dataset(tmp_path) -> Path:
    """A copy of the shipped example character dataset (with its planted problems)."""
    target = tmp_path / "character-dataset"
    shutil.copytree(EXAMPLE, target)
    return target


def clean(dataset: Path) -> Path:
    """Fix the example dataset's planted problems by hand."""
    folder = dataset / FOLDER
    (folder / "003.txt").write_text("ohwx woman, three quarter view, winking, peace sign, graphic tee, park background, golden hour\n")
    text = (folder / "007.txt").read_text()
    (folder / "007.txt").write_text("ohwx woman, " + text)
    (folder / "012.txt").write_text("ohwx woman, upper body, arms crossed, shy expression, looking away, sundress, beach, sunlight\n")
    (folder / "020.txt").write_text("ohwx woman, full body, jumping, excited expression, looking up, yoga outfit, white background, natural lighting\n")
    (folder / "024.txt").write_text((folder / "024.txt").read_text().replace("laugh,", "laughing,"))
    return dataset


def with_pack(dataset: Path, name: str, text: str) -> Path:
    """Write a rule pack into the dataset and name it in its settings."""
    pack = dataset / name
    pack.write_text(text, encoding="utf-8")
    settings = dataset / ".lora-lint.yaml"
    settings.write_text(settings.read_text() + f"packs: [{name}]\n")
    return pack
