"""Dataset readers for caption sets that live in files, not folders.

Fine-tuning sets of 100k to millions of captions come as JSONL, Parquet or
WebDataset tar shards. Each reader streams items (nothing is loaded whole)
whose caption text and image facts travel with them (`Item.text`,
`Item.facts`), so every rule reads them as it reads a folder's files.

- JSONL (`.jsonl`): one object a line with a caption (`caption`, `text` or
  `prompt`) and an image path (`image`, `image_path`, `file_name`, `path`,
  relative to the file) or its size (`width`, `height`); musubi-tuner's
  `image_path`/`video_path` lines read as they are.
- Parquet (`.parquet`, with `pip install 'lora-lint[parquet]'`): the same
  columns, read in batches.
- WebDataset (`.tar`, or a folder of `.tar` shards): members grouped by key,
  `KEY.txt` the caption and `KEY.jpg`/`.png`/`.webp` the image, whose header
  and pixels are read from the shard.
"""
from __future__ import annotations

import json
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .dataset import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS, Folder, Item
from .errors import LoraLintError
from .images import ImageFacts, facts_of

CAPTION_KEYS = ("caption", "text", "prompt")
IMAGE_KEYS = ("image", "image_path", "video_path", "file_name", "path")
_ROOT = Folder(".")


def _files(path: Path, suffix: str) -> list[Path] | None:
    """The dataset files PATH stands for: itself, or a folder's files when
    they are all of this suffix (hidden files aside); None when it is neither."""
    if path.is_file():
        return [path] if path.suffix.lower() == suffix else None
    if not path.is_dir():
        return None
    try:
        entries = [p for p in path.iterdir() if not p.name.startswith(".")]
    except OSError as error:
        raise LoraLintError(f"cannot read this folder: {error.strerror or error}", str(path)) from None
    if entries and all(p.is_file() and p.suffix.lower() == suffix for p in entries):
        return sorted(entries)
    return None


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def _record_item(record: dict[str, Any], shown: str, base: Path) -> Item:
    """An item from one JSONL line or Parquet row: its image a file, the
    row's own bytes (`_facts`), a size, or nothing."""
    caption = next((record[k] for k in CAPTION_KEYS if isinstance(record.get(k), str)), None)
    image = next((record[k] for k in IMAGE_KEYS if isinstance(record.get(k), str) and record[k]), None)
    width, height = record.get("width"), record.get("height")
    sized = isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0
    path = None if image is None else image if os.path.isabs(image) else str(base / image)
    images, facts = (), None
    if record.get("_facts") is not None:
        images, facts = (f"{shown}#image",), (record["_facts"],)
    elif path is not None and (os.path.exists(path) or not sized):
        images = (path,)  # a missing file without a size is reported as missing
    elif sized:
        images, facts = (f"{shown}#image",), (ImageFacts(width=width, height=height, format="", mode="RGB"),)
    media = "video" if path and facts is None and os.path.splitext(path)[1].lower() in VIDEO_EXTENSIONS else "image"
    text = caption.encode("utf-8") if caption is not None else None
    return Item(shown, shown if text is not None else None, images, _ROOT, media, text, facts)


class JsonlReader:
    """Captions and images named, one JSON object a line."""

    name = "jsonl"
    whole = True  # the file is a dataset: dataset rules judge it

    def claims(self, path: Path) -> bool:
        return _files(path, ".jsonl") is not None

    def items(self, scope: Path, root: Path, settings, notes: list[str]) -> Iterator[Item]:
        for file in _files(scope, ".jsonl") or ():
            yield from self._file(file, root, notes)

    @staticmethod
    def _file(path: Path, root: Path, notes: list[str]) -> Iterator[Item]:
        shown = _relative(path, root)
        skipped = []
        with path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError as error:
                    raise LoraLintError(f"line {number} is not JSON ({error})", str(path)) from None
                if not isinstance(record, dict):
                    skipped.append(number)
                    continue
                yield _record_item(record, f"{shown}:{number}", path.parent)
        if skipped:
            lines = ", ".join(map(str, skipped[:10])) + (" ..." if len(skipped) > 10 else "")
            notes.append(f"skipped {len(skipped)} line(s) of {shown} that are not JSON objects: {lines}")


