"""Benchmark `lora-lint plan` and `lora-lint doctor` as real processes (start-up included).

    python benchmarks/bench_plan.py            # 30- and 400-image datasets, 5 runs each
    python benchmarks/bench_plan.py --runs 9

Builds kohya-style character datasets in a temporary folder (1024x1024 PNGs
and captions, a regularization folder of the same size), then prints the
median wall time of: a plan on a 12 GB card; a plan writing every image
trainer's config; doctor on underfitting (which runs two rules). The image
facts cache in `.lora-lint-cache/` is warm, as on a second run.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

CAPTION = "ohwx woman, smiling, looking at viewer, red dress, simple background, soft lighting\n"


def build(root: Path, images: int) -> Path:
    """A character dataset of `images` training and as many class images."""
    buffer = io.BytesIO()
    Image.new("RGB", (1024, 1024), (120, 90, 60)).save(buffer, "PNG")
    (root / ".lora-lint.yaml").parent.mkdir(parents=True)
    (root / ".lora-lint.yaml").write_text("lora: character\nmodel: sdxl\n")
    for folder, text in (("img/10_ohwx woman", CAPTION), ("reg/1_woman", "a woman, standing\n")):
        target = root / folder
        target.mkdir(parents=True)
        for number in range(images):
            (target / f"{number:04d}.png").write_bytes(buffer.getvalue())
            (target / f"{number:04d}.txt").write_text(text)
    return root


def median_seconds(command: list[str], runs: int, env: dict) -> float:
    warm = subprocess.run(command, stdout=subprocess.DEVNULL, env=env)  # warm the caches
    if warm.returncode not in (0, 1):  # doctor exits 1 when its rules find something
        raise SystemExit(f"failed: {' '.join(command)}")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="30,400")
    args = parser.parse_args()
    script = str(Path(sys.executable).with_name("lora-lint"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    print(f"{'command':<34} {'images':>7} {'median s':>9}")
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            root = build(Path(folder) / f"ds{size}", size)
            out = Path(folder) / f"out{size}"
            commands = {
                "plan --gpu 'RTX 3060'": [script, "plan", str(root), "--gpu", "RTX 3060", "--format", "json"],
                "plan --write (3 trainers)": [script, "plan", str(root), "--write", "kohya", "--write", "ai-toolkit", "--write", "onetrainer", "--out", str(out), "--force", "--format", "json"],
                "doctor --symptom underfitting": [script, "doctor", str(root), "--symptom", "underfitting", "--format", "json"],
            }
            for name, command in commands.items():
                print(f"{name:<34} {size:>7} {median_seconds(command, args.runs, env):>9.3f}")


if __name__ == "__main__":
    main()
