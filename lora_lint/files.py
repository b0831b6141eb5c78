"""Writing the files lora-lint makes (prompt sets, trainer configs, settings,
baselines): whole or not at all, and never through a link."""
from __future__ import annotations

import contextlib
import os
import tempfile
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
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # a new file, not a link
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    return sorted(files)
