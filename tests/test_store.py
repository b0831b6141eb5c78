"""The large-run stores and the hash comparisons the duplicate kinds rely on."""
from __future__ import annotations

import random
from array import array

from lora_lint import store
from lora_lint.dataset import Folder, Item
from lora_lint.findings import Finding
from lora_lint.hashes import equal_groups, near_pairs
from lora_lint.store import FindingStore, PathTable, path_record


def test_near_pairs_finds_exactly_the_pairs_within_the_distance():
    rng = random.Random(3)
    values = [rng.getrandbits(64) for _ in range(400)]
    for index in range(0, 400, 7):  # plant neighbours 0..6 bits away
        flipped = values[index]
        for bit in rng.sample(range(64), index % 7):
            flipped ^= 1 << bit
        values.append(flipped)
    hashes = array("Q", values)
    for distance in (0, 3, 4, 7):
        brute = {(i, j, bin(a ^ b).count("1")) for i, a in enumerate(values) for j, b in enumerate(values) if i < j and bin(a ^ b).count("1") <= distance}
        assert set(near_pairs(hashes, distance)) == brute


def test_equal_groups_are_the_repeated_values_in_index_order():
    hashes = array("Q", [5, 1, 5, 2, 1, 5, 2**64 - 1])
    assert sorted(equal_groups(hashes)) == [[0, 2, 5], [1, 4]]
    assert list(equal_groups(array("Q", [1]))) == []


def _finding(path: str, line: int | None = None) -> Finding:
    return Finding("rule", "warning", path, line, 1 if line else None, None, "message")


def test_findings_spilled_to_disk_come_back_sorted_and_complete(monkeypatch):
    monkeypatch.setattr(store, "SPILL", 50)
    rng = random.Random(1)
    findings = [_finding(f"set.jsonl:{rng.randrange(1, 500)}") for _ in range(333)] + [_finding("a.txt", 2), _finding("a.txt", 1)]
    rng.shuffle(findings)
    kept = FindingStore(findings)
    assert kept._runs, "the store spilled"
    assert list(kept) == sorted(findings, key=Finding.sort_key)
    assert list(kept) == list(kept)  # iterable again
    assert len(kept) == 335 and kept.counts()["warning"] == 335 and kept[0].path == "a.txt"


def test_a_path_table_names_items_and_images_by_ordinal():
    folder = Folder(".", "train", None, None, None)
    table = PathTable()
    items = [Item(f"{n}.txt", f"/d/{n}.txt", (f"/d/{n}.png",), folder) for n in range(25)]
    for number, item in enumerate(items):
        item.number(number)
    for first in range(0, 25, 10):
        table.add(path_record(items[first : first + 10]))
    assert [table.item(n) for n in (0, 9, 10, 24)] == ["0.txt", "9.txt", "10.txt", "24.txt"]
    assert table.image(17) == "17.png"


def test_small_and_large_inputs_take_the_same_way_to_the_same_pairs(monkeypatch):
    from lora_lint import hashes

    rng = random.Random(9)
    values = [rng.getrandbits(64) for _ in range(300)]
    values += [v ^ (1 << rng.randrange(64)) for v in values[:40]] + values[:5]
    data = array("Q", values)
    small_pairs, small_groups = near_pairs(data, 4), sorted(equal_groups(data))
    monkeypatch.setattr(hashes, "SMALL", 2)  # numpy from two hashes on
    assert near_pairs(data, 4) == small_pairs and sorted(equal_groups(data)) == small_groups
    assert len(small_pairs) >= 45 and len(small_groups) == 5
