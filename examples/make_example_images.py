"""Regenerate the example dataset's images: small, valid PNG files, the
training images in the shapes photos come in (square, 2:3, 4:5, 3:2; never
under 1024 px on the short side) and as many 1024x1024 regularization (class)
images.

Each image is a simple synthetic scene (background, a figure, a light patch)
so the dataset has real image files with real dimensions, a few KB each.
Run from the repository root: python examples/make_example_images.py
"""
from __future__ import annotations

import random
import struct
import zlib
from pathlib import Path

SIZE = 1024
SHAPES = [(1024, 1024), (1024, 1536), (1024, 1280), (1536, 1024)]
DATASET = Path(__file__).parent / "character-dataset"
FOLDER = DATASET / "img" / "10_ohwx woman"
REG = DATASET / "reg" / "1_woman"  # class images, as the base model draws "a woman"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")


def scene(index: int, width: int = SIZE, height: int = SIZE) -> bytes:
    """A background, a few props and a figure, laid out differently per index."""
    rng = random.Random(index)
    background = tuple(rng.randrange(30, 230) for _ in range(3))
    shapes = []  # (left, top, right, bottom, colour)
    for _ in range(rng.randrange(3, 7)):
        left, top = rng.randrange(0, width - 200), rng.randrange(0, height - 200)
        shapes.append((left, top, left + rng.randrange(80, 500), top + rng.randrange(80, 500), tuple(rng.randrange(256) for _ in range(3))))
    left = rng.randrange(100, width - 324)
    figure = (230, 190, 170)
    shapes.append((left + 70, 200, left + 250, 420, figure))  # head
    shapes.append((left, 420, left + 320, 900, tuple(rng.randrange(256) for _ in range(3))))  # outfit
    rows = []
    for y in range(height):
        row = bytearray(bytes(background) * width)
        for x0, y0, x1, y1, colour in shapes:
            if y0 <= y < y1:
                x1 = min(x1, width)
                row[x0 * 3 : x1 * 3] = bytes(colour) * (x1 - x0)
        rows.append(bytes(row))
    return png(width, height, rows)


def main() -> None:
    REG.mkdir(parents=True, exist_ok=True)
    for number in range(1, 27):
        (FOLDER / f"{number:03d}.png").write_bytes(scene(number, *SHAPES[number % len(SHAPES)]))
        (REG / f"woman_{number:03d}.png").write_bytes(scene(100 + number))


if __name__ == "__main__":
    main()
