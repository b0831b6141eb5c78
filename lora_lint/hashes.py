"""Grouping and near-matching of many 64-bit hashes.

The duplicate kinds fold a hash per caption or image; judging a million of
them in Python loops would take longer than the rest of the check, so past
SMALL hashes the sorting and comparing happen in numpy. Below it, dicts do
the same work without numpy's import (a pre-commit run on 30 images never
pays for it).
"""
from __future__ import annotations

from array import array
from collections.abc import Iterator
from itertools import combinations

SMALL = 10_000  # hashes judged without numpy


def equal_groups(hashes: array) -> Iterator[list[int]]:
    """Indices of the hashes that occur more than once, a list per value (in index order)."""
    if len(hashes) < 2:
        return
    if len(hashes) < SMALL:
        groups: dict[int, list[int]] = {}
        for index, value in enumerate(hashes):
            groups.setdefault(value, []).append(index)
        yield from (group for group in groups.values() if len(group) > 1)
        return
    import numpy as np

    values = np.frombuffer(hashes, dtype=np.uint64)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    ends = np.concatenate((starts[1:], [len(ordered)]))
    for start, end in zip(starts[ends - starts > 1].tolist(), ends[ends - starts > 1].tolist()):
        yield order[start:end].tolist()


def near_pairs(hashes: array, distance: int) -> list[tuple[int, int, int]]:
    """(i, j, bits) for every pair of hashes within `distance` differing bits, i < j.

    Multi-index hashing: cut the 64 bits into `distance + 2` blocks; two hashes
    within `distance` bits differ in at most `distance` blocks, so they agree
    on two whole blocks at least. Sorting by each pair of blocks brings every
    such pair next to each other, and only those candidates are compared.
    """
    if len(hashes) < 2:
        return []
    blocks = distance + 2
    edges = [64 * b // blocks for b in range(blocks + 1)]
    if len(hashes) < SMALL:
        return _near_pairs_small(hashes, distance, edges)
    import numpy as np

    values = np.frombuffer(hashes, dtype=np.uint64)
    masks = [np.uint64((1 << (edges[b + 1] - edges[b])) - 1) for b in range(blocks)]

    def part(b: int):  # made when needed: all blocks at once would hold `blocks` arrays of n
        return (values >> np.uint64(edges[b])) & masks[b]

    found: set[tuple[int, int, int]] = set()
    for one, two in combinations(range(blocks), 2):
        keys = (part(one) << np.uint64(edges[two + 1] - edges[two])) | part(two)
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        step = 1
        # the candidates `step` apart in the sorted keys, compared at once and kept only
        # when near: memory stays a few arrays of n however skewed the hashes are
        while step < len(ordered):
            same = np.flatnonzero(ordered[step:] == ordered[:-step])
            if not len(same):
                break
            left, right = order[same], order[same + step]
            bits = _popcount(values[left] ^ values[right])
            near = bits <= distance
            low, high = np.minimum(left[near], right[near]), np.maximum(left[near], right[near])
            found.update(zip(low.tolist(), high.tolist(), bits[near].tolist()))
            step += 1
    return sorted(found)


def _near_pairs_small(hashes: array, distance: int, edges: list[int]) -> list[tuple[int, int, int]]:
    """`near_pairs` with dicts: the same blocks, a bucket per pair of block values."""
    blocks = len(edges) - 1
    parts = [[(value >> edges[b]) & ((1 << (edges[b + 1] - edges[b])) - 1) for value in hashes] for b in range(blocks)]
    found: set[tuple[int, int, int]] = set()
    for one, two in combinations(range(blocks), 2):
        buckets: dict[tuple[int, int], list[int]] = {}
        for index, key in enumerate(zip(parts[one], parts[two])):
            buckets.setdefault(key, []).append(index)
        for members in buckets.values():
            for place, left in enumerate(members):
                for right in members[place + 1 :]:
                    bits = (hashes[left] ^ hashes[right]).bit_count()
                    if bits <= distance:
                        found.add((left, right, bits))
    return sorted(found)


def _popcount(words):
    """Set bits of each uint64 (the SWAR count: numpy before 2.0 has no bitwise_count)."""
    import numpy as np

    u = np.uint64
    words = words - ((words >> u(1)) & u(0x5555555555555555))
    words = (words & u(0x3333333333333333)) + ((words >> u(2)) & u(0x3333333333333333))
    words = (words + (words >> u(4))) & u(0x0F0F0F0F0F0F0F0F)
    return ((words * u(0x0101010101010101)) >> u(56)).astype(np.int64)
