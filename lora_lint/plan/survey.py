"""What a plan is made for: a dataset's folders, concepts and image sizes.

The survey reads the dataset the way `check` does (the same settings file,
dataset readers and kohya folder conventions) but keeps only counts: each
folder's subset, trigger, class, repeats from its name, and how many
trainable items (an image, a clip) it holds.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

from ..engine import dataset_root
from ..errors import LoraLintError
from ..images import ImageStore
from ..settings import Settings, check_names, find_settings, load_settings


@dataclass
class SurveyFolder:
    """One folder of training or regularization items."""

    path: Path  # absolute
    relative: str  # to the dataset root, with '/'
    subset: str  # "train" or "reg"
    trigger: str | None
    klass: str | None
    repeats: int | None  # what the kohya folder name says
    items: int = 0  # trainable items: images or clips
    captioned: int = 0
    media: str = "image"  # "image", "video" (files) or "frames" (clip folders): what most items are
    kinds: dict[str, int] = field(default_factory=dict)


@dataclass
class Concept:
    """What one trigger trains: its folders and their items."""

    trigger: str | None
    klass: str | None
    folders: list[SurveyFolder]

    @property
    def items(self) -> int:
        return sum(folder.items for folder in self.folders)


@dataclass
class Survey:
    """A dataset, counted."""

    root: Path
    settings: Settings
    folders: list[SurveyFolder] = field(default_factory=list)
    short_sides: list[int] = field(default_factory=list)  # of the training images (and clips' first frames) that could be read
    areas: list[int] = field(default_factory=list)  # their pixel counts (what aspect-ratio buckets compare)
    clip_frames: list[int] = field(default_factory=list)  # frame counts of clips that are folders of frames
    notes: list[str] = field(default_factory=list)

    @property
    def train(self) -> list[SurveyFolder]:
        return [f for f in self.folders if f.subset == "train" and f.items]

    @property
    def reg(self) -> list[SurveyFolder]:
        return [f for f in self.folders if f.subset == "reg" and f.items]

    def concepts(self) -> list[Concept]:
        """Training folders grouped by trigger (the settings' trigger for folders naming none)."""
        grouped: dict[str | None, Concept] = {}
        for folder in self.train:
            trigger = folder.trigger or self.settings.trigger
            concept = grouped.setdefault(trigger, Concept(trigger, folder.klass or self.settings.klass, []))
            concept.folders.append(folder)
        return list(grouped.values())

    @property
    def median_short_side(self) -> int | None:
        return int(statistics.median(self.short_sides)) if self.short_sides else None

    @property
    def median_area(self) -> int | None:
        return int(statistics.median(self.areas)) if self.areas else None


def read_settings(path: Path, config: Path | None = None) -> Settings:
    """The settings of the dataset at PATH (a folder), as `check` finds them."""
    if not path.exists():
        raise LoraLintError("no such folder", str(path))
    if not path.is_dir():
        raise LoraLintError("not a folder: give the whole dataset", str(path))
    settings_file = config or find_settings(path)
    return load_settings(settings_file) if settings_file else Settings()


def survey(path: Path, plugins, knowledge, settings: Settings) -> Survey:
    """Count the dataset at PATH (a folder, with `read_settings`' settings,
    checked here against the packs)."""
    check_names(settings, knowledge.loras, knowledge.models)
    root = dataset_root(path, settings.path)
    reader = next((r for r in plugins.readers if r.claims(path)), None)
    if reader is None:
        raise LoraLintError("no dataset reader understands this path", str(path))
    found = Survey(root, settings)
    folders: dict[str, SurveyFolder] = {}
    images = ImageStore(root)
    for item in reader.items(path, root, settings, found.notes):
        context = item.folder
        folder = folders.get(context.path)
        if folder is None:
            absolute = root if context.path == "." else root / context.path
            folder = SurveyFolder(absolute, context.path, context.subset, context.trigger, context.klass, context.repeats)
            folders[context.path] = folder
        if not item.images:
            continue
        folder.items += 1
        folder.captioned += item.caption is not None
        folder.kinds[item.media] = folder.kinds.get(item.media, 0) + 1
        folder.media = max(folder.kinds, key=folder.kinds.get)
        if context.subset == "train" and item.media == "frames":
            found.clip_frames.append(len(item.images))
        if context.subset == "train" and item.media in ("image", "frames"):  # a clip's size is its first frame's
            facts = images.facts(item.images[0])
            if not facts.error and facts.width:
                found.short_sides.append(min(facts.width, facts.height))
                found.areas.append(facts.width * facts.height)
    images.save()
    found.folders = sorted(folders.values(), key=lambda f: f.relative)
    if not found.train:
        raise LoraLintError("no training images found: nothing to plan", str(path))
    return found
