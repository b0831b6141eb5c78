"""Benchmark `lora-lint check` on generated datasets, beside a bare read loop.

    python benchmarks/bench_check.py                  # 30, 1k and 10k captions
    python benchmarks/bench_check.py --sizes 30,100000 --runs 3

Each dataset is deterministic (seeded): kohya folders of tag captions built
from the built-in vocabularies, a few planted problems (identity terms, a
missing trigger, a variant term), and a tiny PNG beside every caption. Every
command runs as a real process (start-up included); the table shows the
median wall time, CPU time and peak memory, and the ratio to the floor of any
Python tool: a process that only reads every caption file.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

WORDS = {
    "angle": ["front view", "three quarter view", "side profile", "from above", "from below"],
    "expression": ["gentle smile", "laughing", "serious expression", "surprised expression", "neutral expression", "pouting", "winking"],
    "gaze": ["looking at viewer", "looking away", "looking down", "looking up", "eyes closed"],
    "pose": ["arms crossed", "peace sign", "hands on hips", "sitting", "walking", "waving hand"],
    "clothing": ["white t-shirt", "black hoodie", "blue jeans", "red dress", "leather jacket", "school uniform", "cardigan"],
    "background": ["simple background", "white background", "park background", "city street", "bedroom", "beach"],
    "lighting": ["natural lighting", "studio lighting", "golden hour", "dramatic lighting", "soft lighting"],
}
LEAKS = ["asian", "black hair", "blue eyes", "long hair", "1girl"]
_PNG = b"\x89PNG\r\n\x1a\n"


def tiny_png(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", 13) + b"IHDR" + header + struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return _PNG + chunk


def caption(rng: random.Random) -> str:
    tags = ["ohwx woman"] + [rng.choice(options) for options in WORDS.values()]
    roll = rng.random()
    if roll < 0.05:
        tags.insert(1, rng.choice(LEAKS))
    elif roll < 0.07:
        tags.pop(0)
    elif roll < 0.09:
        tags.append("3/4 view")
    return ", ".join(tags) + "\n"


def make_dataset(root: Path, count: int, seed: int = 7, per_folder: int = 1000) -> Path:
    rng = random.Random(seed)
    image = tiny_png(1024, 1024)  # a header only: image rules read it as a cut-off file
    root.mkdir(parents=True)
    (root / ".lora-lint.yaml").write_text("lora: character\nmodel: sdxl\n")
    for index in range(count):
        folder = root / "img" / f"{10 + index // per_folder}_ohwx woman"
        if index % per_folder == 0:
            folder.mkdir(parents=True)
        (folder / f"{index:07d}.txt").write_text(caption(rng))
        (folder / f"{index:07d}.png").write_bytes(image)
    return root


READ_LOOP = """
import os, sys
for folder, _, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith('.txt'):
            with open(os.path.join(folder, name), 'rb') as handle:
                handle.read()
"""


# As on a user's machine: Python keeps compiled bytecode (some sandboxes turn that off).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(command: list[str], runs: int) -> tuple[float, float, float]:
    """Median wall seconds, median CPU seconds, max peak RSS in MB."""
    walls, cpus, peaks = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        _, status, usage = os.wait4(process.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        peaks.append(usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed")
    return statistics.median(walls), statistics.median(cpus), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30,1000,10000", help="caption counts, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="runs per command (median)")
    args = parser.parse_args()
    lora_lint = [str(Path(sys.executable).with_name("lora-lint"))]
    rows = ["| captions | command | wall (s) | CPU (s) | peak MB | x read loop |", "|---:|---|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as temp:
        for size in (int(s) for s in args.sizes.split(",")):
            root = make_dataset(Path(temp) / f"ds{size}", size)
            subprocess.run([*lora_lint, "check", str(root), "--format", "json"], stdout=subprocess.DEVNULL, env=ENV)  # warm caches
            floor = measure([sys.executable, "-c", READ_LOOP, str(root)], args.runs)
            check = measure([*lora_lint, "check", str(root), "--format", "json"], args.runs)
            rows.append(f"| {size} | read loop | {floor[0]:.3f} | {floor[1]:.3f} | {floor[2]:.0f} | 1.0 |")
            rows.append(f"| {size} | lora-lint check | {check[0]:.3f} | {check[1]:.3f} | {check[2]:.0f} | {check[0] / floor[0]:.1f} |")
            shutil.rmtree(root)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
