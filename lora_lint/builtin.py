"""The built-in plugin: packs, rule kinds, reporters and the folder reader.

Registered through the `lora_lint` entry point like any third-party plugin.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import hookimpl
from .resources import data_dir


@hookimpl
def lora_lint_packs() -> list[Path]:
    return sorted(data_dir("rules").glob("*.lora"))


@hookimpl
def lora_lint_rule_kinds() -> list[Any]:
    from .kinds import caption_format, dataset_size, distribution, duplicate_images, duplicates, forbid, image_quality, junk
    from .kinds import length, mixing, outfits, overlap, pairing, presence, regularization, require, style_fit, trainer
    from .kinds import trigger, variety, video, vocab_variant

    return [
        caption_format, dataset_size, distribution, duplicate_images, duplicates, forbid, image_quality, junk,
        length, mixing, outfits, overlap, pairing, presence, regularization, require, style_fit, trainer,
        trigger, variety, video, vocab_variant,
    ]


@hookimpl
def lora_lint_reporters() -> dict[str, Any]:
    from .reporters import as_json, github, junit, sarif, terminal

    return {"json": as_json.report, "rich": terminal.report, "sarif": sarif.report, "github": github.report, "junit": junit.report}


class FolderReader:
    """Caption files and images in a folder tree (or one caption file)."""

    name = "folder"

    def claims(self, path: Path) -> bool:
        return path.is_dir() or path.is_file()

    def items(self, scope: Path, root: Path, settings, notes: list[str]) -> Iterator[Any]:
        from fnmatch import fnmatchcase

        from .dataset import Walk, discover

        walk = Walk()
        video = settings.lora == "video"
        prefix = _below(scope, root)
        items = discover(scope, root, settings.caption_extension, parse_root=settings.path is None, walk=walk, video=video)
        if settings.exclude:
            items = (i for i in items if not any(fnmatchcase(prefix + i.path, pattern) for pattern in settings.exclude))
        yield from items
        for passed, what in ((walk.skipped, "link(s), not followed"), (walk.unnamed, "file(s) or folder(s) whose names are not UTF-8 (rename them to check them)")):
            if passed:
                notes.append(f"skipped {len(passed)} {what}: " + ", ".join(passed[:5]) + (" ..." if len(passed) > 5 else ""))


def _below(scope: Path, root: Path) -> str:
    """`scope` relative to the dataset root, as a prefix of item paths (`img/`)."""
    try:
        relative = scope.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return ""
    folder = relative if scope.is_dir() else relative.rpartition("/")[0]
    return "" if folder in ("", ".") else folder + "/"


@hookimpl
def lora_lint_dataset_readers() -> list[Any]:
    from .readers import JsonlReader, ParquetReader, WebDatasetReader

    return [JsonlReader(), ParquetReader(), WebDatasetReader(), FolderReader()]  # the folder reader takes what is left


@hookimpl
def lora_lint_prompt_styles() -> list[Any]:
    from .prompts.styles import BUILTIN

    return list(BUILTIN)


@hookimpl
def lora_lint_trainer_configs() -> list[Any]:
    from .plan.trainers import BUILTIN

    return list(BUILTIN)
