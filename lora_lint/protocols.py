"""What plugins hand to lora-lint through the hooks, as typed protocols."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .dataset import Item
    from .plan import Plan
    from .engine import Result
    from .settings import Settings


class DatasetReader(Protocol):
    """Turns a PATH into dataset items (captions with their images).

    A reader of files that are whole datasets (JSONL, shards) may set
    `whole = True`: the file is then checked as a dataset.
    """

    name: str

    def claims(self, path: Path) -> bool:
        """Whether this reader understands `path` (a folder or a file)."""

    def items(self, scope: Path, root: Path, settings: Settings, notes: list[str]) -> Iterator[Item]:
        """The items under `scope`; `root` is the dataset root it belongs to.

        Append a sentence to `notes` for anything passed over.
        """


class Reporter(Protocol):
    """Writes a check's result in one output format."""

    def __call__(self, result: Result, stream: IO[str], options: dict[str, Any]) -> None:
        """Write `result` to `stream`; `options` holds e.g. `color` and `verbose`."""


class PromptStyle(Protocol):
    """Phrases a generated prompt or caption for models of one `caption_style`."""

    name: str  # the caption style it writes: "tags", "hybrid", "natural" or a plugin's
    prose: bool  # whether it wants the prose forms of pool choices
    english_only: bool  # whether it phrases with the recipe's English sentence (no --lang zh-*)

    def phrase(self, subject: str, parts: dict[str, str], sentence: str, tail: tuple[str, ...]) -> str:
        """Join the subject (the anchor in a prompt, the trigger in a caption) and
        the recipe's parts (slot name -> text, in order) into one line.

        `sentence` is the recipe's template (pieces split by `|`, each kept when
        its slots have text); `tail` holds the model's quality tags, empty for
        a caption.
        """


class TrainerConfig(Protocol):
    """Writes a training plan as one trainer's config files."""

    name: str  # the `--write` name: kohya, ai-toolkit...
    title: str

    def files(self, plan: Plan, out: Path) -> dict[str, str]:
        """File name -> text, written by lora-lint into the folder `out` (an
        absolute path, for files that name each other). Raise
        `LoraLintError` when this trainer cannot train the plan (its model,
        its variant)."""
