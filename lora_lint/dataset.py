"""Datasets on disk: where the root is, which files pair up, what folders mean.

A caption and its images share a stem (`003.txt`, `003.png`). kohya folder
names (`10_ohwx woman`) give repeats, trigger and class; folders named `reg`,
`regularization`, `reg_*` or kohya folders whose identifier starts with `reg`
hold regularization (class) images.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import LoraLintError

IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp"})
VIDEO_EXTENSIONS = frozenset({".mp4", ".webm", ".mov", ".mkv", ".avi"})
_KOHYA = re.compile(r"^(\d+)_(.+)$")
_REG_FOLDER = re.compile(r"^(reg|regs|regularization|regularisation|class_images)$|^reg[_ ]", re.IGNORECASE)


@dataclass(frozen=True)
class Folder:
    """What a caption's folder says about it."""

    path: str  # relative to the dataset root, with '/' ("." for the root)
    subset: str = "train"  # "train" or "reg"
    repeats: int | None = None
    trigger: str | None = None
    klass: str | None = None


@dataclass(frozen=True, init=False)
class Item:
    """A training example: a caption, its images, or both (file paths as strings)."""

    path: str  # display path of the caption, or of the image when uncaptioned
    caption: str | None
    images: tuple[str, ...]  # the image(s); a clip's frames, in order; a video file
    folder: Folder
    media: str = "image"  # "image", "frames" (a folder of frames) or "video" (a file)
    text: bytes | None = None  # the caption's bytes, when it is not a file of its own (a JSONL line, a tar member)
    facts: tuple | None = None  # the images' ImageFacts, when they are not files of their own
    ordinal: int = 0  # the item's place in its dataset (the check numbers items as it reads them)

    def __init__(
        self, path: str, caption: str | None, images: tuple[str, ...], folder: Folder, media: str = "image",
        text: bytes | None = None, facts: tuple | None = None, ordinal: int = 0,
    ) -> None:
        # one dict update, not the frozen dataclass's object.__setattr__ a field: a million items are made
        self.__dict__.update(path=path, caption=caption, images=images, folder=folder, media=media, text=text, facts=facts, ordinal=ordinal)

    def number(self, ordinal: int) -> None:
        """Give the item its place in the dataset (once, as the check reads it:
        readers cannot know it, and items are otherwise immutable)."""
        object.__setattr__(self, "ordinal", ordinal)

    def shown(self, path: str) -> str:
        """The display path of one of the item's files (an image, a frame)."""
        if self.text is not None and self.facts is None:  # a JSONL line's or Parquet row's image file
            return f"{self.path}#image"
        if self.caption is None and self.media == "frames":  # an uncaptioned clip shows as its folder
            return f"{self.path}/{os.path.basename(path)}"
        folder = self.path.rsplit("/", 1)[0] + "/" if "/" in self.path else ""
        if self.media != "frames":  # beside the caption: only the name differs
            return folder + os.path.basename(path)
        base = os.path.dirname(self.caption or self.images[0])
        return folder + os.path.relpath(path, base).replace(os.sep, "/")

    @property
    def relative(self) -> str:
        """The item's path relative to the dataset root, with '/'."""
        name = os.path.basename(self.caption or self.images[0])
        return name if self.folder.path == "." else f"{self.folder.path}/{name}"


def folder_context(parts: tuple[str, ...]) -> Folder:
    """Read kohya and regularization conventions from folder names (root first)."""
    subset, repeats, trigger, klass = "train", None, None, None
    for part in parts:
        if _REG_FOLDER.search(part):
            subset = "reg"
        match = _KOHYA.match(part)
        if not match:
            continue
        repeats, words = int(match.group(1)), match.group(2).split()
        if words and words[0].lower() in ("reg", "regularization"):
            subset, words = "reg", words[1:]
        if subset == "reg":
            trigger, klass = None, " ".join(words) or None
        elif len(words) >= 2:
            trigger, klass = " ".join(words[:-1]), words[-1]
        else:
            trigger, klass = (words[0] if words else None), None
    return Folder("/".join(parts[1:]) or ".", subset, repeats, trigger, klass)


@dataclass
class Walk:
    """What the folder reader passed over, for the run's notes."""

    skipped: list[str] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)  # files and folders whose names are not UTF-8, as shown


