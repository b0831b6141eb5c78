"""Kind `outfits`: every image in its own outfit, and enough outfits.

Clothing that repeats is clothing the LoRA binds to the character: the
domain rule is that no two images share an outfit, and a 30-image set wants
8-10 or more. An outfit is what a caption's clothing terms say, each with
the two words before it in its tag (`white t-shirt`, `casual gray hoodie`),
so a white and a black t-shirt are different outfits.
"""
from __future__ import annotations

import math
from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding
from ..tokens import WORD

NAME = "outfits"
SCOPE = "dataset"
CASES = ("repeated", "few")
PARAMS = {
    "clothing": s.required(s.Selectors()),
    "distinct": s.Span(unit="%"),  # distinct outfits as a share of captioned images
    "min_images": s.Number(integer=True),  # judge "few" only from this many images
    "messages": s.Messages(CASES),
}
PLACEHOLDERS = ("outfit", "first", "count", "images", "needed")
FIXES: dict[str, bool] = {}


def _clothing(rule: ActiveRule) -> frozenset[int]:
    if "ids" not in rule.memo:
        knowledge = rule.knowledge
        rule.memo["ids"] = knowledge.sense_ids(knowledge.select(rule.params["clothing"]))
    return rule.memo["ids"]


def outfit(caption, clothing: frozenset[int]) -> tuple[str, ...]:
    """The caption's clothing phrases, sorted: what it says the subject wears."""
    pieces = []
    for hit in caption.hits:
        if clothing.isdisjoint(hit.senses):
            continue
        seg_start, _ = caption.segment_of(hit.start)
        before = WORD.findall(caption.norm[seg_start : hit.start])[-2:]
        pieces.append(" ".join([*before, hit.key]))
    return tuple(sorted(set(pieces)))


def start() -> dict:
    return {"outfits": {}, "images": 0}


def fold(summary: dict, item, caption, rule: ActiveRule) -> None:
    if caption is None or not item.images:
        return
    summary["images"] += 1
    worn = outfit(caption, _clothing(rule))
    if worn:
        summary["outfits"].setdefault(worn, []).append(item.path)


def merge(first: dict, second: dict) -> dict:
    outfits = {key: list(paths) for key, paths in first["outfits"].items()}
    for key, paths in second["outfits"].items():
        outfits.setdefault(key, []).extend(paths)
    return {"outfits": outfits, "images": first["images"] + second["images"]}


def judge(summary: dict, rule: ActiveRule, where: str) -> Iterator[Finding]:
    for worn, paths in sorted(summary["outfits"].items()):
        if len(paths) > 1:
            first, *others = sorted(paths)
            for path in others:
                yield rule.at(path, rule.case_message("repeated", outfit=", ".join(worn), first=first, count=len(paths)))
    images = summary["images"]
    share = rule.params.get("distinct")
    if share and images >= rule.params.get("min_images", 10):
        needed = math.ceil(images * share[0] / 100)
        if len(summary["outfits"]) < needed:
            yield rule.at(where, rule.case_message("few", count=len(summary["outfits"]), images=images, needed=needed))
