"""Kind `duplicates`: the same caption twice in a dataset.

Two images with one caption teach the LoRA that whatever differs between
them is random, and usually one is a copy-paste slip. Captions count as the
same when their words are (case, underscores and punctuation aside); a
summary holds a hash and an item number per caption, so a million captions
fold into a few megabytes.
"""
from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding, path_key
from ..hashes import equal_groups
from ..tokens import WORD

NAME = "duplicates"
SCOPE = "dataset"
PARAMS = {"minor": s.Flag()}
PLACEHOLDERS = ("first", "count")
FIXES: dict[str, bool] = {}


def start() -> tuple[array, array]:
    return array("Q"), array("q")  # each caption's 64-bit hash, and its item's ordinal


def fold(summary: tuple[array, array], item, caption, rule: ActiveRule) -> None:
    if caption is None or not caption.segments or not item.images:
        return
    words = " ".join(WORD.findall(caption.norm)).encode()
    summary[0].append(int.from_bytes(hashlib.blake2b(words, digest_size=8).digest(), "big"))  # stable across processes
    summary[1].append(item.ordinal)


def merge(first: tuple[array, array], second: tuple[array, array]) -> tuple[array, array]:
    return first[0] + second[0], first[1] + second[1]


def judge(summary: tuple[array, array], rule: ActiveRule, where: str) -> Iterator[Finding]:
    hashes, ordinals = summary
    paths = rule.context["paths"]
    for group in equal_groups(hashes):
        first, *others = sorted((paths.item(ordinals[i]) for i in group), key=path_key)
        message = rule.text(rule.message, first=first, count=len(group))  # the same for the group's every copy
        for path in others:
            yield rule.at(path, message)
