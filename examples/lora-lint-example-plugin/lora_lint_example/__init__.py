"""An example lora-lint plugin: one rule pack and one rule kind."""
from pathlib import Path

import lora_lint

from . import max_tags


@lora_lint.hookimpl
def lora_lint_packs():
    return [Path(__file__).with_name("example.lora")]


@lora_lint.hookimpl
def lora_lint_rule_kinds():
    return [max_tags]
