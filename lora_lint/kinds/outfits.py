"""Kind `outfits`: every image in its own outfit, and enough outfits.

Clothing that repeats is clothing the LoRA binds to the character: the
domain rule is that no two images share an outfit, and a 30-image set wants
8-10 or more. An outfit is what a caption's clothing terms say, each with
the two words before it in its tag (`white t-shirt`, `casual gray hoodie`),
so a white and a black t-shirt are different outfits.
"""
from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding, path_key
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
    # (concept, outfit) -> item ordinals; concept -> captioned images; concept -> its first folder.
    # A concept is a trigger (its kohya folders together), or "." when folders name none.
    return {"outfits": {}, "images": {}, "folders": {}}


def fold(summary: dict, item, caption, rule: ActiveRule) -> None:
    if caption is None or not item.images:
        return
    concept = item.folder.trigger or "."
    summary["images"][concept] = summary["images"].get(concept, 0) + 1
    if concept not in summary["folders"] or item.folder.path < summary["folders"][concept]:
        summary["folders"][concept] = item.folder.path
    worn = outfit(caption, _clothing(rule))
    if worn:
        summary["outfits"].setdefault((concept, worn), array("q")).append(item.ordinal)


def merge(first: dict, second: dict) -> dict:
    outfits = dict(first["outfits"])
    for key, ordinals in second["outfits"].items():
        outfits[key] = outfits[key] + ordinals if key in outfits else ordinals
    images = dict(first["images"])
    for concept, count in second["images"].items():
        images[concept] = images.get(concept, 0) + count
    folders = dict(first["folders"])
    for concept, folder in second["folders"].items():
        folders[concept] = min(folders.get(concept, folder), folder)
    return {"outfits": outfits, "images": images, "folders": folders}


SHOWN = 50  # outfits a measure lists per concept, most worn first (a big set has as many as images)


def measure(summary: dict, rule: ActiveRule) -> dict:
    """Per concept: its captioned images, its distinct outfits and the outfits
    needed, and the most worn outfits with the images wearing each (one pass
    over the outfits, a small heap per concept: a big set has about as many
    outfits as images)."""
    share = rule.params.get("distinct")
    distinct = _distinct(summary)
    most: dict[str, list] = {}  # concept -> heap of its SHOWN most worn (the least worn on top)
    for (concept, worn), ordinals in summary["outfits"].items():
        heap = most.setdefault(concept, [])
        entry = (len(ordinals), _Reversed(worn))  # more images first, then the outfit in order
        if len(heap) < SHOWN:
            heapq.heappush(heap, entry)
        elif heap[0] < entry:
            heapq.heapreplace(heap, entry)
    concepts = {}
    for concept, images in sorted(summary["images"].items()):
        shown = sorted(most.get(concept, ()), reverse=True)
        concepts[concept] = {
            "images": images,
            "needed": math.ceil(images * share[0] / 100) if share else None,
            "distinct": distinct.get(concept, 0),
            "outfits": [{"outfit": ", ".join(worn.value), "count": count} for count, worn in shown],
        }
    return {"concepts": concepts}


def _distinct(summary: dict) -> dict[str, int]:
    """Concept -> its distinct outfits (one pass over every outfit)."""
    distinct: dict[str, int] = {}
    for concept, _ in summary["outfits"]:
        distinct[concept] = distinct.get(concept, 0) + 1
    return distinct


class _Reversed:
    """An outfit that sorts backwards: in a heap of (count, outfit) the
    earlier outfit of two equally worn ones counts as the larger."""

    __slots__ = ("value",)

    def __init__(self, value: tuple[str, ...]) -> None:
        self.value = value

    def __lt__(self, other: _Reversed) -> bool:
        return self.value > other.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.value == other.value


def _paths(groups: list[tuple[str, array]], paths) -> Iterator[tuple[int, str]]:
    """(group, path) of every item of the groups, in item order: one pass over
    the path table (groups that each span the whole dataset would otherwise
    open every record of it once per group), the groups' items marked in one
    array rather than held in an iterator per group."""
    size = 1 + max((max(members) for _, members in groups), default=-1)
    owner = array("q", [-1]) * size
    for group, (_, members) in enumerate(groups):
        for ordinal in members:
            owner[ordinal] = group
    for ordinal, path in paths.walk(o for o in range(size) if owner[o] >= 0):
        yield owner[ordinal], path


def judge(summary: dict, rule: ActiveRule, where: str) -> Iterator[Finding]:
    """Repeats within each concept (two characters may share a look), and
    too few outfits per concept."""
    repeated = [(", ".join(worn), ordinals) for (_, worn), ordinals in sorted(summary["outfits"].items()) if len(ordinals) > 1]
    firsts: dict[int, str] = {}  # group -> its first path, in path order
    for group, path in _paths(repeated, rule.context["paths"]):
        if group not in firsts or path_key(path) < path_key(firsts[group]):
            firsts[group] = path
    messages: dict[int, str] = {}  # a group's message, the same for each of its items
    for group, path in _paths(repeated, rule.context["paths"]):
        if path != firsts[group]:
            if group not in messages:
                worn, ordinals = repeated[group]
                messages[group] = rule.case_message("repeated", outfit=worn, first=firsts[group], count=len(ordinals))
            yield rule.at(path, messages[group])
    share = rule.params.get("distinct")
    prefix = "" if where == "." else where + "/"
    counted = _distinct(summary)
    for concept, images in sorted(summary["images"].items()):
        if not share or images < rule.params.get("min_images", 10):
            continue
        needed = math.ceil(images * share[0] / 100)
        distinct = counted.get(concept, 0)
        if distinct < needed:
            shown = where if concept == "." or len(summary["images"]) == 1 else prefix + summary["folders"][concept]
            yield rule.at(shown, rule.case_message("few", count=distinct, images=images, needed=needed))
