"""What `lora-lint report` shows, gathered in one check of the dataset.

The check is the real one (its findings and its dataset rules' `measure`
numbers are what `check --format json` prints); an observer beside it
keeps what a page needs of every item: the caption text, the image, the
terms named. Thumbnails and image sizes come from Pillow afterwards.
"""
from __future__ import annotations

import base64
import io
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..caption import Caption
from ..dataset import Item
from ..engine import DatasetSummary, Options, Result, check, scopes
from ..errors import LoraLintError
from ..findings import Finding, path_key
from ..knowledge import Knowledge
from ..packs import load_knowledge
from ..plugins import Plugins
from ..settings import Settings, load_settings

THUMBNAIL = 160  # pixels on the long side: a 200-image page stays near 1 MB
ALWAYS = 0.9  # a term in this share of the captions is always there: it binds, it does not vary
CROPPED = 0.05  # a bucket that cuts this share of an image away can lose a head top or a hand


@dataclass
class Entry:
    """One item of the grid: its caption, its image and the findings on either."""

    path: str  # display path (the caption's, or the image's when uncaptioned)
    subset: str
    text: str | None  # the caption text (None: no caption)
    image: str | None  # display path of its (first) image
    size: tuple[int, int] | None = None
    thumbnail: str | None = None  # a data: URI
    findings: list[Finding] = field(default_factory=list)
    fit: Fit | None = None  # how the trainer's buckets take its image


@dataclass(frozen=True)
class Fit:
    """How an image fits its aspect-ratio bucket: scaled to cover it, then cropped."""

    bucket: tuple[int, int]
    scale: float  # above 1: the trainer enlarges the image
    cropped: float  # the share of the scaled image cut away

    @property
    def upscaled(self) -> bool:
        return self.scale > 1

    @property
    def cut(self) -> bool:
        return self.cropped >= CROPPED


@dataclass
class Bucket:
    """One aspect-ratio bucket of the model's base resolution, and what lands in it."""

    width: int
    height: int
    images: int = 0
    upscaled: int = 0  # smaller than the bucket: the trainer enlarges them
    cropped: int = 0  # CROPPED or more of the image is cut to fit


@dataclass
class Report:
    """Everything the page shows, for one dataset."""

    result: Result
    dataset: DatasetSummary
    knowledge: Knowledge
    settings: Settings
    entries: list[Entry]
    dataset_findings: list[Finding]  # on the dataset or a folder, not on one item
    buckets: list[Bucket]
    base: tuple[int, int] | None  # the model's base resolution
    terms: list[tuple[str, str, int]]  # (canonical, category, captions naming it), most named first
    fields: list[tuple[str, int]]  # required fields of the LoRA type and the captions naming each
    captioned: int  # training captions with an image (what shares are of)


class _Observer:
    """Keeps what the page needs of every item the check maps."""

    def __init__(self) -> None:
        self.items: list[tuple[Item, str | None]] = []
        self.senses: list[frozenset[int]] = []  # per training caption: the sense ids it names

    def __call__(self, item: Item, caption: Caption | None) -> None:
        self.items.append((item, caption.text if caption is not None else None))
        if caption is not None and item.images and item.folder.subset == "train":
            self.senses.append(frozenset(i for hit in caption.hits for i in hit.senses))


def build_report(path: Path, plugins: Plugins, options: Options) -> Report:
    """Check the dataset at PATH and gather the page's contents."""
    found = scopes([path], options.config, plugins.readers)
    if len(found) != 1:
        names = ", ".join(str(scope.path) for scope in found)
        raise LoraLintError(f"a report is of one dataset; this folder holds {len(found)} ({names}): name one", str(path))
    observer = _Observer()
    options.observe = observer
    result = check([path], plugins, options)
    dataset = result.datasets[0]
    settings = load_settings(found[0].settings) if found[0].settings else Settings()
    knowledge = load_knowledge(plugins.packs, settings.packs, plugins.kinds)
    entries, loose = _entries(observer.items, result, Path(dataset.root), dataset)
    model = knowledge.models.get(settings.model or "")
    base = tuple(model.get("resolution")[0]) if model and model.get("resolution") else None
    buckets: list[Bucket] = []
    if base:
        shapes = bucket_sizes(base)
        for entry in entries:
            if entry.size and entry.subset == "train":
                entry.fit = fit(entry.size, shapes)
        buckets = buckets_of([e.fit for e in entries if e.fit])
    return Report(
        result, dataset, knowledge, settings, entries, loose, buckets, base,
        _terms(observer.senses, knowledge), _fields(observer.senses, knowledge, settings), len(observer.senses),
    )


