"""A non-editable install into a fresh venv works from another directory:
the grammar and the built-in packs travel inside the wheel."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest

from conftest import EXAMPLE, REPO


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", str(work / "dist"), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (work / "dist").glob("lora_lint-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(wheel)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"installing the wheel failed: {done.stderr[-2000:]}")
    return wheel, venv


def test_wheel_contains_grammar_and_packs(fresh_venv):
    wheel, _ = fresh_venv
    names = zipfile.ZipFile(wheel).namelist()
    assert "lora_lint/grammars/lora.lark" in names
    assert {"lora_lint/rules/core.lora", "lora_lint/rules/identity.lora", "lora_lint/rules/core.fixtures.yaml"} <= set(names)


def test_installed_wheel_checks_the_example_from_elsewhere(fresh_venv, tmp_path):
    _, venv = fresh_venv
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["LORA_LINT_CACHE_DIR"] = str(tmp_path / "cache")
    done = subprocess.run([str(venv / "bin" / "lora-lint"), "check", str(EXAMPLE), "--format", "json"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert done.returncode == 1, done.stderr
    rules = sorted(f["rule"] for f in json.loads(done.stdout)["findings"])
    assert rules == ["caption-pairing", "identity-leak", "identity-leak", "missing-field", "trigger-word", "vocab-mixing", "vocab-variant"]
    site = next((venv / "lib").glob("python*/site-packages"))
    tested = subprocess.run([str(venv / "bin" / "lora-lint"), "test-pack", str(site / "lora_lint" / "rules")], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_installed_wheel_writes_a_report(fresh_venv, tmp_path):
    wheel, venv = fresh_venv
    assert {"lora_lint/report/page.html.j2", "lora_lint/report/page.css", "lora_lint/report/page.js"} <= set(zipfile.ZipFile(wheel).namelist())
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["LORA_LINT_CACHE_DIR"] = str(tmp_path / "cache")
    done = subprocess.run([str(venv / "bin" / "lora-lint"), "report", str(EXAMPLE), "--out", "report.html"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "Not ready to train" in (tmp_path / "report.html").read_text(encoding="utf-8")
