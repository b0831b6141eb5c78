"""Benchmark `lora-lint prompts` as a real process (start-up included).

    python benchmarks/bench_prompts.py               # 30 and 400 prompts, 5 runs each
    python benchmarks/bench_prompts.py --runs 9

Prints the median wall time of a character set (SDXL, tags) and a style set
(Flux, sentences) of each size, written as JSON to /dev/null.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SETS = {
    "character sdxl": ["--type", "character", "--model", "sdxl", "--class", "woman", "--gender", "woman", "--hair", "black bob"],
    "style flux": ["--type", "style", "--model", "flux", "--trigger", "mystyle", "--style", "watercolor painting"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--counts", default="30,400")
    args = parser.parse_args()
    script = Path(sys.executable).with_name("lora-lint")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # bytecode cached, as users have it
    print(f"{'set':<16} {'prompts':>8} {'median s':>9}")
    for name, flags in SETS.items():
        for count in (int(c) for c in args.counts.split(",")):
            command = [str(script), "prompts", *flags, "--count", str(count), "--format", "json"]
            subprocess.run(command, stdout=subprocess.DEVNULL, env=env, check=True)  # warm the caches
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                subprocess.run(command, stdout=subprocess.DEVNULL, env=env, check=True)
                times.append(time.perf_counter() - start)
            print(f"{name:<16} {count:>8} {statistics.median(times):>9.3f}")


if __name__ == "__main__":
    main()