def utf8_name(name: str) -> bool:
    """Whether a file name is UTF-8 (Python keeps other bytes as lone
    surrogates, which neither the caches nor the JSON output can hold)."""
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_name(name: str) -> str:
    """A file name that is not UTF-8, printable: its odd bytes as `\\xe9`."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def discover(
    scope: Path, root: Path, caption_extension: str = ".txt", parse_root: bool = False, walk: Walk | None = None, video: bool = False,
) -> Iterator[Item]:
    """Items under `scope` (a folder, or one caption or image file), in a stable order.

    Hidden files and folders are skipped; links to folders are not followed,
    and a linked file is read only if it stays inside the dataset root, so a
    link cannot lead out of the dataset. `parse_root` reads kohya conventions
    from the root folder's own name (when no settings file names the root).
    In a `video` dataset a folder of frames without a caption is one clip.
    """
    walk = walk if walk is not None else Walk()
    root = root.resolve()
    inside = str(root) + os.sep
    if scope.is_file():
        stem = os.path.splitext(scope.name)[0]
        siblings = [e for e in _entries(scope.parent, inside, walk) if os.path.splitext(e)[0] == stem]
        yield from _items_in(str(scope.parent), siblings, "", root, caption_extension, parse_root)
        return
    stack = [(str(scope), "")]
    while stack:
        folder, shown = stack.pop()
        files, folders = [], []
        for entry in _scan(folder):
            name = entry.name
            if not _listed(name, walk, shown):
                continue
            if entry.is_file(follow_symlinks=False):  # most entries: one call (no link is a regular file)
                files.append(name)
            elif entry.is_dir(follow_symlinks=False):
                folders.append(name)
            elif entry.is_symlink() and _readable(entry, inside, walk, shown):
                files.append(name)
        clips = _clip_folders(files, folders, caption_extension)
        if video and shown and not folders and _only_frames(files, caption_extension):
            context = folder_context(_parts(Path(folder), root, parse_root))
            yield Item(shown.rstrip("/"), None, tuple(os.path.join(folder, f) for f in sorted(files)), context, "frames")
            continue
        yield from _items_in(folder, sorted(files), shown, root, caption_extension, parse_root, clips, inside, walk)
        walked = [name for name in folders if name not in clips]
        stack.extend((os.path.join(folder, name), f"{shown}{name}/") for name in sorted(walked, reverse=True))


def _only_frames(files: list[str], ext: str) -> bool:
    """Image files and no caption: a clip whose caption is missing."""
    suffixes = {os.path.splitext(name)[1].lower() for name in files}
    return bool(suffixes) and suffixes <= IMAGE_EXTENSIONS


def _clip_folders(files: list[str], folders: list[str], ext: str) -> set[str]:
    """Subfolders that are video clips: a caption beside them has their name."""
    if not folders:
        return set()
    stems = {os.path.splitext(name)[0] for name in files if os.path.splitext(name)[1].lower() == ext.lower()}
    return {name for name in folders if name in stems}


def _scan(folder) -> Iterator[os.DirEntry]:
    """A folder's entries, streamed; a folder that cannot be read is an error naming it."""
    try:
        with os.scandir(folder) as entries:
            yield from entries
    except OSError as error:
        raise LoraLintError(f"cannot read this folder: {error.strerror or error}", str(folder)) from None


def _entries(folder: Path, inside: str, walk: Walk) -> list[str]:
    return sorted(e.name for e in _scan(folder) if _listed(e.name, walk, "") and _readable(e, inside, walk, ""))


def _listed(name: str, walk: Walk, shown: str) -> bool:
    """Not hidden, and a name the caches and the output can hold (one that is not UTF-8 is noted)."""
    if name.startswith("."):
        return False
    if not utf8_name(name):
        walk.unnamed.append(shown + shown_name(name))
        return False
    return True


def _readable(entry: os.DirEntry, inside: str, walk: Walk, shown: str) -> bool:
    """A regular file, or a link to one inside the dataset root."""
    if not entry.is_symlink():
        return entry.is_file(follow_symlinks=False)
    target = os.path.realpath(entry.path)
    if target.startswith(inside) and os.path.isfile(target):
        return True
    walk.skipped.append(f"{shown}{entry.name} ({_link_problem(entry.path, target, inside)})")
    return False


def _link_problem(link: str, target: str, inside: str) -> str:
    """Why a link is not followed, in a few words."""
    if not os.path.exists(target):
        return "leads nowhere"
    if not target.startswith(inside):
        return "leads outside the dataset"
    if (os.path.dirname(os.path.abspath(link)) + os.sep).startswith(target.rstrip(os.sep) + os.sep):
        return "a loop: it leads back to a folder above it"
    return "a link to a folder: its files are checked where they are"


def _items_in(
    folder: str, names: list[str], shown: str, root: Path, ext: str, parse_root: bool,
    clips: set[str] = frozenset(), inside: str = "", walk: Walk | None = None,
) -> Iterator[Item]:
    """The items of one folder; `shown` prefixes display paths."""
    ext = ext.lower()
    groups: dict[str, tuple[list[str], list[str], list[bool]]] = {}  # stem -> captions, media, which are videos
    for name in names:  # hidden files never get here, so the last dot starts the suffix
        stem, dot, suffix = name.rpartition(".")
        if not dot:
            continue
        suffix = "." + suffix.lower()
        caption = suffix == ext
        if not caption and suffix not in IMAGE_EXTENSIONS and suffix not in VIDEO_EXTENSIONS:
            continue
        group = groups.get(stem)
        if group is None:
            group = groups[stem] = ([], [], [])
        if caption:
            group[0].append(name)
        else:
            group[1].append(name)
            group[2].append(suffix in VIDEO_EXTENSIONS)
    if not groups:
        return
    context = folder_context(_parts(Path(folder), root, parse_root))
    base = folder + os.sep
    for stem in sorted(groups):
        captions, media, videos = groups[stem]
        caption = base + captions[0] if captions else None
        shown_path = shown + (captions or media)[0]
        if stem in clips:
            frames = _frames(os.path.join(folder, stem), inside, walk or Walk())
            yield Item(shown_path, caption, frames, context, "frames")
        else:
            files = (base + media[0],) if len(media) == 1 else tuple(base + m for m in media)
            yield Item(shown_path, caption, files, context, "video" if any(videos) else "image")


def _frames(folder: str, inside: str, walk: Walk) -> tuple[str, ...]:
    """A clip folder's frame images, in name order."""
    names = [
        e.name for e in _scan(folder)
        if _listed(e.name, walk, "") and os.path.splitext(e.name)[1].lower() in IMAGE_EXTENSIONS and _readable(e, inside, walk, "")
    ]
    return tuple(os.path.join(folder, name) for name in sorted(names))


def _parts(folder: Path, root: Path, parse_root: bool) -> tuple[str, ...]:
    """The folder's path from the root, led by the root's name ("" when it is
    not to be read as a kohya folder)."""
    try:
        relative = folder.resolve().relative_to(root).parts
    except ValueError:
        relative = ()
    return (root.name if parse_root else "", *relative)
