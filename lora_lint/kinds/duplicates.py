"""Kind `duplicates`: the same caption twice in a dataset.

Two images with one caption teach the LoRA that whatever differs between
them is random, and usually one is a copy-paste slip. Captions count as the
same when their words are (case, underscores and punctuation aside).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding, path_key
from ..tokens import WORD

NAME = "duplicates"
SCOPE = "dataset"
PARAMS = {"minor": s.Flag()}
PLACEHOLDERS = ("first", "count")
FIXES: dict[str, bool] = {}


def start() -> dict[bytes, list[str]]:
    return {}


def fold(summary: dict, item, caption, rule: ActiveRule) -> None:
    if caption is None or not caption.segments or not item.images:
        return
    words = " ".join(WORD.findall(caption.norm)).encode()
    key = hashlib.blake2b(words, digest_size=12).digest()  # stable across processes
    summary.setdefault(key, []).append(item.path)


def merge(first: dict, second: dict) -> dict:
    merged = {key: list(paths) for key, paths in first.items()}
    for key, paths in second.items():
        merged.setdefault(key, []).extend(paths)
    return merged


def judge(summary: dict, rule: ActiveRule, where: str) -> Iterator[Finding]:
    for paths in summary.values():
        if len(paths) > 1:
            first, *others = sorted(paths, key=path_key)
            for path in others:
                yield rule.at(path, rule.text(rule.message, first=first, count=len(paths)))
