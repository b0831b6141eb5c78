"""Kind `overlap`: in a multi-concept dataset, each concept keeps to itself.

Two characters trained in one LoRA blend when a folder's captions name the
other one's trigger ("character A looks like B"). Every kohya concept folder
(its own trigger) is checked for the triggers of the others.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

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
    return {"triggers": {}, "words": {}}  # folder -> trigger words; folder -> word counts


def fold(summary: dict, item, caption, rule: ActiveRule) -> None:
    folder = item.folder
    if caption is None or folder.subset != "train" or not folder.trigger:
        return
    summary["triggers"][folder.path] = tuple(words(normalize(folder.trigger)))
    counts = summary["words"].setdefault(folder.path, Counter())
    counts.update(set(words(caption.norm)))


def merge(first: dict, second: dict) -> dict:
    merged_words = {path: Counter(counts) for path, counts in first["words"].items()}
    for path, counts in second["words"].items():
        merged_words.setdefault(path, Counter()).update(counts)
    return {"triggers": {**first["triggers"], **second["triggers"]}, "words": merged_words}


def judge(summary: dict, rule: ActiveRule, where: str) -> Iterator[Finding]:
    triggers = summary["triggers"]
    for folder, counts in sorted(summary["words"].items()):
        own = triggers.get(folder, ())
        for other, trigger in sorted(triggers.items()):
            if other == folder or not trigger or trigger == own or set(trigger) <= set(own):
                continue
            count = min(counts.get(word, 0) for word in trigger)
            if count:
                shown = folder if where == "." else f"{where}/{folder}"
                yield rule.at(shown, rule.text(rule.message, folder=folder, other=" ".join(trigger), count=count))
