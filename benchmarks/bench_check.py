"""Benchmark `lora-lint check` on generated datasets, beside two baselines.

    python benchmarks/bench_check.py                            # 30, 1k, 10k and 100k captions
    python benchmarks/bench_check.py --sizes 30,1000,10000,100000,1000000 --write BENCHMARKS.md

Each dataset is deterministic (seeded): kohya folders of captions built from
the built-in packs' vocabularies (the canonical terms of the expression,
gaze, clothing, background, lighting and framing categories), four in five
as tags and one in five as a sentence, about one in ten with a planted
problem (an identity term, a missing trigger, a variant term, a duplicate),
and a real PNG beside every caption, of a real training size, with pixels of
its own (a grid of grey blocks: small files, uniform difference hashes). Every command runs as a
real process, start-up included; the table shows the median wall time, the
CPU time (workers included) and the peak memory of the largest process,
beside:

- the floor of any Python tool: a process that only reads every caption;
- what a user does by hand: ripgrep searching the identity term list
  (the packs' identity.* terms) over the same captions (when `rg` is installed).

`check` is measured cold without its check cache (`--no-cache`); cold with
one caption rule (`--select trigger-word`): the engine alone (walking,
reading, analysing, workers, reducing, writing), what any rule set costs at
least; as a first check (no check cache yet: it writes one); and once more,
unchanged, reading it. `x floor` is the ratio to the read loop. `--write`
keeps the file's `## Notes` section.
"""
from __future__ import annotations

import argparse
import functools
import os
import platform
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

FIELDS = ("framing", "expression", "eye_direction", "clothing", "background", "lighting")
LEAK_CATEGORIES = ("identity.hair.color", "identity.eyes", "identity.ethnicity", "identity.booru")
_PNG = b"\x89PNG\r\n\x1a\n"
SIZES = [(1024, 1024), (832, 1216), (1216, 832), (896, 1152)]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _deflate(data: bytes) -> bytes:
    """Raw deflate of `data`, ending at a full flush: it refers to nothing
    before it, so such pieces join into one stream."""
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)


@functools.lru_cache(maxsize=64)
def _same_rows(width: int, count: int) -> tuple[bytes, bytes]:
    """`count` rows that repeat the row above (PNG's Up filter over equal rows:
    zeros), raw and deflated, made once for every image of that size."""
    raw = (b"\x02" + bytes(width)) * count
    return raw, _deflate(raw)


