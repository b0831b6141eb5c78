"""The map step over worker processes: chunks of items out, outcomes back, in order.

Workers are forked from the run, so they share its compiled packs, resolved
rules and settings without loading anything again; each maps a chunk and
returns its findings and fold summaries, which the run merges in item order.
The result is the same as mapping in one process, whatever the number of
jobs. Chunks the check cache holds are not mapped at all; with one job, or
one chunk to map, nothing is forked.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .errors import LoraLintError

_RUN = None  # the dataset run whose chunks a forked worker maps


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _map(chunk):
    return _RUN.map(chunk)


def _done(value) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


def outcomes(run, chunks: Iterator[list], jobs: int, cache=None) -> Iterator:
    """The outcome of each chunk, in order: from the cache, mapped here, or in `jobs` processes."""
    global _RUN
    pool = None
    pending: deque = deque()  # (future, the cache's ticket for the chunk or None)
    forkable = jobs > 1 and sys.platform.startswith("linux")  # fork is safe there; elsewhere the map stays here
    misses = 0
    try:
        for chunk in chunks:
            key = cache.key(chunk) if cache is not None else None
            hit = cache.get(key) if key is not None else None
            if hit is not None:
                pending.append((_done(hit), key))
            else:
                misses += 1
                if pool is None and forkable and misses == 2:  # a second chunk to map: worth the workers
                    _RUN = run
                    run.images.close()  # a forked worker must not share the parent's SQLite connection
                    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
                if pool is None:
                    pending.append((_done(run.map(chunk)), key))
                else:
                    pending.append((pool.submit(_map, chunk), key))
            while len(pending) > 2 * jobs or (pending and pending[0][0].done() and pool is None):
                yield _collect(pending.popleft(), cache)
        while pending:
            yield _collect(pending.popleft(), cache)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        _RUN = None


def _collect(entry, cache):
    future, key = entry
    try:
        outcome = future.result()
    except LoraLintError:
        raise
    except BrokenProcessPool:
        raise LoraLintError("a worker process died (out of memory?): try --jobs 1") from None
    except Exception as error:  # e.g. a plugin's summary that cannot be pickled back
        raise LoraLintError(f"a worker's result could not come back: {type(error).__name__}: {error} (try --jobs 1)") from None
    if key is not None and not outcome.errors:  # a rule that failed: the run keeps no cache
        cache.put(key, outcome)  # in order: the cache file is written as the outcomes come
    return outcome
