"""Kind `duplicate-images`: the same picture twice, or nearly.

A duplicated image is trained twice as often as the others, and what is in
it is overlearned; near-duplicates (a resize, a recompression, a crop of a
few pixels) do the same. Identical files are found by their bytes, near ones
by a 64-bit difference hash of the pixels within `distance` bits; candidate
pairs are found by hash bands, so large datasets are not compared pair by pair.
"""
from __future__ import annotations

from array import array
from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding, path_key
from ..hashes import equal_groups, near_pairs

NAME = "duplicate-images"
SCOPE = "dataset"
NEEDS_IMAGES = True
CASES = ("identical", "similar")
PARAMS = {"distance": s.Number(integer=True), "messages": s.Messages(CASES)}
PLACEHOLDERS = ("first", "bits")
FIXES: dict[str, bool] = {}
MAX_DISTANCE = 7  # near copies differ by a few bits; past 7 unrelated pictures start to match


def start() -> dict[str, array]:
    # per image: its item's ordinal, its place among the item's images, its bytes' and pixels' hashes
    return {"ordinal": array("q"), "index": array("H"), "digest": array("Q"), "dhash": array("Q"), "hashed": array("B")}


def fold(summary: dict, item, caption, rule: ActiveRule) -> None:
    store = rule.context.get("images")
    if store is None or item.folder.subset != "train" or item.media != "image":  # frames of a clip are alike
        return
    for index, path in enumerate(item.images):
        facts = store.facts(path)
        if not facts.error and facts.digest:  # a size from a JSONL line has nothing to compare
            summary["ordinal"].append(item.ordinal)
            summary["index"].append(index)
            summary["digest"].append(int(facts.digest[:16], 16))
            summary["dhash"].append(facts.dhash or 0)
            summary["hashed"].append(facts.dhash is not None)


def merge(first: dict, second: dict) -> dict:
    return {name: first[name] + second[name] for name in first}


def judge(summary: dict, rule: ActiveRule, where: str) -> Iterator[Finding]:
    paths = rule.context["paths"]

    def shown(entry: int) -> str:
        return paths.image(summary["ordinal"][entry], summary["index"][entry])

    reported: set[int] = set()
    for group in equal_groups(summary["digest"]):
        first, *others = sorted(group, key=lambda entry: path_key(shown(entry)))
        message = rule.case_message("identical", first=shown(first))  # the same for the group's every copy
        for entry in others:
            reported.add(entry)
            yield rule.at(shown(entry), message)
    distance = min(rule.params.get("distance", 4), MAX_DISTANCE)
    # one entry stands for each pixel hash: images with the same hash (blank frames, re-encodes)
    # are near each other at 0 bits, and compared once, not pair by pair; arrays, not a dict
    # of lists: a million distinct hashes would take hundreds of MB as Python objects
    candidates = array("q", (entry for entry, hashed in enumerate(summary["hashed"]) if hashed and entry not in reported))
    values = array("Q", (summary["dhash"][entry] for entry in candidates))
    grouped: set[int] = set()  # places in `candidates` of hashes that occur more than once
    firsts = []
    for group in equal_groups(values):
        grouped.update(group)
        first, *others = sorted((candidates[i] for i in group), key=lambda entry: path_key(shown(entry)))
        firsts.append(first)
        message = rule.case_message("similar", first=shown(first), bits=0)
        for entry in others:  # 0 bits from the first in path order: nothing is nearer
            yield rule.at(shown(entry), message)
    representatives = array("q", (entry for i, entry in enumerate(candidates) if i not in grouped))
    representatives.extend(firsts)
    del candidates, values
    near: dict[int, list[tuple[int, int]]] = {}  # representative -> (bits, other representative) of its near matches
    for one, two, bits in near_pairs(array("Q", (summary["dhash"][entry] for entry in representatives)), distance):
        one, two = representatives[one], representatives[two]
        near.setdefault(one, []).append((bits, two))
        near.setdefault(two, []).append((bits, one))
    # in path order, an image near one kept before it is reported against the nearest
    # such (the first of those in path order); the others are kept
    order = sorted(near, key=lambda entry: path_key(shown(entry)))
    place = {entry: number for number, entry in enumerate(order)}
    kept: set[int] = set()
    for entry in order:
        earlier = [(bits, place[other], other) for bits, other in near[entry] if other in kept]
        if earlier:
            bits, _, other = min(earlier)
            yield rule.at(shown(entry), rule.case_message("similar", first=shown(other), bits=bits))
        else:
            kept.add(entry)
