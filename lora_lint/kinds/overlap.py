"""Kind `overlap`: in a multi-concept dataset, each concept keeps to itself.

Two characters trained in one LoRA blend when a folder's captions name the
other one's trigger ("character A looks like B"). Every kohya concept folder
(its own trigger) is checked for the triggers of the others.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding
from ..tokens import normalize, words

NAME = "overlap"
SCOPE = "dataset"
PARAMS = {"minor": s.Flag()}
PLACEHOLDERS = ("folder", "other", "count")
FIXES: dict[str, bool] = {}


def start() -> dict:
    # a concept's trigger words -> the folders that train it, and how many of their captions hold each word
    return {"folders": {}, "words": {}}


def fold(summary: dict, item, caption, rule: ActiveRule) -> None:
    folder = item.folder
    if caption is None or folder.subset != "train" or not folder.trigger:
        return
    trigger = _trigger_words(folder.trigger)
    if trigger not in summary["words"]:
        summary["folders"][trigger], summary["words"][trigger] = set(), Counter()
    summary["folders"][trigger].add(folder.path)
    summary["words"][trigger].update({w for segment in caption.segment_words for w, _, _ in segment})


@lru_cache(maxsize=1024)
def _trigger_words(trigger: str) -> tuple[str, ...]:
    return tuple(words(normalize(trigger)))


def merge(first: dict, second: dict) -> dict:
    folders = {trigger: set(paths) for trigger, paths in first["folders"].items()}
    merged_words = {trigger: Counter(counts) for trigger, counts in first["words"].items()}
    for trigger, paths in second["folders"].items():
        folders.setdefault(trigger, set()).update(paths)
    for trigger, counts in second["words"].items():
        merged_words.setdefault(trigger, Counter()).update(counts)
    return {"folders": folders, "words": merged_words}


def judge(summary: dict, rule: ActiveRule, where: str) -> Iterator[Finding]:
    """Each concept (its folders, counted together: a summary per concept, not
    per folder) against the triggers of the others."""
    for own, counts in sorted(summary["words"].items()):
        folder = ", ".join(sorted(summary["folders"][own]))
        for trigger in sorted(summary["words"]):
            if trigger == own or set(trigger) <= set(own):
                continue
            count = min(counts.get(word, 0) for word in trigger)
            if count:
                first = min(summary["folders"][own])
                shown = first if where == "." else f"{where}/{first}"
                yield rule.at(shown, rule.text(rule.message, folder=folder, other=" ".join(trigger), count=count))
