"""The map step over worker processes: chunks of items out, outcomes back, in order.

Workers are forked from the run, so they share its compiled packs, resolved
rules and settings without loading anything again; each maps a chunk and
returns its findings and fold summaries, which the run merges in item order.
The result is the same as mapping in one process, whatever the number of
jobs. One chunk, or one job, is mapped in the run's own process.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import chain

_RUN = None  # the dataset run whose chunks a forked worker maps


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _map(chunk):
    return _RUN.map(chunk)


def outcomes(run, chunks: Iterator[list], jobs: int) -> Iterator:
    """The outcome of each chunk, in order; in `jobs` processes when there is more than one chunk."""
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None) if jobs > 1 else None
    if second is None or "fork" not in multiprocessing.get_all_start_methods():
        yield from (run.map(chunk) for chunk in chain([first], [second] if second else [], chunks))
        return
    global _RUN
    _RUN = run
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            pending: deque = deque()
            for chunk in chain([first, second], chunks):
                pending.append(pool.submit(_map, chunk))
                if len(pending) >= 2 * jobs:  # a bounded window: items stream, they are not all held
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
    finally:
        _RUN = None
