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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..caption import Caption
from ..dataset import Item
from ..engine import DatasetSummary, Options, Result, check, scopes
from ..errors import LoraLintError
from ..findings import Finding, path_key
from ..knowledge import Knowledge, context_of
from ..packs import load_knowledge
from ..plugins import Plugins
from ..settings import Settings, load_settings

THUMBNAIL = 160  # pixels on the long side: a 200-image page stays near 1 MB
ALWAYS = 0.9  # a term in this share of the captions is always there: it binds, it does not vary
LIMIT = 500  # items the grid shows by default (thumbnails are most of the page)
IGNORED = ("grammar.",)  # categories of words that say nothing about the image ("a", "of")
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
    upscaled: int = 0  # images smaller than the bucket: the trainer enlarges them
    cut: int = 0  # images that lose CROPPED or more to the crop


@dataclass
class Report:
    """Everything the page shows, for one dataset."""

    result: Result
    dataset: DatasetSummary
    entries: list[Entry]  # the grid: up to `limit` items, those with findings first
    items: int  # items in the dataset (the grid may show fewer)
    dataset_findings: list[Finding]  # on the dataset or a folder, not on one item
    past_findings: list[Finding]  # on items the grid has no room for
    buckets: list[Bucket]
    base: tuple[int, int] | None  # the model's base resolution (None: no model, or a video model)
    terms: list[tuple[str, str, int]]  # (canonical, its categories, captions naming it), most named first
    fields: list[tuple[str, int]] | None  # each required field and the captions naming it (None: no require rule ran)
    captioned: int  # training captions with an image and some text (what shares are of)
    video: bool = False  # the model is a video model (its trainer buckets clips its own way)
    lang: str = "en"  # the language of the findings' messages (the page's own words are English)


class _Observer:
    """Keeps what the page needs of every item the check maps."""

    def __init__(self) -> None:
        self.items: list[tuple[Item, str | None]] = []
        self.senses: list[frozenset[int]] = []  # per training caption with text: the sense ids it names

    def __call__(self, item: Item, caption: Caption | None) -> None:
        self.items.append((item, caption.text if caption is not None else None))
        if caption is not None and caption.segments and item.images and item.folder.subset == "train":
            self.senses.append(frozenset(i for hit in caption.hits for i in hit.senses))


def build_report(path: Path, plugins: Plugins, options: Options, limit: int = LIMIT) -> Report:
    """Check the dataset at PATH and gather the page's contents (a grid of at
    most `limit` items, those with findings first; 0: every item)."""
    found = scopes([path], options.config, plugins.readers)
    if len(found) != 1:
        names = ", ".join(str(scope.path) for scope in found)
        raise LoraLintError(f"a report is of one dataset; this folder holds {len(found)} ({names}): name one", str(path))
    observer = _Observer()
    options.observe = observer
    result = check([path], plugins, options)
    dataset = result.datasets[0]
    settings = load_settings(found[0].settings) if found[0].settings else Settings()
    knowledge = load_knowledge(plugins.packs, settings.packs, plugins.kinds)  # from the packs cache: the check compiled them
    entries, loose, past = _entries(observer.items, result, limit)
    model = knowledge.models.get(settings.model or "")
    video = bool(model and model.get("video"))
    resolutions = model.get("resolution") if model else None
    base = max(resolutions, key=lambda size: size[0] * size[1]) if resolutions and not video else None  # what a trainer trains at
    buckets = _bucketed(entries, observer.items, base, Path(dataset.root)) if base else []
    return Report(
        result, dataset, entries, len(observer.items), loose, past, buckets, base, _terms(observer.senses, knowledge),
        _coverage(observer.senses, result, plugins, knowledge, settings), len(observer.senses), video, options.lang,
    )


