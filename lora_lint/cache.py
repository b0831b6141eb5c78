"""The check cache: a chunk of items whose bytes are unchanged keeps its outcome.

A chunk's key is the run's key (lora-lint's code, the compiled packs, the
settings, the rules chosen, the display prefix) and, for each item, its
path, folder context, the content hash of its caption and the stat (size,
times, inode) of its images. A hit skips the map step for the chunk; a
change anywhere makes the dataset rules merge and judge every summary again,
so it is judged with the whole dataset, and when nothing changed their last
judgement stands, except for kinds that also read files beside the items
(`READS`), which are judged again every run. Any change to packs, settings
or code changes the run's key, so nothing stale is ever read.

Entries live in the dataset's `.lora-lint-cache/` (safe to delete). Each run
rewrites its file with only the chunks it used, so the cache does not grow;
the content hashes of unchanged files are remembered by size and mtime (as
git's index does), and a file modified within the last seconds is hashed
again, since its mtime may not have moved yet. A chunk whose files all have
the stamps they had, none of them that fresh, is known unchanged from the
stamps alone: an unchanged run stats every file and reads none.
"""
from __future__ import annotations

import dataclasses
import gc
import hashlib
import itertools
import marshal
import os
import pickle
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from collections.abc import Iterator
from typing import Any

from .caption import read_bytes

FOLDER = ".lora-lint-cache"
KEEP = 8  # run files kept per dataset: one per combination of settings, packs and --select
_RACY_NS = 3_000_000_000  # a file changed this recently may change again within its mtime's granularity


def _stamp(stat: os.stat_result) -> tuple:
    """What tells a file changed without reading it: size, times, inode (a swap or a copy has another)."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


def _changed(stamp: tuple | None) -> int:
    """When a stamped file last changed, its data or its inode (a copy made with
    `cp -p` has an old mtime and a new ctime), in ns; 0 when it is missing."""
    return max(stamp[1], stamp[2]) if stamp is not None else 0


def _stat(path: str) -> tuple | None:
    """A file's stamp, or None when it is missing."""
    try:
        return _stamp(os.stat(path))
    except OSError:
        return None


def make_folder(root: Path) -> Path | None:
    """The dataset's cache folder, made with a `.gitignore` of `*` inside (as
    pytest's and ruff's caches have), so it is never committed with the
    dataset, and a CACHEDIR.TAG, so backup tools skip it. None when the
    folder is a link (a downloaded dataset could point it anywhere): then
    nothing is cached."""
    from .errors import LoraLintError
    from .files import write_texts

    folder = root / FOLDER
    if folder.is_symlink():
        return None
    folder.mkdir(exist_ok=True)
    if not (folder / ".gitignore").is_file() or (folder / ".gitignore").is_symlink():
        try:
            write_texts({  # never through a link
                folder / ".gitignore": "# made by lora-lint: the cache is safe to delete and is not committed\n*\n",
                folder / "CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n# lora-lint's cache: safe to delete\n",
            })
        except LoraLintError:  # a link where they go: no cache here
            return None
    return folder


def code_stamp() -> str:
    """lora-lint's code, by the size and mtime of its modules (cheap enough for every run)."""
    from . import __version__

    package = Path(__file__).parent
    parts = [__version__, sys.version]
    for folder, _, files in sorted(os.walk(package)):
        for name in sorted(files):
            if name.endswith(".py"):
                stat = os.stat(os.path.join(folder, name))
                parts.append(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts)


@contextmanager
def _no_gc():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_VERSION = 3
_BATCH = 1_000  # judged findings a record holds


