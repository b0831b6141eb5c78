"""Benchmark `lora-lint report` on a 200-image dataset: making the page, its size, opening it.

    python benchmarks/bench_report.py              # 200 images, 3 runs
    python benchmarks/bench_report.py --images 500 --runs 5

Builds a character dataset in a temporary folder: JPEG photos-like images
(noise, gradients and shapes, so thumbnails compress as real ones do) in the
shapes photos come in, and captions cycled from the shipped example with
its planted problems. Prints the median wall time of `lora-lint report` as
a real process (start-up, check and thumbnails included), the page's size,
and, when Chromium and playwright are here, the median time headless
Chromium takes to open the page (navigation start to the load event).
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "character-dataset" / "img" / "10_ohwx woman"
SHAPES = [(1024, 1024), (1024, 1536), (1024, 1280), (1536, 1024), (768, 768)]


def picture(index: int, size: tuple[int, int]) -> Image.Image:
    rng = random.Random(index)
    image = Image.effect_noise(size, 40).convert("RGB")
    tint = Image.new("RGB", size, tuple(rng.randrange(40, 220) for _ in range(3)))
    image = Image.blend(image, tint, 0.7)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(size[0] - 100), rng.randrange(size[1] - 100)
        draw.ellipse((x, y, x + rng.randrange(60, 400), y + rng.randrange(60, 400)), fill=tuple(rng.randrange(256) for _ in range(3)))
    return image


def build(root: Path, images: int) -> Path:
    captions = sorted(EXAMPLE.glob("*.txt"))
    folder = root / "img" / "10_ohwx woman"
    folder.mkdir(parents=True)
    (root / ".lora-lint.yaml").write_text("lora: character\nmodel: sdxl\ntrigger: ohwx\n")
    for number in range(images):
        picture(number, SHAPES[number % len(SHAPES)]).save(folder / f"{number:04d}.jpg", "JPEG", quality=95)
        shutil.copyfile(captions[number % len(captions)], folder / f"{number:04d}.txt")
    return root


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"failed: {' '.join(command)}: {done.stderr}")
    return statistics.median(times)


def open_seconds(page_file: Path, runs: int) -> float | None:
    """Median milliseconds from navigation start to the load event, in headless Chromium."""
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=args)
        for _ in range(runs + 1):  # the first opening warms the browser
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(page_file.as_uri(), wait_until="load")
            times.append(page.evaluate("(() => { const t = performance.getEntriesByType('navigation')[0]; return t.loadEventEnd - t.startTime; })()") / 1000)
            page.close()
        browser.close()
    return statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    lora_lint = str(Path(sys.executable).with_name("lora-lint"))
    with tempfile.TemporaryDirectory() as temporary:
        root = build(Path(temporary) / "dataset", args.images)
        out = Path(temporary) / "report.html"
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        seconds = median_seconds([lora_lint, "report", str(root), "--out", str(out)], args.runs)
        opened = open_seconds(out, args.runs)
        size = out.stat().st_size
    print(f"images: {args.images}")
    print(f"lora-lint report: {seconds:.2f} s (median of {args.runs}, a real process)")
    print(f"page: {size / 1e6:.2f} MB ({size / args.images / 1e3:.1f} kB an image)")
    print(f"Chromium opens it: {opened:.2f} s to the load event" if opened is not None else "Chromium opens it: not measured (no chromium or playwright)")


if __name__ == "__main__":
    main()
