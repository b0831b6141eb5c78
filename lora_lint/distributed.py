"""The same map and reduce on a Dask cluster (`pip install 'lora-lint[dask]'`).

`lora-lint check --dask ADDRESS` reads each dataset's items here, sends
chunks of them to the workers as a `dask.bag`, where each chunk is mapped to
an outcome (caption findings and fold summaries) and the outcomes are
tree-reduced (`Bag.reduction`) into one; this process then judges the
dataset rules and reports, exactly as a local run does. `check_bag` takes a
bag of items built elsewhere.

Workers rebuild the run from a `RunSpec` (paths, settings, rule choice) once
per process: they need lora-lint and the same plugins installed, and the
dataset at the same path (a shared filesystem).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine import CHUNK, Options, Outcome, Result, Scope, _DatasetRun, scopes
from .findings import Finding
from .plugins import load_plugins

_RUNS: dict["RunSpec", _DatasetRun] = {}  # per worker process


@dataclass(frozen=True)
class RunSpec:
    """What a worker needs to map and merge chunks of one dataset."""

    scope: Scope
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    config: Path | None = None

    def run(self) -> _DatasetRun:
        run = _RUNS.get(self)
        if run is None:
            options = Options(select=list(self.select), ignore=list(self.ignore), config=self.config, cache=False)
            run = _RUNS[self] = _DatasetRun(self.scope, load_plugins(), options, Result())
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
    (scope,) = scopes([path], options.config)
    return _finish(scope, options, lambda spec: _compute(reduce_bag(bag, spec), client))


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
            local.reduce(_compute(reduce_bag(bag, _spec(scope, options)), client))
        local.conclude()
    result.findings.sort(key=Finding.sort_key)
    return result


def _spec(scope: Scope, options: Options) -> RunSpec:
    return RunSpec(scope, tuple(options.select), tuple(options.ignore), options.config)


def _compute(delayed, client):
    return client.compute(delayed).result() if client is not None else delayed.compute()


def _finish(scope: Scope, options: Options, computed) -> Result:
    result = Result()
    local = _DatasetRun(scope, load_plugins(), options, result)
    local.reduce(computed(_spec(scope, options)))
    local.conclude()
    result.findings.sort(key=Finding.sort_key)
    return result
