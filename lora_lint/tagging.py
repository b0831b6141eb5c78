"""`lora-lint tags`: tagger output -> captions ready to train on.

Tagger output comes as users have it, beside each image: kohya's WD14
`<stem>.txt` (tags, no confidences), `<stem>.json` (`{"tag": 0.93, ...}`,
the same split by category as `{"general": {...}, "character": {...},
"rating": {...}}`, or a list of `{"tag"|"name"|"label", "score"|"confidence"|
"probability", "category"}`), or `<stem>.csv` with a header naming the tag,
confidence and optional category columns. Tags below the general or
character threshold, rating tags and undesired tags are dropped, character
tags are kept for a character LoRA and dropped for a style LoRA (the domain
reference's advice), underscores become spaces, and the result is written
as `<stem>.txt`. With `--tagger`, a tagger plugin (`wd14`) tags the images
that have no output yet. `lora-lint fix` then puts the trigger first and,
with `--unsafe-fixes`, removes what the LoRA should bind.
"""
from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .dataset import IMAGE_EXTENSIONS
from .errors import LoraLintError

TAG_KEYS = ("tag", "name", "label")
SCORE_KEYS = ("score", "confidence", "probability", "prob")
_KAOMOJI_KEEP = 3  # WD14 keeps underscores in tags this short (^_^, >_<)


@dataclass(frozen=True)
class Tag:
    """A tagger's tag, its confidence (None when not given) and category."""

    name: str
    score: float | None = None
    category: str = "general"


def read_tags(path: Path) -> list[Tag]:
    """Tags from one tagger output file; `LoraLintError` names a broken one."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise LoraLintError(f"cannot read tagger output: {error}", str(path)) from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            tags = _from_json(json.loads(text))
        elif suffix == ".csv":
            tags = _from_csv(text)
        else:
            tags = [Tag(t.strip()) for t in text.split("\n", 1)[0].split(",") if t.strip()]
    except (ValueError, KeyError, TypeError, AttributeError, StopIteration) as error:
        raise LoraLintError(f"not tagger output this reads ({type(error).__name__}: {error})", str(path)) from None
    if not all(isinstance(t.name, str) for t in tags):
        raise LoraLintError("not tagger output this reads: a tag is not a text", str(path))
    return tags


def _from_json(data) -> list[Tag]:
    if isinstance(data, dict) and data and all(isinstance(v, dict) for v in data.values()):
        return [Tag(name, float(score), category.lower()) for category, tags in data.items() for name, score in tags.items()]
    if isinstance(data, dict):
        return [Tag(name, float(score)) for name, score in data.items()]
    if isinstance(data, list):
        tags = []
        for entry in data:
            name = next((entry[k] for k in TAG_KEYS if k in entry), None)
            if name is None:
                raise ValueError(f"an entry without a tag name ({', '.join(TAG_KEYS)})")
            score = next((float(entry[k]) for k in SCORE_KEYS if k in entry), None)
            tags.append(Tag(name, score, str(entry.get("category", "general")).lower()))
        return tags
    raise ValueError("expected an object or a list")


def _from_csv(text: str) -> list[Tag]:
    rows = list(csv.DictReader(text.splitlines()))
    if not rows:
        return []
    columns = {k.lower().strip(): k for k in rows[0]}
    tag = next((columns[k] for k in TAG_KEYS if k in columns), None)
    if tag is None:
        raise ValueError(f"no tag column ({', '.join(TAG_KEYS)})")
    score = next((columns[k] for k in SCORE_KEYS if k in columns), None)
    category = columns.get("category")
    # with a score column, a row without a score is a tag of no confidence
    return [Tag(row[tag], (float(row[score]) if row[score] else 0.0) if score else None, (row[category] if category else "general").lower()) for row in rows]


def is_character(tag: Tag) -> bool:
    """A character tag: so categorised, or Danbooru's `name_(series)` form."""
    return tag.category == "character" or (tag.name.endswith(")") and "_(" in tag.name)


def caption_from(tags: list[Tag], general: float, character: float, undesired: set[str], keep_characters: bool, first: tuple[str, ...] = ()) -> str:
    """The caption a tagger's tags make: the `first` tags that are there, then
    the other kept tags, best first; spaces for underscores."""
    kept, seen = [], set()
    for tag in sorted(tags, key=lambda t: -(t.score if t.score is not None else 1.0)):
        key = tag.name.replace("_", " ").strip().lower()
        if tag.category in ("rating", "meta", "quality") or key in undesired or key in seen:
            continue
        if is_character(tag):
            if not keep_characters or (tag.score is not None and tag.score < character):
                continue
        elif tag.score is not None and tag.score < general:
            continue
        seen.add(key)
        kept.append(tag.name if len(tag.name) <= _KAOMOJI_KEEP else tag.name.replace("_", " "))
    order = {name.replace("_", " ").lower(): i for i, name in enumerate(first)}
    kept.sort(key=lambda name: order.get(name.lower(), len(order)))  # stable: the rest keep their order
    return ", ".join(kept)


def tagger_files(scope: Path, txt: bool = False) -> list[tuple[Path, Path | None]]:
    """(image, its tagger output or None) under `scope`, json before csv (and,
    with `txt`, before a WD14 `.txt`). Linked files are passed over."""
    found: list[tuple[Path, Path | None]] = []
    for folder, dirs, files in os.walk(scope):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        names = set(files)
        for name in sorted(files):
            stem, suffix = os.path.splitext(name)
            if suffix.lower() not in IMAGE_EXTENSIONS:
                continue
            if os.path.islink(os.path.join(folder, name)):
                continue
            kinds = (".json", ".csv", ".txt") if txt else (".json", ".csv")
            source = next((Path(folder) / (stem + ext) for ext in kinds if stem + ext in names and not os.path.islink(os.path.join(folder, stem + ext))), None)
            found.append((Path(folder) / name, source))
    return found
