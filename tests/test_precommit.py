"""The pre-commit hook definition: a dataset hook, not a per-file one."""
from __future__ import annotations

import re

import yaml

from conftest import REPO


def test_hook_checks_the_whole_dataset():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "lora-lint"
    assert hook["entry"] == "lora-lint check" and hook["args"] == ["."]
    assert hook["pass_filenames"] is False
    trigger = re.compile(hook["files"])
    for changed in ("img/10_ohwx woman/001.txt", "img/a.png", "x.JPG".lower(), ".lora-lint.yaml", "my.lora"):
        assert trigger.search(changed), changed
    assert not trigger.search("README.md")
