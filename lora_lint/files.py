"""Writing the files lora-lint makes (prompt sets, trainer configs): whole or not at all."""
from __future__ import annotations

import os
from pathlib import Path

from .errors import LoraLintError


def write_texts(files: dict[Path, str], replace: bool = True) -> list[Path]:
    """Write each text to its path through a temporary file, never through a
    link; with `replace` off, a file that exists already stops the run
    before anything is written."""
    for path in files:
        if path.is_symlink():
            raise LoraLintError("is a link: not written", str(path))
        if not replace and path.exists():
            raise LoraLintError("exists already: --force replaces it", str(path))
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(text, encoding="utf-8", newline="\n")
        os.replace(temporary, path)
    return sorted(files)
