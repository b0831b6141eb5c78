"""What lora-lint knows about an image file, read once and remembered.

Facts come from the file's header and, for the perceptual hash, its pixels
(Pillow, imported only when an image rule needs them). They are kept in
`.lora-lint-cache/images-v3.sqlite` at the dataset root, keyed by path, size
and modification time, so an unchanged dataset is not decoded again; the
folder is safe to delete.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from contextlib import closing
from dataclasses import astuple, dataclass
from pathlib import Path

CACHE_FOLDER = ".lora-lint-cache"
_CACHE_FILE = "images-v3.sqlite"  # facts as a list in ImageFacts field order
_PNG_END = b"IEND\xaeB`\x82"
_SAVE_EVERY = 20_000  # learned facts written to the cache file at a time
_QUERY = 500  # keys a cache query asks for (SQLite's limit on parameters is 999 in old builds)


@dataclass(frozen=True)
class ImageFacts:
    """An image's size, format and state, its bytes' digest and a pixel hash."""

    width: int = 0
    height: int = 0
    format: str = ""
    mode: str = ""
    alpha: bool = False
    orientation: int = 1  # EXIF orientation; 1 is upright
    quality: int | None = None  # estimated JPEG quality
    truncated: bool = False
    error: str | None = None  # the file could not be read as an image
    digest: str = ""  # of the file's bytes
    dhash: int | None = None  # 64-bit difference hash of the pixels


def read_facts(path: str) -> ImageFacts:
    """Read one image's facts (never raises: a broken file gets `error`)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return ImageFacts(error=error.strerror or str(error))
    return facts_of(data)


def facts_of(data: bytes) -> ImageFacts:
    """An image's facts from its bytes (a file's, a tar member's)."""
    digest = hashlib.blake2b(data, digest_size=12).hexdigest()
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    broken = (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError)
    try:
        image = Image.open(BytesIO(data))
        header = _header(image, data)
    except UnidentifiedImageError:
        return ImageFacts(error="no image format Pillow knows", digest=digest)
    except broken as error:  # the reason, without the addresses of objects (the same file, the same words)
        return ImageFacts(error=re.sub(r" ?<[^>]* at 0x[0-9a-f]+>", "", str(error)) or type(error).__name__, digest=digest)
    try:
        image.draft("L", (64, 64))  # JPEG decodes at a fraction of its size
        return ImageFacts(**header, digest=digest, dhash=_dhash(image))
    except broken:  # the header reads, the pixels do not: a cut-off file
        return ImageFacts(**{**header, "truncated": True}, digest=digest)


def _header(image, data: bytes) -> dict:
    fmt = image.format or ""
    alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    orientation = 1
    try:
        orientation = int(image.getexif().get(0x0112, 1))
    except Exception:  # an EXIF block Pillow cannot parse changes nothing here
        pass
    return {
        "width": image.width,
        "height": image.height,
        "format": fmt,
        "mode": image.mode,
        "alpha": alpha,
        "orientation": orientation,
        "quality": _jpeg_quality(image) if fmt == "JPEG" else None,
        "truncated": _truncated(fmt, data),
    }


def _truncated(fmt: str, data: bytes) -> bool:
    tail = data[-64:]
    if fmt == "PNG":
        return _PNG_END not in tail
    if fmt == "JPEG":
        return b"\xff\xd9" not in tail
    return False


# The standard JPEG luminance quantization table (quality 50), row by row.
_STANDARD = (
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
)


def _jpeg_quality(image) -> int | None:
    """The libjpeg quality that would give this luminance table (an estimate)."""
    tables = getattr(image, "quantization", None) or {}
    table = tables.get(0)
    if not table:
        return None
    scale = sum(table) * 100 / sum(_STANDARD)
    quality = 5000 / scale if scale > 100 else (200 - scale) / 2
    return max(1, min(100, round(quality)))


def _dhash(image) -> int:
    from PIL import Image

    small = image.convert("L").resize((9, 8), Image.Resampling.BOX, reducing_gap=2.0)
    pixels = small.tobytes()  # one byte a pixel in mode L
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    return bits


