"""Kind `duplicate-images`: the same picture twice, or nearly.

A duplicated image is trained twice as often as the others, and what is in
it is overlearned; near-duplicates (a resize, a recompression, a crop of a
few pixels) do the same. Identical files are found by their bytes, near ones
by a 64-bit difference hash of the pixels within `distance` bits; candidate
pairs are found by hash bands, so large datasets are not compared pair by pair.
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding, path_key

NAME = "duplicate-images"
SCOPE = "dataset"
NEEDS_IMAGES = True
CASES = ("identical", "similar")
PARAMS = {"distance": s.Number(integer=True), "messages": s.Messages(CASES)}
PLACEHOLDERS = ("first", "bits")
FIXES: dict[str, bool] = {}
_BANDS = 8  # 8 bands of 8 bits: pairs within 7 bits share at least one band


def start() -> list:
    return []  # (path, digest, dhash)


def fold(summary: list, item, caption, rule: ActiveRule) -> None:
    store = rule.context.get("images")
    if store is None or item.folder.subset != "train" or item.media != "image":  # frames of a clip are alike
        return
    for path in item.images:
        facts = store.facts(path)
        if not facts.error and facts.digest:  # a size from a JSONL line has nothing to compare
            summary.append((item.shown(path), facts.digest, facts.dhash))


def merge(first: list, second: list) -> list:
    return first + second


def judge(summary: list, rule: ActiveRule, where: str) -> Iterator[Finding]:
    distance = min(rule.params.get("distance", 4), _BANDS - 1)
    entries = sorted(summary, key=lambda entry: path_key(entry[0]))
    first_of: dict[str, str] = {}
    reported: set[str] = set()
    for path, digest, _ in entries:
        if digest in first_of:
            reported.add(path)
            yield rule.at(path, rule.case_message("identical", first=first_of[digest]))
        else:
            first_of[digest] = path
    bands: dict[tuple[int, int], list[tuple[str, int]]] = {}
    for path, _, dhash in entries:
        if dhash is None or path in reported:
            continue
        match = None
        for band in range(_BANDS):
            key = (band, (dhash >> (band * 8)) & 0xFF)
            for other, other_hash in bands.get(key, ()):
                bits = bin(dhash ^ other_hash).count("1")
                if bits <= distance and (match is None or bits < match[1]):
                    match = (other, bits)
        if match:
            yield rule.at(path, rule.case_message("similar", first=match[0], bits=match[1]))
            continue
        for band in range(_BANDS):
            bands.setdefault((band, (dhash >> (band * 8)) & 0xFF), []).append((path, dhash))