def _entries(items: list[tuple[Item, str | None]], result: Result, root: Path, dataset: DatasetSummary) -> tuple[list[Entry], list[Finding]]:
    """Grid entries in path order, each with its findings; the findings on no item."""
    entries, by_path = [], {}
    for item, text in items:
        image = item.shown(item.images[0]) if item.images else None
        entry = Entry(item.path, item.folder.subset, text, image)
        entry.size, entry.thumbnail = _picture(item)
        entries.append(entry)
        by_path[item.path] = entry
        for file in item.images:
            by_path.setdefault(item.shown(file), entry)
    loose = []
    for finding in result.findings:
        owner = by_path.get(finding.path)
        (owner.findings if owner else loose).append(finding)
    entries.sort(key=lambda e: path_key(e.path))
    return entries, loose


def _picture(item: Item) -> tuple[tuple[int, int] | None, str | None]:
    """The item's first image's size and thumbnail (None where it cannot be read)."""
    if not item.images:
        return None, None
    size = None
    if item.facts:
        facts = item.facts[0]
        size = (facts.width, facts.height) if getattr(facts, "width", None) else None
    if item.media == "video" or (item.text is not None and item.facts is not None):
        return size, None  # a video file, or an image inside a shard
    try:
        from PIL import Image, ImageOps

        with Image.open(item.images[0]) as image:
            size = image.size
            image.draft("RGB", (THUMBNAIL * 2, THUMBNAIL * 2))  # JPEG: decode at a fraction of the size
            picture = ImageOps.exif_transpose(image).convert("RGB")
            picture.thumbnail((THUMBNAIL, THUMBNAIL))
            out = io.BytesIO()
            picture.save(out, "JPEG", quality=70, optimize=True)
    except Exception:  # unreadable: image-quality says why; the card shows no picture
        return size, None
    return size, "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def bucket_sizes(base: tuple[int, int], step: int = 64, smallest: int = 256) -> list[tuple[int, int]]:
    """kohya's aspect-ratio buckets for a base resolution: sides in steps of
    `step` from `smallest` up to twice the base side, area at most the base's
    (sd-scripts' make_bucket_resolutions, with max_bucket_reso at 2x the side)."""
    area = base[0] * base[1]
    largest = max(base) * 2
    sizes = {(int(math.sqrt(area)) // step * step,) * 2}
    width = smallest
    while width <= largest:
        height = min(largest, area // width // step * step)
        if height >= smallest:
            sizes |= {(width, height), (height, width)}
        width += step
    return sorted(sizes, key=lambda s: s[0] / s[1])


def fit(size: tuple[int, int], shapes: list[tuple[int, int]]) -> Fit:
    """The bucket of the nearest aspect ratio (as kohya's BucketManager picks
    it), the scale that covers it and the share cropped away."""
    width, height = size
    ratio = width / max(1, height)
    shape = min(shapes, key=lambda s: abs(s[0] / s[1] - ratio))
    scale = max(shape[0] / max(1, width), shape[1] / max(1, height))
    scaled = width * scale * height * scale
    return Fit(shape, scale, max(0.0, (scaled - shape[0] * shape[1]) / scaled) if scaled else 0.0)


def buckets_of(fits: list[Fit]) -> list[Bucket]:
    """The buckets the images land in, smallest aspect ratio first."""
    buckets: dict[tuple[int, int], Bucket] = {}
    for one in sorted(fits, key=lambda f: f.bucket[0] / f.bucket[1]):
        bucket = buckets.setdefault(one.bucket, Bucket(*one.bucket))
        bucket.images += 1
        bucket.upscaled += one.upscaled
        bucket.cropped += one.cut
    return list(buckets.values())


def _terms(captions: list[frozenset[int]], knowledge: Knowledge) -> list[tuple[str, str, int]]:
    """Each known term the captions name (canonical form), with how many name it."""
    senses = knowledge.lexicon.senses
    counts = Counter(pair for named in captions for pair in {(senses[i].canonical, senses[i].category) for i in named})
    return sorted(((c, category, n) for (c, category), n in counts.items()), key=lambda t: (-t[2], t[0], t[1]))


def _fields(captions: list[frozenset[int]], knowledge: Knowledge, settings: Settings) -> list[tuple[str, int]]:
    """The LoRA type's required fields, with the captions naming each: a field
    never captioned is bound to the trigger."""
    lora = knowledge.loras.get(settings.lora or "")
    out = []
    for field_names in (lora.get("require", ()) if lora else ()):
        ids = knowledge.sense_ids(knowledge.select(tuple(field_names)))
        out.append((" / ".join(n.rsplit(".", 1)[-1].replace("_", " ") for n in field_names), sum(1 for named in captions if not ids.isdisjoint(named))))
    return out


def always_named(report: Report) -> list[tuple[str, str, int]]:
    """Terms in nearly every caption: they cannot vary, so the LoRA binds them."""
    if report.captioned < 5:
        return []
    return [t for t in report.terms if t[2] >= ALWAYS * report.captioned]