def png(width: int, height: int, dhash: int) -> bytes:
    """A real, small PNG of a real size whose 64-bit difference hash is `dhash`:
    a 9x8 grid of grey blocks, each row's greys stepping down where a bit is
    set and up where it is not. Uniform hashes, as distinct photographs give,
    and bytes of its own. Each band is one row as differences from the left
    (Sub) and rows equal to it (Up, deflated once for all images)."""
    stream, check = [], 1
    edges = [-(-column * width // 9) for column in range(9)]  # where each block starts (the first x with x * 9 // width == column)
    for band in range(8):
        greys = [128]
        for column in range(8):
            greys.append(greys[-1] - 12 if dhash >> (63 - band * 8 - column) & 1 else greys[-1] + 12)
        row = bytearray(width)
        row[0] = greys[0]
        for column in range(1, 9):
            row[edges[column]] = (greys[column] - greys[column - 1]) & 0xFF
        first = b"\x01" + bytes(row)
        same, packed = _same_rows(width, height * (band + 1) // 8 - height * band // 8 - 1)
        stream += [_deflate(first), packed]
        check = zlib.adler32(same, zlib.adler32(first, check))
    body = b"\x78\x01" + b"".join(stream) + b"\x03\x00" + struct.pack(">I", check)  # zlib header, pieces, last block, checksum
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return _PNG + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def vocabulary() -> dict[str, list[str]]:
    """Canonical terms of the packs' categories, by caption field."""
    from lora_lint.packs import load_knowledge
    from lora_lint.plugins import load_plugins
    from lora_lint.tokens import phrase_key

    plugins = load_plugins()
    knowledge = load_knowledge(plugins.packs, [], plugins.kinds)
    variants = {phrase_key(v) for category in knowledge.categories.values() for _, vs in category.entries for v in vs}
    terms: dict[str, list[str]] = {}
    for name, category in sorted(knowledge.categories.items()):
        if name.endswith((".zh", ".phrasing")) or "*" in "".join(c for c, _ in category.entries):
            continue
        field = next((f for f in (*FIELDS, *LEAK_CATEGORIES) if name == f or name.startswith(f + ".")), None)
        if field == "background" and name != "background.simple" and name != "background.contextual":
            continue
        if field:
            terms.setdefault(field, []).extend(c for c, _ in category.entries if c.isascii() and phrase_key(c) not in variants)
    return terms


def caption(rng: random.Random, terms: dict[str, list[str]], index: int) -> str:
    parts = {field: rng.choice(terms[field]) for field in FIELDS}
    roll = rng.random()
    leak = rng.choice(terms[rng.choice(LEAK_CATEGORIES)]) if roll < 0.05 else None
    trigger = "" if 0.05 <= roll < 0.07 else "ohwx woman"
    if index % 5 == 4:  # a sentence
        text = f"{trigger or 'a woman'}, {parts['framing']}, {parts['expression']} and {parts['eye_direction']}, wearing {parts['clothing']}, {parts['background']}, {parts['lighting']}"
    else:
        tags = [trigger, *parts.values()] if trigger else list(parts.values())
        text = ", ".join(tags)
    if leak:
        text = text.replace(", ", f", {leak}, ", 1)
    if 0.07 <= roll < 0.09:
        text += ", 3/4 view"  # a variant of the vocabulary's "three quarter view"
    return text + "\n"


def make_dataset(root: Path, count: int, seed: int = 7, per_folder: int = 1000) -> Path:
    """A character dataset of `count` captions with paired image headers."""
    rng = random.Random(seed)
    terms = vocabulary()
    root.mkdir(parents=True)
    (root / ".lora-lint.yaml").write_text("lora: character\nmodel: sdxl\n")
    previous = ""
    for index in range(count):
        folder = root / "img" / f"{10 + index // per_folder}_ohwx woman"
        if index % per_folder == 0:
            folder.mkdir(parents=True)
        text = previous if rng.random() < 0.01 and previous else caption(rng, terms, index)  # a copied caption
        previous = text
        (folder / f"{index:07d}.txt").write_text(text)
        (folder / f"{index:07d}.png").write_bytes(png(*SIZES[index % len(SIZES)], rng.getrandbits(64)))
    return root


def dataset(folder: Path, size: int) -> Path:
    """The dataset of `size` captions in `folder`: made, or the one a
    finished earlier run left there (the generator is deterministic)."""
    root, done = folder / f"ds{size}", folder / f"ds{size}.complete"
    if not done.exists():
        if root.exists():
            shutil.rmtree(root)  # an interrupted generation
        make_dataset(root, size)
        done.touch()
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


def measure(command: list[str], runs: int, before=None) -> tuple[float, float, float]:
    """Median wall seconds, median CPU seconds (children included), max peak RSS in MB
    (`before()` is called ahead of each run)."""
    walls, cpus, peaks = [], [], []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        _, status, usage = os.wait4(process.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        peaks.append(usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed")
    return statistics.median(walls), statistics.median(cpus), max(peaks)


FIRST = "lora-lint check, first (writes the cache)"


def forget_checks(root: Path) -> None:
    """Delete the dataset's check cache (not its image facts): the next check is a first one."""
    for old in (root / ".lora-lint-cache").glob("check-*.pickle"):
        old.unlink()


def identity_terms(folder: Path) -> Path:
    """The packs' identity terms, one a line, for ripgrep."""
    from lora_lint.packs import load_knowledge
    from lora_lint.plugins import load_plugins

    plugins = load_plugins()
    knowledge = load_knowledge(plugins.packs, [], plugins.kinds)
    terms = sorted({t for name, c in knowledge.categories.items() if name.startswith("identity.") for e, v in c.entries for t in (e, *v) if "*" not in t})
    path = folder / "identity-terms.txt"
    path.write_text("\n".join(terms) + "\n")
    return path


def targets(results: dict[int, dict]) -> str:
    """Each target of the speed issue beside what was measured."""
    lines = ["| target | measured | met |", "|---|---|---|"]

    def row(target: str, measured: str, met: bool) -> None:
        lines.append(f"| {target} | {measured} | {'yes' if met else 'no'} |")

    cold, cached, floor = "lora-lint check, cold", "lora-lint check, unchanged (cache)", "read loop (floor)"
    if 30 in results:
        wall = results[30][cold][0]
        row("30 captions end to end in at most 0.25 s", f"{wall:.3f} s", wall <= 0.25)
    if 100000 in results:
        ratio = results[100000][cold][0] / results[100000][floor][0]
        row("100k captions in at most 3x the read loop", f"{ratio:.1f}x", ratio <= 3)
        share = results[100000][cached][0] / results[100000][FIRST][0]
        strict = results[100000][cached][0] / results[100000][cold][0]
        row("unchanged 100k again in at most 25% of the first", f"{share:.0%} of the first check ({strict:.0%} of a `--no-cache` one)", share <= 0.25)
    if 1000000 in results:
        peak = max(results[1000000][cold][2], results[1000000][cached][2])
        row("1M captions under 400 MB peak memory", f"{peak:.0f} MB", peak < 400)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30,1000,10000,100000", help="caption counts, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per command (median)")
    parser.add_argument("--write", type=Path, metavar="FILE", help="also write the table to FILE (BENCHMARKS.md)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="make the datasets in DIR and keep them; a later run reuses them (and their image caches)")
    args = parser.parse_args()
    lora_lint = [str(Path(sys.executable).with_name("lora-lint")), "check", "--format", "json"]
    rg = shutil.which("rg")
    rows = ["| captions | command | wall (s) | CPU (s) | peak MB | x floor |", "|---:|---|---:|---:|---:|---:|"]
    results: dict[int, dict] = {}
    with tempfile.TemporaryDirectory() as temp:
        terms = identity_terms(Path(temp))
        for size in (int(s) for s in args.sizes.split(",")):
            root = dataset(args.keep or Path(temp), size)
            runs = args.runs if size < 1_000_000 else 1
            subprocess.run([*lora_lint, str(root)], stdout=subprocess.DEVNULL, env=ENV)  # image facts and packs cached, as after a first use
            floor = measure([sys.executable, "-c", READ_LOOP, str(root)], runs)
            measured = {"read loop (floor)": floor}
            if rg:
                measured["ripgrep, identity terms"] = measure([rg, "-c", "-i", "-F", "-f", str(terms), "-g", "*.txt", str(root)], runs)
            measured["lora-lint check, cold"] = measure([*lora_lint, "--no-cache", str(root)], runs)
            measured["lora-lint check, cold, one rule (the engine alone)"] = measure([*lora_lint, "--no-cache", "--select", "trigger-word", str(root)], runs)
            measured[FIRST] = measure([*lora_lint, str(root)], runs, before=functools.partial(forget_checks, root))
            measured["lora-lint check, unchanged (cache)"] = measure([*lora_lint, str(root)], runs)
            for name, (wall, cpu, peak) in measured.items():
                rows.append(f"| {size} | {name} | {wall:.3f} | {cpu:.3f} | {peak:.0f} | {wall / floor[0]:.1f} |")
            results[size] = measured
            print("\n".join(rows[-len(measured):]), flush=True)
            if not args.keep:
                shutil.rmtree(root)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    table = "\n".join(rows) + "\n\n" + targets(results)
    if args.write:
        command = "python benchmarks/bench_check.py --sizes " + args.sizes + f" --runs {args.runs} --write {args.write}"
        notes = args.write.read_text().partition("\n## Notes")[1:] if args.write.exists() else ()
        args.write.write_text(f"# Benchmarks\n\nReproduce: `{command}`\n\nMachine: {machine}.\n\n{table}\n" + "".join(notes).rstrip("\n") + "\n")
    print(table)


if __name__ == "__main__":
    main()
