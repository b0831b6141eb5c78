"""Regenerate the example dataset's images: small, valid 1024x1024 PNG files,
the training images and as many regularization (class) images.

Each image is a simple synthetic scene (background, a figure, a light patch)
so the dataset has real image files with real dimensions, a few KB each.
Run from the repository root: python examples/make_example_images.py
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

SIZE = 1024
DATASET = Path(__file__).parent / "character-dataset"
FOLDER = DATASET / "img" / "10_ohwx woman"
REG = DATASET / "reg" / "1_woman"  # class images, as the base model draws "a woman"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")


def scene(index: int) -> bytes:
    background = ((index * 53) % 200 + 40, (index * 97) % 200 + 40, (index * 31) % 200 + 40)
    figure = (230 - index * 5 % 100, 190, 170)
    left = 300 + (index * 37) % 200
    rows = []
    for y in range(SIZE):
        row = bytearray(bytes(background) * SIZE)
        if 200 <= y < 900:
            width = 180 if y < 420 else 320
            start = left + (160 - width // 2)
            row[start * 3 : (start + width) * 3] = bytes(figure) * width
        rows.append(bytes(row))
    return png(SIZE, SIZE, rows)


def main() -> None:
    REG.mkdir(parents=True, exist_ok=True)
    for number in range(1, 27):
        (FOLDER / f"{number:03d}.png").write_bytes(scene(number))
        (REG / f"woman_{number:03d}.png").write_bytes(scene(100 + number))


if __name__ == "__main__":
    main()
