"""Where the shipped grammar and built-in packs are, and where caches go.

In a wheel, `grammars/` and `rules/` are installed inside the package; in a
source checkout (editable install) they stay at the repository root.
"""
from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The shipped folder `name` (`grammars` or `rules`)."""
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


def grammar_path() -> Path:
    """The Lark grammar of the rule-pack language."""
    return data_dir("grammars") / "lora.lark"


def cache_dir() -> Path | None:
    """A writable folder for compiled grammar and packs, or None to cache nothing.

    `LORA_LINT_CACHE_DIR` chooses it (empty disables caching); otherwise
    `$XDG_CACHE_HOME/lora-lint` or `~/.cache/lora-lint`.
    """
    chosen = os.environ.get("LORA_LINT_CACHE_DIR")
    if chosen == "":
        return None
    if chosen:
        folder = Path(chosen)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        folder = Path(base) / "lora-lint"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None
