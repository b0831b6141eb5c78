"""image-quality and duplicate-image on real image files made with Pillow."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from PIL import Image

FOLDER = "img/10_ohwx woman"
CAPTION = "ohwx woman, front view, smiling, looking at viewer, hoodie, white background, soft lighting"


def picture(seed: int, size=(1024, 1024), mode="RGB") -> Image.Image:
    """A few random blocks: distinct pictures for distinct seeds."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    for _ in range(6):
        left, top = rng.randrange(size[0] - 50), rng.randrange(size[1] - 50)
        box = (left, top, left + rng.randrange(50, size[0] // 2), top + rng.randrange(50, size[1] // 2))
        image.paste(tuple(rng.randrange(256) for _ in range(3)), box)
    return image.convert(mode) if mode != "RGB" else image


@pytest.fixture
def dataset(tmp_path) -> Path:
    root = tmp_path / "ds"
    (root / FOLDER).mkdir(parents=True)
    (root / ".lora-lint.yaml").write_text("lora: character\nmodel: sdxl\n")
    return root


def add(root: Path, name: str, image: Image.Image, **save) -> Path:
    path = root / FOLDER / name
    image.save(path, **save)
    path.with_suffix(".txt").write_text(CAPTION + "\n")
    return path


def messages(run, root: Path, rule: str) -> dict[str, str]:
    found = run("check", root, "--format", "json", "--select", rule).json["findings"]
    return {f["path"].rsplit("/", 1)[-1]: f["message"] for f in found}


def test_good_images_are_clean(run, dataset):
    add(dataset, "a.png", picture(1))
    add(dataset, "b.jpg", picture(2), quality=97)
    assert messages(run, dataset, "image-quality,duplicate-image") == {}


def test_image_problems_are_named(run, dataset):
    add(dataset, "small.png", picture(3, (512, 512)))
    add(dataset, "bucket.png", picture(12, (832, 1216)))  # an SDXL bucket: trained unscaled
    add(dataset, "narrow.png", picture(13, (832, 1024)))  # below every bucket's area
    add(dataset, "lossy.jpg", picture(4), quality=60)
    add(dataset, "print.jpg", picture(5, mode="CMYK"), quality=97)
    add(dataset, "cutout.png", picture(6, mode="RGBA"))
    add(dataset, "wide.png", picture(7, (3000, 1024)))
    add(dataset, "old.bmp", picture(8))
    rotated = picture(9)
    exif = rotated.getexif()
    exif[0x0112] = 6
    add(dataset, "sideways.jpg", rotated, quality=97, exif=exif)
    cut = add(dataset, "cut.png", picture(10))
    cut.write_bytes(cut.read_bytes()[: len(cut.read_bytes()) // 2])
    junk = add(dataset, "junk.png", picture(11))
    junk.write_bytes(b"not an image at all")
    found = messages(run, dataset, "image-quality")
    assert found["small.png"] == "512x512 is below sdxl's native 1024x1024: upscaled in training, the LoRA learns blur"
    assert "bucket.png" not in found and found["narrow.png"].startswith("832x1024 is below sdxl's native")
    assert found["lossy.jpg"].startswith("JPEG quality about 60")
    assert found["print.jpg"].startswith("CMYK image")
    assert found["cutout.png"].startswith("has an alpha channel")
    assert found["wide.png"].startswith("2.9:1 aspect ratio")
    assert found["old.bmp"].startswith("BMP image")
    assert found["sideways.jpg"].startswith("EXIF rotation")
    assert found["cut.png"].startswith("the file is cut off")
    assert found["junk.png"].startswith("not a readable image")


def test_identical_and_near_duplicate_images(run, dataset):
    original = picture(12)
    add(dataset, "a.png", original)
    add(dataset, "b.png", original)  # the same pixels, byte for byte
    add(dataset, "c.jpg", original.resize((1100, 1100)), quality=96)  # resized and recompressed
    add(dataset, "d.png", picture(13))
    found = messages(run, dataset, "duplicate-image")
    assert found["b.png"].startswith(f"the same image as {FOLDER}/a.png")
    assert found["c.jpg"].startswith(f"nearly the same image as {FOLDER}/a.png")
    assert "d.png" not in found


def test_image_facts_are_cached_and_refreshed_when_a_file_changes(run, dataset):
    path = add(dataset, "a.png", picture(14, (512, 512)))
    assert "a.png" in messages(run, dataset, "image-quality")
    assert (dataset / ".lora-lint-cache" / "images-v3.sqlite").is_file()
    picture(14).save(path)
    assert messages(run, dataset, "image-quality") == {}



def test_image_facts_are_found_however_the_dataset_is_named(tmp_path, run, monkeypatch):
    """`check .` inside the dataset and `check PATH` from elsewhere share the
    image cache: the facts are not read again (here, an image whose bytes
    were spoiled behind an unchanged size and mtime still has its old facts)."""
    import os
    import shutil

    from conftest import EXAMPLE

    dataset = tmp_path / "example"
    shutil.copytree(EXAMPLE, dataset, ignore=shutil.ignore_patterns(".lora-lint-cache"))
    monkeypatch.chdir(dataset)
    assert not [f for f in run("check", ".", "--format", "json").json["findings"] if f["rule"] == "image-quality" and "005.png" in f["path"]]
    image = dataset / "img/10_ohwx woman/005.png"
    stat = image.stat()
    image.write_bytes(b"\0" * stat.st_size)
    os.utime(image, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    for cwd, named in ((tmp_path, dataset), (dataset / "img", Path("..")), (tmp_path, Path("example/img/10_ohwx woman"))):
        monkeypatch.chdir(cwd)
        found = run("check", named, "--format", "json", "--no-cache").json["findings"]
        assert not [f for f in found if f["rule"] == "image-quality" and "005.png" in f["path"]], named


def test_an_image_that_could_not_be_read_is_read_again(tmp_path, run):
    """An error is not remembered: a file put right with its old size and
    mtime (a permission fixed, a copy restored) is read again."""
    import os
    import shutil

    from conftest import EXAMPLE

    dataset = tmp_path / "example"
    shutil.copytree(EXAMPLE, dataset, ignore=shutil.ignore_patterns(".lora-lint-cache"))
    image = dataset / "img/10_ohwx woman/005.png"
    good, stat = image.read_bytes(), image.stat()
    image.write_bytes(b"\0" * len(good))
    os.utime(image, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    first = run("check", dataset, "--format", "json").json["findings"]
    assert any(f["path"].endswith("005.png") and f["rule"] == "image-quality" for f in first)
    image.write_bytes(good)
    os.utime(image, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = run("check", dataset, "--format", "json").json["findings"]
    assert not any(f["path"].endswith("005.png") and f["rule"] == "image-quality" for f in again)
