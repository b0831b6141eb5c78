"""What lora-lint knows about an image file, read once and remembered.

Facts come from the file's header and, for the perceptual hash, its pixels
(Pillow, imported only when an image rule needs them). They are kept in
`.lora-lint-cache/images.json` at the dataset root, keyed by path, size and
modification time, so an unchanged dataset is not decoded again; the folder
is safe to delete.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

CACHE_FOLDER = ".lora-lint-cache"
_CACHE_FILE = "images-v2.json"
_PNG_END = b"IEND\xaeB`\x82"


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

    broken = (UnidentifiedImageError, OSError, ValueError, SyntaxError)
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
    """Image facts for one dataset run, from the on-disk cache when unchanged."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.prefix = os.path.join(str(root), "") if root is not None else ""
        self.known: dict[str, tuple[int, int, dict]] = {}
        self.new: dict[str, list] = {}  # read since the last `take_new`
        self.provided: dict[str, ImageFacts] = {}  # images that are not files: their reader's facts
        self.changed = False
        if root is not None:
            try:
                self.known = json.loads((root / CACHE_FOLDER / _CACHE_FILE).read_text())
            except (OSError, ValueError):
                self.known = {}

    def provide(self, paths: tuple[str, ...], facts: tuple[ImageFacts, ...]) -> None:
        """Facts a reader knows of images that are not files (sizes from a JSONL line, tar members)."""
        self.provided.update(zip(paths, facts))

    def facts(self, path: str) -> ImageFacts:
        """Facts of the image at `path`."""
        if path in self.provided:
            return self.provided[path]
        try:
            stat = os.stat(path)
        except OSError as error:
            return ImageFacts(error=error.strerror or str(error))
        key = path[len(self.prefix):] if self.prefix and path.startswith(self.prefix) else path
        cached = self.known.get(key)
        if cached and cached[0] == stat.st_size and cached[1] == stat.st_mtime_ns:
            return ImageFacts(**cached[2])
        facts = read_facts(path)
        self.known[key] = self.new[key] = [stat.st_size, stat.st_mtime_ns, asdict(facts)]
        self.changed = True
        return facts

    def take_new(self) -> dict[str, list]:
        """The entries read since the last call (a worker hands them to the run that saves them)."""
        new, self.new = self.new, {}
        return new

    def learn(self, entries: dict[str, list]) -> None:
        """Add entries another process read."""
        if entries:
            self.known.update(entries)
            self.changed = True

    def save(self) -> None:
        """Write the cache back if anything new was read (quietly skipped when read-only)."""
        if not self.changed or self.root is None:
            return
        folder = self.root / CACHE_FOLDER
        try:
            folder.mkdir(exist_ok=True)
            temporary = folder / f"{_CACHE_FILE}.{os.getpid()}.tmp"
            temporary.write_text(json.dumps(self.known))
            os.replace(temporary, folder / _CACHE_FILE)
        except OSError:
            pass
