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
again, since its mtime may not have moved yet.
"""
from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
import pickle
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

FOLDER = ".lora-lint-cache"
KEEP = 8  # run files kept per dataset: one per combination of settings, packs and --select
_RACY_NS = 3_000_000_000  # a file changed this recently may change again within its mtime's granularity


def _stamp(stat: os.stat_result) -> tuple:
    """What tells a file changed without reading it: size, times, inode (a swap or a copy has another)."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


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


class ChunkCache:
    """Outcomes of chunks of one dataset run, read at the start and written at the end."""

    def __init__(self, root: Path, run_key: str) -> None:
        self.root = root
        self.file = root / FOLDER / f"check-{hashlib.blake2b(run_key.encode(), digest_size=12).hexdigest()}.pickle"
        self.started = time.time_ns()
        self.old_chunks: dict[str, Any] = {}
        self.old_hashes: dict[str, tuple[tuple, bytes]] = {}
        self.old_order: list[str] = []
        self.old_judged: dict | None = None
        try:
            with self.file.open("rb") as handle, _no_gc():  # unpickling many small objects: collections would only slow it
                self.old_hashes, self.old_chunks, self.old_order, self.old_judged = pickle.load(handle)
        except Exception:  # missing, unreadable or from another version: start empty
            pass
        self.chunks: dict[str, Any] = {}
        self.hashes: dict[str, tuple[tuple, bytes]] = {}
        self.order: list[str] = []  # this run's chunk keys, in item order
        self.judged: dict | None = None  # rule -> the dataset rule's findings

    def key(self, items) -> str:
        """The chunk's key: every item's path, context and bytes."""
        digest = hashlib.blake2b(digest_size=16)
        digest.update(b"%d:" % (items[0].ordinal if items else 0))  # summaries name items by ordinal
        for item in items:
            # the folder's context (repeats, trigger, class) follows from its path and the run's settings
            digest.update(f"{item.path}\0{item.folder.path}\0{item.media}\0{item.caption is not None}\0".encode())
            if item.text is not None:
                digest.update(b"%d:" % len(item.text) + item.text)
            elif item.caption is not None:
                digest.update(self._content(item.caption))
            if item.facts is not None:  # images that are not files: what their reader knows of them
                digest.update(repr(item.facts).encode())
                continue
            for image in item.images:
                try:
                    digest.update(f"{image}:{_stamp(os.stat(image))}".encode())
                except OSError:
                    digest.update(f"{image}:missing".encode())
        key = digest.hexdigest()
        self.order.append(key)
        return key

    def _content(self, path: str) -> bytes:
        """The caption's content hash; remembered by its stat, as git's index does."""
        try:
            stat = os.stat(path)
        except OSError:
            return b"missing"
        stamp = _stamp(stat)
        known = self.old_hashes.get(path)
        if known and known[0] == stamp:
            self.hashes[path] = known
            return known[1]
        try:
            with open(path, "rb") as handle:
                value = hashlib.blake2b(handle.read(), digest_size=16).digest()
        except OSError:
            return b"unreadable"
        if self.started - stat.st_mtime_ns > _RACY_NS:  # a file this fresh may change again within its mtime's tick
            self.hashes[path] = (stamp, value)
        return value

    def get(self, key: str) -> Any | None:
        outcome = self.old_chunks.get(key)
        if outcome is None:
            return None
        self.chunks[key] = outcome
        return dataclasses.replace(outcome, cached=True)

    def put(self, key: str, outcome: Any) -> None:
        self.chunks[key] = outcome

    def judged_before(self) -> dict | None:
        """Each dataset rule's findings of the last run, when every chunk is what it was then."""
        return self.old_judged if self.order == self.old_order else None

    def keep_judged(self, findings: dict) -> None:
        """Rule name -> its findings, for rules judged on their summary alone."""
        old = self.old_judged or {}
        same = findings.keys() == old.keys() and all(old[name] is found for name, found in findings.items())
        self.judged = None if same else findings  # None: the last run's judgement stands as written

    def save(self) -> None:
        """Write this run's chunks (quietly skipped where the dataset is read-only,
        or when a plugin's summary cannot be pickled)."""
        if self.order == self.old_order and self.hashes == self.old_hashes and self.judged is None:
            return
        folder = self.file.parent
        temporary = None
        try:
            folder.mkdir(exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                judged = self.judged if self.judged is not None else self.old_judged
                pickle.dump((self.hashes, self.chunks, self.order, judged), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.file)
            temporary = None
            runs = sorted(folder.glob("check-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in runs[KEEP:]:
                old.unlink(missing_ok=True)
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            pass
        finally:
            if temporary is not None:
                with suppress(OSError):
                    os.unlink(temporary)
