"""What a large run keeps out of memory: findings in sorted runs on disk,
and the display paths of items by their place in the dataset.

A million captions can hold a million findings and name a million paths;
held as Python objects they would need gigabytes. Findings are kept in a
buffer that, once large, is sorted and written to a temporary file, and
read back merged (an external merge sort), so a reporter streams them in
order. Dataset rules fold item ordinals (small ints) instead of paths and
look the paths up when they report.
"""
from __future__ import annotations

import bisect
import heapq
from collections import Counter, OrderedDict
import pickle
import tempfile
import zlib
from collections.abc import Iterable, Iterator

from .findings import Finding

SPILL = 200_000  # findings held in memory (about 90 MB) before a sorted run goes to disk
_OPEN = 64  # records of paths kept decoded: a judge names an item and the first of its group
_BATCH = 1_000  # findings a pickle record holds (a run is read back a record at a time)


class FindingStore:
    """Findings of a check: add them in any order, iterate them sorted by
    path and position. Behaves as a read-only sequence for small results."""

    def __init__(self, findings: Iterable[Finding] = ()) -> None:
        self._buffer: list[Finding] = []
        self._runs: list[tuple[int, int]] = []  # (offset in the spill file, count) of each sorted run
        self._file = None
        self._counts: Counter = Counter()  # (rule, severity) -> findings
        self._dropped: set[str] = set()  # rules whose findings no longer count (their kind failed)
        self._list: list[Finding] | None = None
        self.extend(findings)

    def append(self, finding: Finding) -> None:
        self._buffer.append(finding)
        self._counts[(finding.rule, finding.severity)] += 1
        self._list = None
        if len(self._buffer) >= SPILL:
            self._spill()

    def extend(self, findings: Iterable[Finding]) -> None:
        for finding in findings:
            self.append(finding)

    def drop(self, rules) -> None:
        """Leave out every finding of these rules, those already added too."""
        self._dropped |= set(rules)
        self._list = None

    def counts(self) -> dict[str, int]:
        """Findings by severity."""
        counts = {"error": 0, "warning": 0, "info": 0}
        for (rule, severity), count in self._counts.items():
            if rule not in self._dropped:
                counts[severity] += count
        return counts

    def __len__(self) -> int:
        return sum(self.counts().values())

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[Finding]:
        """Every finding, sorted (a merge of the runs on disk and the buffer)."""
        self._buffer.sort(key=Finding.sort_key)
        if not self._runs:
            merged = iter(list(self._buffer))
        else:
            merged = heapq.merge(*(self._read(run) for run in self._runs), iter(list(self._buffer)), key=Finding.sort_key)
        if self._dropped:
            return (finding for finding in merged if finding.rule not in self._dropped)
        return merged

    def __getitem__(self, index):
        if self._list is None:
            self._list = list(self)
        return self._list[index]

    def _spill(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="lora-lint-findings-")
        self._buffer.sort(key=Finding.sort_key)
        self._file.seek(0, 2)
        offset = self._file.tell()
        for start in range(0, len(self._buffer), _BATCH):
            pickle.dump(self._buffer[start : start + _BATCH], self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._runs.append((offset, len(self._buffer)))
        self._buffer = []

    def _read(self, run: tuple[int, int]) -> Iterator[Finding]:
        offset, count = run
        while count > 0:  # the runs share one file: seek back to this run's place for each record
            self._file.seek(offset)
            batch = pickle.load(self._file)
            offset = self._file.tell()
            count -= len(batch)
            yield from batch

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def path_record(items) -> tuple[int, bytes]:
    """A run of consecutive items' display paths, as a PathTable holds them:
    (the first ordinal, the entries pickled and compressed)."""
    entries = [(item.path, *map(item.shown, item.images)) for item in items]
    return items[0].ordinal, zlib.compress(pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL), 1)


class PathTable:
    """The display paths of a dataset's items by ordinal: the item's path,
    then the shown paths of its images. A run of items (a chunk) is one
    compressed record; paths of one folder compress well."""

    def __init__(self) -> None:
        self._starts: list[int] = []  # first ordinal of each record, sorted
        self._records: dict[int, bytes] = {}
        self._open: OrderedDict[int, list[tuple[str, ...]]] = OrderedDict()  # records last read

    def add(self, record: tuple[int, bytes]) -> None:
        """A record made by `path_record`."""
        first, data = record
        if first not in self._records:
            bisect.insort(self._starts, first)
        self._records[first] = data
        self._open.pop(first, None)

    def item(self, ordinal: int) -> str:
        """The display path of the item at `ordinal`."""
        return self.entry(ordinal)[0]

    def image(self, ordinal: int, index: int = 0) -> str:
        """The display path of the item's image number `index`."""
        return self.entry(ordinal)[1 + index]

    def walk(self, ordinals: Iterable[int]) -> Iterator[tuple[int, str]]:
        """(ordinal, display path) of each ordinal, given in ascending order:
        each record is opened once, however many records there are (`item`
        keeps the last few open, so scattered lookups over many records
        would open them again and again)."""
        first, entries = None, None
        for ordinal in ordinals:
            start = self._starts[bisect.bisect_right(self._starts, ordinal) - 1]
            if start != first:
                first = start
                entries = self._open.get(first) or pickle.loads(zlib.decompress(self._records[first]))
            yield ordinal, entries[ordinal - first][0]

    def entry(self, ordinal: int) -> tuple[str, ...]:
        first = self._starts[bisect.bisect_right(self._starts, ordinal) - 1]
        entries = self._open.get(first)
        if entries is None:
            entries = self._open[first] = pickle.loads(zlib.decompress(self._records[first]))
            if len(self._open) > _OPEN:
                self._open.popitem(last=False)
        else:
            self._open.move_to_end(first)
        return entries[ordinal - first]