class ParquetReader:
    """The same columns as a JSONL line, read from a Parquet file in batches."""

    name = "parquet"
    whole = True
    BATCH = 4096

    def claims(self, path: Path) -> bool:
        return _files(path, ".parquet") is not None

    def items(self, scope: Path, root: Path, settings, notes: list[str]) -> Iterator[Item]:
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise LoraLintError("reading Parquet needs pyarrow: pip install 'lora-lint[parquet]'", str(scope)) from None
        for file in _files(scope, ".parquet") or ():
            yield from self._file(pq, file, root)

    def _file(self, pq, scope: Path, root: Path) -> Iterator[Item]:
        shown = _relative(scope, root)
        try:
            table = pq.ParquetFile(scope)
        except Exception as error:  # pyarrow's own errors: not a Parquet file, a cut-off one
            raise LoraLintError(f"not a readable Parquet file ({error})", str(scope)) from None
        names = table.schema_arrow.names
        if not any(name in CAPTION_KEYS for name in names):
            table.close()
            raise LoraLintError(f"no caption column (it has {', '.join(names) or 'none'}; a caption is in {', '.join(CAPTION_KEYS)})", str(scope))
        wanted = [c for c in names if c in (*CAPTION_KEYS, *IMAGE_KEYS, "width", "height")]
        row = 0
        try:
            for batch in table.iter_batches(batch_size=self.BATCH, columns=wanted):
                for record in batch.to_pylist():
                    row += 1
                    yield _record_item(_image_struct(record), f"{shown}:{row}", scope.parent)
        except LoraLintError:
            raise
        except Exception as error:
            raise LoraLintError(f"row {row + 1} cannot be read ({error})", str(scope)) from None
        finally:
            table.close()


def _image_struct(record: dict[str, Any]) -> dict[str, Any]:
    """Hugging Face's image column, `{bytes, path}` (or bare bytes), as a path or as facts of the bytes."""
    image = record.get("image")
    if isinstance(image, bytes):  # the image's bytes themselves
        image = {"bytes": image}
    if not isinstance(image, dict):
        return record
    record = dict(record)
    if image.get("bytes"):
        record["image"] = None
        record["_facts"] = facts_of(image["bytes"])
    else:
        record["image"] = image.get("path")
    return record


class WebDatasetReader:
    """WebDataset tar shards: `KEY.txt` and `KEY.jpg` side by side, read as a stream."""

    name = "webdataset"
    whole = True

    def claims(self, path: Path) -> bool:
        return _files(path, ".tar") is not None  # a shard, or a folder of shards and nothing else

    def items(self, scope: Path, root: Path, settings, notes: list[str]) -> Iterator[Item]:
        for shard in _files(scope, ".tar") or ():
            yield from self._shard(shard, _relative(shard, root), settings.caption_extension.lower())

    @staticmethod
    def _shard(shard: Path, shown: str, extension: str) -> Iterator[Item]:
        key, caption, images, end = None, None, [], 0
        try:
            with tarfile.open(shard, "r|*") as stream:  # a stream: members in order, nothing seeks
                for member in stream:
                    end = member.offset_data + (member.size + 511) // 512 * 512
                    if not member.isfile():
                        continue
                    name = member.name
                    stem, _, suffix = name.rpartition("/")[2].partition(".")
                    member_key = name.rpartition("/")[0] + "/" + stem if "/" in name else stem
                    if member_key != key:
                        if key is not None:
                            yield _shard_item(shown, key, extension, caption, images)
                        key, caption, images = member_key, None, []
                    kind = "." + suffix.lower()
                    if kind == extension:
                        caption = stream.extractfile(member).read()
                    elif kind in IMAGE_EXTENSIONS:  # other members (.json, .cls...) are not read at all
                        images.append((name, facts_of(stream.extractfile(member).read())))
        except (tarfile.TarError, OSError, EOFError) as error:
            raise LoraLintError(f"not a readable tar shard ({error})", str(shard)) from None
        if end and end + 1024 > shard.stat().st_size:  # a whole tar ends in two empty blocks
            raise LoraLintError("the tar shard is cut off after its last whole member", str(shard))
        if key is not None:
            yield _shard_item(shown, key, extension, caption, images)


def _shard_item(shown: str, key: str, extension: str, caption: bytes | None, images: list) -> Item:
    path = f"{shown}/{key}{extension}" if caption is not None else f"{shown}/{images[0][0]}" if images else f"{shown}/{key}"
    paths = tuple(f"{shown}/{name}" for name, _ in images)
    return Item(path, path if caption is not None else None, paths, _ROOT, "image", caption, tuple(f for _, f in images))
