"""The hooks lora-lint calls. Built-ins implement them exactly as plugins do.

A plugin is a module or object with `@lora_lint.hookimpl` functions, made
known through the `lora_lint` entry-point group.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .protocols import DatasetReader, PromptStyle, Reporter, TrainerConfig

hookspec = pluggy.HookspecMarker("lora_lint")


@hookspec
def lora_lint_packs() -> list[Path]:
    """Rule-pack files (`.lora`) this plugin ships; all of them are loaded."""


@hookspec
def lora_lint_rule_kinds() -> list[Any]:
    """Rule kinds (modules or objects, see `lora_lint.kinds`) packs can name."""


@hookspec
def lora_lint_reporters() -> dict[str, Reporter]:
    """Output formats: `--format` name -> reporter."""


@hookspec
def lora_lint_dataset_readers() -> list[DatasetReader]:
    """Readers that turn a PATH into dataset items; the first that claims a PATH reads it."""


@hookspec
def lora_lint_taggers() -> dict[str, Any]:
    """Image taggers for `lora-lint tags --tagger NAME`: name -> a factory taking
    an optional model folder and returning an object whose `tag(path)` gives
    `lora_lint.tagging.Tag`s with confidences."""


@hookspec
def lora_lint_prompt_styles() -> list[PromptStyle]:
    """Prompt styles that phrase generated prompts for a family of models."""


@hookspec
def lora_lint_trainer_configs() -> list[TrainerConfig]:
    """Trainer config writers for `lora-lint plan --write NAME`."""