def _entries(items: list[tuple[Item, str | None]], result: Result, limit: int) -> tuple[list[Entry], list[Finding], list[Finding]]:
    """The grid's entries in path order, each with its findings and thumbnail
    (items with findings first when there are more than `limit`); the
    findings on no item; those on items past the limit."""
    entries, by_path = [], {}
    for item, text in items:
        entry = Entry(item.path, item.folder.subset, text, item.shown(item.images[0]) if item.images else None)
        entries.append(entry)
        by_path[item.path] = entry
        for file in item.images:
            by_path.setdefault(item.shown(file), entry)
    loose = []
    for finding in result.findings:
        owner = by_path.get(finding.path)
        (owner.findings if owner else loose).append(finding)
    chosen = range(len(entries))
    if limit and len(entries) > limit:
        chosen = sorted(sorted(chosen, key=lambda i: (not entries[i].findings, entries[i].subset != "train", i))[:limit])
    shown, kept = [], set(chosen)
    for index in chosen:
        entry = entries[index]
        entry.size, entry.thumbnail = _picture(items[index][0])
        shown.append(entry)
    past = [f for index, entry in enumerate(entries) if index not in kept for f in entry.findings]  # listed, without a card
    shown.sort(key=lambda e: path_key(e.path))
    return shown, loose, past


def _bucketed(entries: list[Entry], items: list[tuple[Item, str | None]], base: tuple[int, int], root: Path) -> list[Bucket]:
    """The buckets every training image lands in; each entry shown learns its fit."""
    shapes = bucket_sizes(base)
    for entry in entries:
        if entry.size and entry.subset == "train":
            entry.fit = fit(entry.size, shapes)
    return buckets_of([fit(size, shapes) for size in _train_sizes(items, root)])


def _train_sizes(items: list[tuple[Item, str | None]], root: Path) -> Iterator[tuple[int, int]]:
    """The size of each training item's first image, as the check's image
    facts have it (the dataset's image cache: nothing is opened again)."""
    from ..images import ImageStore

    train = [item for item, _ in items if item.images and item.folder.subset == "train" and item.media != "video"]
    store = ImageStore(root)
    store.expect(item.images[0] for item in train if item.facts is None)  # one query for all their rows
    for item in train:
        facts = item.facts[0] if item.facts else store.facts(item.images[0])
        if not facts.error and facts.width:
            yield facts.width, facts.height
    store.close()


def _picture(item: Item) -> tuple[tuple[int, int] | None, str | None]:
    """The item's first image's size and thumbnail (None where it cannot be read)."""
    if not item.images:
        return None, None
    if item.facts is not None:  # an image inside a dataset file: its reader knows the size
        facts = item.facts[0]
        return ((facts.width, facts.height) if facts.width else None), None
    if item.media == "video":
        return None, None
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
        return None, None
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
        bucket.cut += one.cut
    return list(buckets.values())


def _terms(captions: list[frozenset[int]], knowledge: Knowledge) -> list[tuple[str, str, int]]:
    """Each known term the captions name (canonical form, once per caption,
    its categories joined), most named first; function words left out."""
    senses = knowledge.lexicon.senses
    counts: Counter = Counter()
    categories: dict[str, set[str]] = {}
    for named in captions:
        terms = set()
        for i in named:
            sense = senses[i]
            if not sense.category.startswith(IGNORED):
                terms.add(sense.canonical)
                categories.setdefault(sense.canonical, set()).add(sense.category)
        counts.update(terms)
    return sorted(((t, ", ".join(sorted(categories[t])), n) for t, n in counts.items()), key=lambda row: (-row[2], row[0]))


def _coverage(captions: list[frozenset[int]], result: Result, plugins: Plugins, knowledge: Knowledge, settings: Settings) -> list[tuple[str, int]] | None:
    """Each field a `require` rule that ran asks for, with the captions naming
    it: what that rule judged, over the captions it judged (training ones with
    text). None when no such rule ran."""
    from ..active import resolve
    from ..kinds.require import fields_of

    context = context_of(settings, knowledge, "train")
    out: list[tuple[str, int]] = []
    ran = False
    for name, doc in result.rules.items():
        if doc.kind != "require":
            continue
        active = resolve(knowledge.rules[name], context, settings, plugins.kinds, plugins.kind_plugins, knowledge)
        if active is None:
            continue
        ran = True
        for field, ids in fields_of(active):
            out.append((label(field), sum(1 for named in captions if not ids.isdisjoint(named))))
    return out if ran else None


def label(name: str) -> str:
    """A pack name as a person reads it: `framing.full_body` is "full body"."""
    return name.rsplit(".", 1)[-1].replace("_", " ")


def always_named(report: Report) -> list[tuple[str, str, int]]:
    """Terms in nearly every caption: they cannot vary, so the LoRA binds them."""
    if report.captioned < 5:
        return []
    return [t for t in report.terms if t[2] >= ALWAYS * report.captioned]
