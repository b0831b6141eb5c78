"""The pre-commit hooks, for real: PyPI's `pre-commit` installs this
repository's hooks into a dataset repository and runs them on commits."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLE, FOLDER, REPO, clean

HOOKS = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


def test_hooks_check_the_whole_dataset():
    assert set(HOOKS) == {"lora-lint", "lora-lint-fix"}
    assert HOOKS["lora-lint"]["entry"] == "lora-lint check" and HOOKS["lora-lint-fix"]["entry"] == "lora-lint fix"
    for hook in HOOKS.values():
        assert hook["pass_filenames"] is False and hook["args"][0] == "."
        trigger = re.compile(hook["files"])
        for changed in ("img/10_ohwx woman/001.txt", "img/a.png", "x.jpg", ".lora-lint.yaml", "my.lora"):
            assert trigger.search(changed), changed
        assert not trigger.search("README.md")


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory) -> tuple[Path, str]:
    """This repository's files as committed source for pre-commit to install
    (a copy, so uncommitted work is what is tested)."""
    target = tmp_path_factory.mktemp("hooks") / "lora-lint"
    ignore = shutil.ignore_patterns(".git", ".venv*", "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache", ".lora-lint-cache", "*.egg-info", "build", "dist")
    shutil.copytree(REPO, target, ignore=ignore)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "hooks")
    return target, _git(target, "rev-parse", "HEAD").stdout.strip()


def _dataset_repo(tmp_path: Path, hooks_repo, hook_ids: list[str]) -> Path:
    repo = tmp_path / "dataset-repo"
    shutil.copytree(EXAMPLE, repo)
    source, rev = hooks_repo
    config = {"repos": [{"repo": str(source), "rev": rev, "hooks": [{"id": hook} for hook in hook_ids]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    _git(repo, "init", "-q")
    done = subprocess.run([str(PRE_COMMIT), "install"], cwd=repo, capture_output=True, text=True, env=_env(tmp_path))
    assert done.returncode == 0, done.stderr
    return repo


def _env(tmp_path: Path) -> dict:
    home = tmp_path.parent / "pre-commit-home"  # hook environments, shared by the module's tests
    return {**os.environ, "PRE_COMMIT_HOME": str(home), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def _commit(repo: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**_env(tmp_path), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    return subprocess.run(["git", "commit", "-m", "captions"], cwd=repo, capture_output=True, text=True, env=env)


@pytest.mark.skipif(not PRE_COMMIT.exists() or shutil.which("git") is None, reason="needs pre-commit (the test extra) and git")
def test_a_commit_with_an_identity_leak_is_blocked_then_accepted_once_fixed(tmp_path, hooks_repo):
    repo = _dataset_repo(tmp_path, hooks_repo, ["lora-lint"])
    clean(repo)
    (repo / FOLDER / "003.txt").write_text("ohwx woman, blonde hair, three quarter view, winking, peace sign, graphic tee, park background, golden hour\n")
    blocked = _commit(repo, tmp_path)
    assert blocked.returncode != 0, blocked.stdout + blocked.stderr
    output = blocked.stdout + blocked.stderr
    assert "identity-leak" in output and "blonde hair" in output
    assert _git(repo, "rev-parse", "--verify", "HEAD").returncode != 0  # nothing was committed
    (repo / FOLDER / "003.txt").write_text("ohwx woman, three quarter view, winking, peace sign, graphic tee, park background, golden hour\n")
    accepted = _commit(repo, tmp_path)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "Passed" in accepted.stdout + accepted.stderr


@pytest.mark.skipif(not PRE_COMMIT.exists() or shutil.which("git") is None, reason="needs pre-commit (the test extra) and git")
def test_the_fix_hook_repairs_a_caption_and_the_next_commit_passes(tmp_path, hooks_repo):
    repo = _dataset_repo(tmp_path, hooks_repo, ["lora-lint-fix", "lora-lint"])
    clean(repo)
    caption = repo / FOLDER / "007.txt"
    caption.write_text(caption.read_text().replace("ohwx woman, ", ""))  # the trigger missing: a safe fix puts it back
    stopped = _commit(repo, tmp_path)
    assert stopped.returncode != 0 and "files were modified by this hook" in stopped.stdout + stopped.stderr, stopped.stderr
    assert caption.read_text().startswith("ohwx")
    passed = _commit(repo, tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