class ImageStore:
    """Image facts for one dataset run, from the on-disk cache when unchanged.

    The cache is a SQLite file in the dataset's `.lora-lint-cache/`, one row
    an image (its size and mtime, then its facts), so a run looks up the
    images it meets instead of loading a million entries. Each process
    (forked workers too) reads through its own connection; the run writes
    what was learned once, at its end.
    """

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.prefix = os.path.join(str(root), "") if root is not None else ""
        self.new: dict[str, tuple] = {}  # read by this process since the last `take_new`
        self.learned: dict[str, tuple] = {}  # read by any process of the run: written at the end
        self.provided: dict[str, ImageFacts] = {}  # images that are not files: their reader's facts
        self.asked: dict[str, ImageFacts] = {}  # facts rules asked for in this chunk
        self.rows: dict[str, tuple] = {}  # cache rows read for this chunk
        self.expected: list[str] = []  # keys of the chunk's images not yet read from the cache
        self._folders: dict[str, str] = {}  # an image folder as named -> its key prefix
        self._db: sqlite3.Connection | None = None
        self._writable = True  # false once the cache file could not be written
        self._pid: int | None = None

    @property
    def file(self) -> Path:
        return self.root / CACHE_FOLDER / _CACHE_FILE

    def _reader(self) -> sqlite3.Connection | None:
        if self._pid != os.getpid():  # a forked worker must not use its parent's connection
            self._pid, self._db = os.getpid(), None
            if self.root is not None and self.file.is_file():
                try:  # as_uri escapes '#', '?' and '%' in folder names
                    self._db = sqlite3.connect(self.file.resolve().as_uri() + "?mode=ro", uri=True, check_same_thread=False)
                except sqlite3.Error:
                    self._db = None
        return self._db

    def close(self) -> None:
        """Close this process's connection (before forking workers, which open their own)."""
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db, self._pid = None, None

    def forget_chunk(self) -> None:
        """Drop the facts given and asked for a chunk's items (no rule asks after the chunk)."""
        self.provided.clear()
        self.asked.clear()
        self.rows.clear()
        self.expected = []

    def expect(self, paths) -> None:
        """The images a chunk's rules may ask for: their rows are read in one
        query when the first is asked for, not a query each."""
        self.expected = [self._key(path) for path in paths]

    def _key(self, path: str) -> str:
        """An image's cache key: its path from the dataset root, however the
        dataset was named (`.`, a relative or absolute path, through a link)."""
        if self.prefix and path.startswith(self.prefix):
            return path[len(self.prefix):]
        folder, _, name = path.rpartition(os.sep)
        base = self._folders.get(folder)
        if base is None:
            base = self._folders[folder] = self._from_root(folder)
        return base + name

    def _from_root(self, folder: str) -> str:
        """A folder's key prefix: its real path from the root ('' for the root itself)."""
        real = os.path.join(os.path.realpath(folder or os.curdir), "")
        return real[len(self.prefix):] if self.prefix and real.startswith(self.prefix) else real

    def _cached(self, key: str) -> tuple | None:
        row = self.new.get(key) or self.learned.get(key) or self.rows.get(key)
        if row is None and (db := self._reader()) is not None:
            wanted, self.expected = ([key, *self.expected] if key in self.expected else [key]), []
            try:
                for start in range(0, len(wanted), _QUERY):
                    batch = wanted[start : start + _QUERY]
                    marks = ",".join("?" * len(batch))
                    self.rows.update((path, rest) for path, *rest in db.execute(f"SELECT path, size, mtime, facts FROM images WHERE path IN ({marks})", batch))
            except sqlite3.Error:  # a broken cache file is no cache
                pass
            row = self.rows.get(key)
        return row

    def provide(self, paths: tuple[str, ...], facts: tuple[ImageFacts, ...]) -> None:
        """Facts a reader knows of images that are not files (sizes from a JSONL line, tar members)."""
        self.provided.update(zip(paths, facts))

    def facts(self, path: str) -> ImageFacts:
        """Facts of the image at `path` (remembered for the chunk: several rules ask)."""
        if path in self.provided:
            return self.provided[path]
        known = self.asked.get(path)
        if known is None:
            known = self.asked[path] = self._facts(path)
        return known

    def _facts(self, path: str) -> ImageFacts:
        try:
            stat = os.stat(path)
        except OSError as error:
            return ImageFacts(error=error.strerror or str(error))
        key = self._key(path)
        row = self._cached(key)
        if row and row[0] == stat.st_size and row[1] == stat.st_mtime_ns:
            known = ImageFacts(*json.loads(row[2]))
            if not known.error:  # an error an earlier version kept is read again
                return known
        facts = read_facts(path)
        if not facts.error:  # a file that could not be read may be readable next time (a permission put right keeps its mtime)
            self.new[key] = (stat.st_size, stat.st_mtime_ns, json.dumps(astuple(facts)))
        return facts

    def take_new(self) -> dict[str, tuple]:
        """The entries read since the last call (a worker hands them to the run that saves them)."""
        new, self.new = self.new, {}
        return new

    def learn(self, entries: dict[str, tuple]) -> None:
        """Add entries a process of this run read (written out as they add up:
        a first run over a million images does not hold them all)."""
        if not self._writable:
            return
        self.learned.update(entries)
        if len(self.learned) >= _SAVE_EVERY:
            self.save()

    def save(self) -> None:
        """Write what the run learned (quietly skipped when the dataset is read-only)."""
        self.learned.update(self.take_new())
        if not self.learned or self.root is None:
            return
        try:
            from .cache import make_folder

            if make_folder(self.root) is None or self.file.is_symlink():
                raise OSError("the cache is a link")
            with closing(sqlite3.connect(self.file)) as db, db:
                db.execute("CREATE TABLE IF NOT EXISTS images (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, facts TEXT)")
                db.executemany("INSERT OR REPLACE INTO images VALUES (?, ?, ?, ?)", ((k, *v) for k, v in self.learned.items()))
            self.learned = {}
            for old in self.file.parent.glob("images-v[12].json"):  # earlier versions' caches
                old.unlink(missing_ok=True)
        except (OSError, sqlite3.Error):  # a read-only dataset: nothing is kept
            self.learned, self._writable = {}, False
