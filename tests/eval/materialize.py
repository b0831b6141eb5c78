"""Turn an evaluation dataset (captions + `images.yaml`) into a real dataset on disk.

The evaluation datasets under `tests/eval/datasets/` hold caption files and a
small manifest of their images instead of the images themselves. This module
copies a dataset to a folder and writes every image the manifest describes,
with Pillow, so that `lora-lint check` sees real files.

    python tests/eval/materialize.py tests/eval/datasets/character-tags /tmp/out

`images.yaml`:

    defaults: {width: 1024, height: 1024, format: png, mode: RGB}
    images:
      "img/10_ohwx woman/{001..028}.png": {}          # a numeric range
      "img/10_ohwx woman/029.jpg": {format: jpeg, jpeg_quality: 70}
      "img/10_ohwx woman/030.png": {same_as: "img/10_ohwx woman/004.png"}
      "clips/walk/{0001..0060}.png": {frames: true, width: 832, height: 480}

Keys: width, height, format (png, jpeg, webp, bmp), mode (RGB, RGBA, CMYK),
same_as (draw the same picture as that file: identical pixels at the same
size, a near-duplicate at another size or format), corrupt (write the file,
then cut it in half), jpeg_quality (default 97), exif_rotation (an EXIF
orientation value, e.g. 6), frames (video frames: the picture is the
folder's, shifted a little per frame, as a camera pans), seed (any string,
to draw a picture by another name).

Every picture is a coarse grid of random colour blocks seeded by its name, so
different names give perceptually different images and `same_as` gives the
same picture: what a duplicate detector needs to tell them apart.
"""
from __future__ import annotations

import hashlib
import random
import re
import shutil
import sys
from pathlib import Path

import yaml

MANIFEST = "images.yaml"
GROUND_TRUTH = "expected.yaml"
NOT_COPIED = {MANIFEST, GROUND_TRUTH, "README.md"}
_RANGE = re.compile(r"\{(\d+)\.\.(\d+)\}")
_FORMATS = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "webp": "WEBP", "bmp": "BMP"}


def expand(pattern: str) -> list[tuple[str, int]]:
    """`a/{001..003}.png` -> [("a/001.png", 0), ("a/002.png", 1), ("a/003.png", 2)]."""
    match = _RANGE.search(pattern)
    if not match:
        return [(pattern, 0)]
    first, last = match.group(1), match.group(2)
    width = len(first)
    names = []
    for index, number in enumerate(range(int(first), int(last) + 1)):
        names.append((pattern[: match.start()] + str(number).zfill(width) + pattern[match.end():], index))
    return names


def load_manifest(dataset: Path) -> list[tuple[str, dict]]:
    """(relative path, resolved spec) for every image of the dataset."""
    path = dataset / MANIFEST
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    defaults = {"width": 1024, "height": 1024, "format": "png", "mode": "RGB"}
    defaults.update(data.get("defaults") or {})
    images = []
    for pattern, spec in (data.get("images") or {}).items():
        for name, index in expand(pattern):
            resolved = dict(defaults)
            resolved.update(spec or {})
            resolved["index"] = index
            images.append((name, resolved))
    return images


def _picture(seed: str, width: int, height: int, shift: int = 0):
    from PIL import Image

    rng = random.Random(hashlib.sha256(seed.encode("utf-8")).hexdigest())
    cols, rows = 12, 12
    small = Image.new("RGB", (cols, rows))
    small.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(cols * rows)])
    picture = small.resize((width, height), Image.NEAREST)
    if shift:
        from PIL import ImageChops

        picture = ImageChops.offset(picture, shift, 0)
    return picture


def draw(name: str, spec: dict, dataset_name: str):
    """The PIL image a spec describes."""
    from PIL import Image

    width, height = int(spec["width"]), int(spec["height"])
    if spec.get("frames"):
        folder = name.rsplit("/", 1)[0]
        picture = _picture(f"{dataset_name}:{folder}", width, height, shift=int(spec["index"]) * 3)
    else:
        seed = spec.get("seed") or spec.get("same_as") or name
        picture = _picture(f"{dataset_name}:{seed}", width, height)
    mode = spec.get("mode", "RGB")
    if mode == "RGBA":
        picture = picture.convert("RGBA")
        alpha = Image.new("L", picture.size, 255)
        # a transparent border, as a cut-out product shot has
        border = max(1, min(width, height) // 8)
        alpha.paste(0, (0, 0, width, border))
        alpha.paste(0, (0, height - border, width, height))
        picture.putalpha(alpha)
    elif mode != "RGB":
        picture = picture.convert(mode)
    return picture


def write_image(target: Path, spec: dict, dataset_name: str, name: str) -> None:
    from PIL import Image

    fmt = _FORMATS[str(spec.get("format", "png")).lower()]
    picture = draw(name, spec, dataset_name)
    options: dict = {}
    if fmt == "JPEG":
        options["quality"] = int(spec.get("jpeg_quality", 97))
        options["subsampling"] = 0 if options["quality"] >= 90 else 2
    elif fmt == "WEBP":
        options["lossless"] = True
    elif fmt == "PNG":
        options["compress_level"] = 1
    if spec.get("exif_rotation"):
        exif = Image.Exif()
        exif[0x0112] = int(spec["exif_rotation"])
        options["exif"] = exif.tobytes()
    target.parent.mkdir(parents=True, exist_ok=True)
    picture.save(target, fmt, **options)
    if spec.get("corrupt"):
        data = target.read_bytes()
        target.write_bytes(data[: len(data) // 2])


def materialize(dataset: Path, out: Path) -> Path:
    """Copy `dataset` to `out` (which must not exist) and write its images; return `out`."""
    dataset = Path(dataset)
    out = Path(out)
    shutil.copytree(dataset, out, ignore=lambda folder, names: [n for n in names if Path(folder) == dataset and n in NOT_COPIED])
    for name, spec in load_manifest(dataset):
        write_image(out / name, spec, dataset.name, name)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: materialize.py DATASET OUT", file=sys.stderr)
        return 2
    materialize(Path(argv[0]), Path(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