class ChunkCache:
    """Outcomes of chunks of one dataset run, streamed: the last run's file is
    read record by record as the chunks come, in item order, and this run's
    file is written the same way, so a million captions never sit in memory.

    The file holds a header, then a record per chunk (its first ordinal, its
    key, the stamps and content hashes of its captions, its outcome pickled),
    then the dataset rules' judgements in batches.
    """

    def __init__(self, root: Path, run_key: str) -> None:
        self.root = root
        self.file = root / FOLDER / f"check-{hashlib.blake2b(run_key.encode(), digest_size=12).hexdigest()}.pickle"
        self.started = time.time_ns()
        self._old = self._records()
        self._ahead: tuple | None = None  # the old record read but not yet reached
        self._memo: dict[str, tuple[tuple, bytes]] = {}  # the current chunk's old content hashes
        self._same = True  # every chunk so far has the key it had, at the place it had
        self._count = 0
        self._out = None
        self._temporary: str | None = None
        self._kept = 0  # the last run's chunk records this run left as they were, not yet written
        self._judged_names: list[str] | None = None  # the rules the last run's judgements are of, once they stand
        self._lazy = True  # nothing differs yet: the last run's file may stand as it is
        self._unreadable = False  # a caption of the chunk being keyed could not be read

    def _records(self):
        """The last run's records, one at a time (nothing when missing, broken or old)."""
        try:
            if self.file.is_symlink() or self.file.parent.is_symlink():
                return
            with self.file.open("rb") as handle:
                if pickle.load(handle) != ("lora-lint", _VERSION):
                    return
                while True:
                    with _no_gc():  # unpickling many small objects: collections would only slow it
                        record = pickle.load(handle)
                    yield record  # with collections back on: the run goes on between records
        except Exception:  # end of file, cut off, unreadable: what was read stands, the rest is unknown
            return

    def _next_old(self) -> tuple | None:
        if self._ahead is None:
            self._ahead = next(self._old, None)
        return self._ahead

    def _old_chunk(self, first: int) -> tuple | None:
        """The last run's record of the chunk starting at `first`, if it had one."""
        while (record := self._next_old()) is not None and record[0] == "chunk" and record[1] < first:
            self._ahead = None
        if record is not None and record[0] == "chunk" and record[1] == first:
            return record
        return None

    def key(self, items) -> tuple:
        """The chunk's ticket: its first ordinal, its key (every item's place,
        path, context and bytes), its captions' content hashes (pickled), and
        the last run's outcome bytes when the key is the one it had.

        First the stamps alone: when every file of the chunk has the size,
        times and inode it had (and none was too fresh to trust then), the
        chunk is the last run's, read or hashed no further. Otherwise the
        content hashes decide, so a file touched but not changed still hits."""
        first = items[0].ordinal if items else 0
        old = self._old_chunk(first)
        places, stamps, fresh = self._stamps(items)
        # marshal (version 2: no references, so equal values give equal bytes) is the quickest faithful encoding
        quick = None if fresh else hashlib.blake2b(marshal.dumps((first, places, stamps), 2), digest_size=16).hexdigest()
        if old is not None and quick is not None and old[3] == quick:
            return first, old[2], quick, old[4], old[5], True
        self._memo = pickle.loads(old[4]) if old else {}
        self._hashes: dict[str, tuple[tuple, bytes]] = {}
        digest = hashlib.blake2b(digest_size=16)
        digest.update(b"%d:" % first)  # summaries name items by ordinal
        for item, place, stamp in zip(items, places, stamps):
            digest.update(place.encode())
            caption, images = stamp
            if item.text is not None:
                digest.update(b"%d:" % len(item.text) + item.text)
            elif item.caption is not None:
                digest.update(self._content(item.caption, caption))
            digest.update(repr(images).encode())
        key = digest.hexdigest()
        if self._unreadable:  # a read that failed may not fail again with the same stamps: hash next time
            quick, self._unreadable = None, False
        self._same = self._same and old is not None and old[2] == key
        unchanged = old is not None and old[2] == key
        hashes = pickle.dumps(self._hashes, protocol=pickle.HIGHEST_PROTOCOL)
        return first, key, quick, hashes, old[5] if unchanged else None, unchanged and quick == old[3] and self._hashes == self._memo

    def _stamps(self, items) -> tuple[list[str], list[tuple], bool]:
        """Each item's place (path and context), the stamps of its caption and
        images, and whether any file changed too recently for its stamp to tell."""
        places, stamps, newest = [], [], 0
        for item in items:
            # the folder's context (repeats, trigger, class) follows from its path and the run's settings
            places.append(f"{item.path}\0{item.folder.path}\0{item.media}\0{item.caption is not None}\0")
            caption: Any = None
            if item.text is not None:  # a caption inside a dataset file (a JSONL line, a tar member): its bytes
                caption = item.text
            elif item.caption is not None:
                caption = _stat(item.caption)
                newest = max(newest, _changed(caption))
            if item.facts is not None:  # images that are not files: what their reader knows of them
                images: Any = repr(item.facts)
            else:
                images = tuple((str(image), _stat(image)) for image in item.images)
                newest = max(newest, max((_changed(stamp) for _, stamp in images), default=0))
            stamps.append((caption, images))
        return places, stamps, self.started - newest <= _RACY_NS

    def _content(self, path: str, stamp: tuple | None) -> bytes:
        """The caption's content hash; remembered by its stat, as git's index does."""
        if stamp is None:
            return b"missing"
        known = self._memo.get(path)
        if known and known[0] == stamp:
            self._hashes[path] = known
            return known[1]
        try:
            value = hashlib.blake2b(read_bytes(path), digest_size=16).digest()
        except OSError:
            self._unreadable = True
            return b"unreadable"
        if self.started - _changed(stamp) > _RACY_NS:  # a file this fresh may change again within its mtime's tick
            self._hashes[path] = (stamp, value)
        return value

    def get(self, ticket: tuple) -> Any | None:
        """The outcome the last run had for a chunk `key` made the ticket of, if unchanged."""
        data = ticket[4]
        if data is None:
            return None
        try:
            return pickle.loads(data)
        except Exception:
            return None

    def put(self, ticket: tuple, outcome: Any) -> None:
        """Record a chunk's outcome (in item order; the ticket `key` gave it,
        which keeps the last run's bytes of an unchanged chunk)."""
        first, key, quick, hashes, data, as_before = ticket
        self._count += 1
        if self._lazy and as_before and self._same:  # the record the last run wrote here, byte for byte
            self._kept += 1
            return
        if data is None:
            data = pickle.dumps(dataclasses.replace(outcome, facts={}), protocol=pickle.HIGHEST_PROTOCOL)
        self._write(("chunk", first, key, quick, hashes, data))

    def judged_before(self) -> dict | None:
        """Each dataset rule's findings of the last run (read lazily, rule by
        rule in the run's order), when every chunk is what it was then."""
        if not self._same or self._old_chunk(1 << 62) is not None:
            return None
        record = self._next_old()
        if record is None or record[0] != "judged" or record[1] != self._count:
            return None  # the last run had more chunks, or stopped before judging
        self._ahead = None
        self._judged_names = list(record[2])
        place = {name: number for number, name in enumerate(record[2])}
        return {name: self._old_findings(name, place) for name in record[2]}

    def _old_findings(self, name: str, place: dict[str, int]):
        """A rule's findings, read on from where the last rule's ended (rules come in order)."""
        while (record := self._next_old()) is not None and record[0] == "findings" and place[record[1]] < place[name]:
            self._ahead = None  # a rule before this one, judged again this run
        while (record := self._next_old()) is not None and record[0] == "findings" and record[1] == name:
            self._ahead = None
            yield from record[2]

    def keep_judged(self, names: list[str]) -> None:
        """Start the judgements' part: the rules whose findings follow (when
        every chunk and every judgement stands, the last run's file holds them)."""
        if self._lazy and names == self._judged_names:
            return
        self._write(("judged", self._count, names))

    def keep_findings(self, name: str, findings) -> Iterator:
        """Write a rule's findings as they pass (they go on to the result)."""
        if self._lazy:  # the judgements stand: the last run's file has these
            yield from findings
            return
        batch = []
        for finding in findings:
            batch.append(finding)
            if len(batch) == _BATCH:
                self._write(("findings", name, batch))
                batch = []
            yield finding
        if batch:
            self._write(("findings", name, batch))

    def _open_out(self) -> None:
        """Start this run's file, with the last run's records it kept so far."""
        self._lazy = False
        folder = self.file.parent
        try:
            if make_folder(self.root) is None:
                return
            handle, self._temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
            self._out = os.fdopen(handle, "wb")
            pickle.dump(("lora-lint", _VERSION), self._out)
            for record in itertools.islice(self._records(), self._kept):  # the chunks before the first change
                pickle.dump(record, self._out, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:  # a read-only dataset: no cache written
            self.abandon()

    def _write(self, record: tuple) -> None:
        if self._lazy:
            self._open_out()
        if self._out is None:
            return
        try:
            pickle.dump(record, self._out, protocol=pickle.HIGHEST_PROTOCOL)
        except (OSError, pickle.PicklingError, TypeError, AttributeError):  # a disk full, a plugin's summary
            self.abandon()

    def save(self) -> None:
        """Put this run's file in place of the last one's (which stays when
        this run changed nothing in it)."""
        self._old.close()
        if self._lazy:
            if self._kept and self._count == self._kept:
                with suppress(OSError):
                    os.utime(self.file)  # the newest run's file: kept when old ones are pruned
                return
            if not self._count and not self.file.exists():  # an empty dataset: an empty file, so nothing is read twice
                self._open_out()
        if self._out is None:
            return
        try:
            self._out.close()
            self._out = None
            os.replace(self._temporary, self.file)
            self._temporary = None
            runs = sorted(self.file.parent.glob("check-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in runs[KEEP:]:
                old.unlink(missing_ok=True)
        except OSError:
            self.abandon()

    def abandon(self) -> None:
        """Drop this run's file (the last one stays)."""
        if self._out is not None:
            with suppress(OSError):
                self._out.close()
            self._out = None
        if self._temporary is not None:
            with suppress(OSError):
                os.unlink(self._temporary)
            self._temporary = None
