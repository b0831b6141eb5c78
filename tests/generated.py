"""Turn a `lora-lint prompts --out` skeleton into a dataset: an image (or a
clip of frames) beside every caption, as if each prompt had been generated."""
from __future__ import annotations

import os
import random
from pathlib import Path

from PIL import Image


def _picture(width: int, height: int, seed: str) -> Image.Image:
    """A distinct picture: a random 9x8 grid of colours, scaled up (distinct
    difference hashes, so no two count as duplicates; a few KB as PNG)."""
    rng = random.Random(seed)
    grid = Image.new("RGB", (9, 8))
    grid.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(72)])
    return grid.resize((width, height), Image.NEAREST)


def fill_images(root: Path, size: tuple[int, int], frames: int = 0) -> int:
    """An image named like each caption under `root` (or, with `frames`, a
    clip folder of that many frames). Returns how many were made."""
    made = 0
    for caption in sorted(root.rglob("*.txt")):
        if caption.parent == root or caption.name.endswith("prompts.txt"):
            continue
        if frames:
            clip = caption.with_suffix("")
            clip.mkdir(exist_ok=True)
            first = clip / "frame_0001.png"
            Image.new("RGB", size, (90, 120, 150)).save(first)
            for number in range(2, frames + 1):
                os.link(first, clip / f"frame_{number:04d}.png")
        else:
            _picture(*size, seed=caption.as_posix()).save(caption.with_suffix(".png"))
        made += 1
    return made
