"""The same map and reduce on a Dask cluster (`pip install 'lora-lint[dask]'`).

`lora-lint check --dask ADDRESS` reads each dataset's items here, sends
chunks of them to the workers as a `dask.bag`, where each chunk is mapped to
an outcome (caption findings and fold summaries) and the outcomes are
tree-reduced (`Bag.reduction`) into one; this process then judges the
dataset rules and reports, exactly as a local run does. `check_bag` takes a
bag of items built elsewhere.

Workers rebuild the run from a `RunSpec` (paths, settings, rule choice) once
per thread: they need lora-lint and the same plugins installed, and the
dataset at the same path (a shared filesystem); a worker that compiles other
packs or settings than this machine stops the run rather than disagree.
The items travel in the task graph, so a client needs memory for them.
"""
from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine import CHUNK, Options, Outcome, Result, Scope, _DatasetRun, scopes
from .errors import LoraLintError
from .plugins import load_plugins

_RUNS: dict[tuple, _DatasetRun] = {}  # (spec, thread) -> the run a worker maps for


@dataclass(frozen=True)
class RunSpec:
    """What a worker needs to map and merge chunks of one dataset. `key` is
    the client's `agreement()` (what the packs say, the settings, the rules):
    a worker whose own run disagrees was left with other packs or settings."""

    scope: Scope
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    config: Path | None = None
    texts: bool = True
    lang: str = "en"
    key: str = ""

    def run(self) -> _DatasetRun:
        slot = (self, threading.get_ident())  # a run (its caches, its SQLite connection) for each worker thread
        run = _RUNS.get(slot)
        if run is None:
            for old in [s for s in _RUNS if s[1] == slot[1]]:  # one dataset at a time a thread
                del _RUNS[old]
            options = Options(select=list(self.select), ignore=list(self.ignore), config=self.config, cache=False, texts=self.texts, lang=self.lang)
            run = _DatasetRun(self.scope, load_plugins(), options, Result())
            if self.key and run.agreement() != self.key:
                raise LoraLintError("a Dask worker sees other packs, settings or lora-lint code than this machine: install the same on every worker", str(self.scope.path))
            _RUNS[slot] = run
        return run


def _map_partition(items, spec: RunSpec) -> list[Outcome]:
    return [spec.run().map(list(items))]


def _combine(outcomes, spec: RunSpec) -> Outcome:
    run = spec.run()
    merged = None
    for outcome in outcomes:
        merged = outcome if merged is None else run.combine(merged, outcome)
    return merged if merged is not None else Outcome()


def reduce_bag(bag, spec: RunSpec, split_every: int = 8) -> Any:
    """A delayed Outcome: the bag's items mapped on the workers, tree-reduced in item order."""
    return bag.map_partitions(_map_partition, spec).reduction(
        lambda part: _combine(part, spec), lambda parts: _combine(parts, spec), split_every=split_every,
    )


def check_bag(bag, path: Path, options: Options | None = None, client=None) -> Result:
    """Check a `dask.bag` of `lora_lint.dataset.Item`s as the dataset at `path`
    (its settings, packs and rules), on `client` (default: dask's current scheduler)."""
    options = options or Options()
    found = scopes([path], options.config, load_plugins().readers)
    if len(found) != 1:
        raise LoraLintError(f"{len(found)} datasets below this path: give check_bag one dataset", str(path))
    return _finish(found[0], options, lambda spec: _compute(reduce_bag(_numbered(bag, client), spec), client))


def _numbered(bag, client):
    """The bag with each item given its ordinal (the run names items by them):
    the partitions' lengths first, then each partition numbered from its offset."""
    import dask.bag as db
    from dask import delayed

    lengths = _compute(bag.map_partitions(lambda part: [sum(1 for _ in part)]), client)
    offsets = [0, *itertools.accumulate(lengths)][:-1]
    parts = [delayed(_number)(part, offset) for part, offset in zip(bag.to_delayed(), offsets)]
    return db.from_delayed(parts)


def _number(items, first: int) -> list:
    items = list(items)
    for ordinal, item in enumerate(items, first):
        item.number(ordinal)
    return items


def check_with_dask(paths: list[Path], options: Options, client) -> Result:
    """`check` with the map and reduce on a Dask cluster."""
    import dask.bag as db

    plugins = load_plugins()
    result = Result()
    for scope in scopes(paths, options.config, plugins.readers):
        local = _DatasetRun(scope, plugins, options, result)
        items = [item for chunk in local.chunks() for item in chunk]
        if items:
            bag = db.from_sequence(items, partition_size=CHUNK)
            local.reduce(_compute(reduce_bag(bag, _spec(scope, options, local)), client))
        local.conclude()
    return result


def _spec(scope: Scope, options: Options, local: _DatasetRun) -> RunSpec:
    return RunSpec(scope, tuple(options.select), tuple(options.ignore), options.config, options.texts, options.lang, local.agreement())


def _compute(delayed, client):
    return client.compute(delayed).result() if client is not None else delayed.compute()


def _finish(scope: Scope, options: Options, computed) -> Result:
    result = Result()
    local = _DatasetRun(scope, load_plugins(), options, result)
    local.reduce(computed(_spec(scope, options, local)))
    local.conclude()
    return result
