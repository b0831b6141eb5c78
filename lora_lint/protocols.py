"""What plugins hand to lora-lint through the hooks, as typed protocols."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .dataset import Item
    from .engine import Result
    from .settings import Settings


class DatasetReader(Protocol):
    """Turns a PATH into dataset items (captions with their images)."""

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
    """Phrases the parts of a training prompt for a family of models."""

    name: str
    caption_styles: tuple[str, ...]  # "tags", "hybrid" and/or "natural"

    def phrase(self, parts: dict[str, list[str]], model: Any) -> str:
        """Join prompt parts (field name -> terms, in order) into one prompt."""
