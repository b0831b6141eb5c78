"""Where a check's time goes, rule kind by rule kind.

    python benchmarks/profile_kinds.py DATASET            # µs a call of each kind's check, fold, merge, judge, measure
    python benchmarks/profile_kinds.py DATASET --noop     # the same check with every kind's work taken out

The check runs in this process (`--jobs 1 --no-cache --format json`, its
output dropped) with each built-in kind's steps wrapped in a timer, so the
figures are the kinds' own cost, not the engine's. `--noop` replaces every
check and fold with one that does nothing: its wall time is the engine's
cost with the full rule set (reading, analysing, dispatching, reducing,
writing), to set beside a normal run's. The timer adds about 0.3 µs a call.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import pkgutil
import sys
import time
from collections import Counter

import lora_lint.kinds
from lora_lint.cli import main as lora_lint_main

STEPS = ("check", "fold", "merge", "judge", "measure")


def kind_modules():
    """The built-in kinds' modules."""
    for module in pkgutil.iter_modules(lora_lint.kinds.__path__):
        yield importlib.import_module(f"lora_lint.kinds.{module.name}")


def timed(step, key: str, spent: Counter, calls: Counter):
    """`step`, timed into `spent[key]` (its generator drained, so lazy work counts)."""

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            result = step(*args, **kwargs)
            return list(result) if key.endswith((".check", ".judge")) else result
        finally:
            spent[key] += time.perf_counter() - start
            calls[key] += 1

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset")
    parser.add_argument("--noop", action="store_true", help="every kind's check and fold does nothing")
    args = parser.parse_args()
    spent: Counter = Counter()
    calls: Counter = Counter()
    for module in kind_modules():
        name = module.__name__.rsplit(".", 1)[1]
        for step in STEPS:
            function = getattr(module, step, None)
            if not callable(function):
                continue
            if args.noop and step == "check":
                module.check = lambda caption, rule: ()
            elif args.noop and step == "fold":
                module.fold = lambda summary, item, caption, rule: None
            elif not args.noop:
                setattr(module, step, timed(function, f"{name}.{step}", spent, calls))
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        lora_lint_main(["check", args.dataset, "--format", "json", "--no-cache", "--jobs", "1"])
    wall = time.perf_counter() - start
    print(f"check: {wall:.3f} s wall" + (" with every kind a no-op" if args.noop else ""))
    if args.noop:
        return
    captions = max(calls.values(), default=0)
    print(f"kinds: {sum(spent.values()):.3f} s, about {sum(spent.values()) / max(captions, 1) * 1e6:.1f} µs a caption\n")
    print(f"{'kind.step':28} {'total ms':>9} {'calls':>8} {'µs a call':>10}")
    for key, seconds in spent.most_common():
        print(f"{key:28} {seconds * 1e3:9.1f} {calls[key]:8d} {seconds / calls[key] * 1e6:10.1f}")


if __name__ == "__main__":
    sys.exit(main())
