"""The map and reduce on a Dask cluster give the findings of a local run."""
from __future__ import annotations

import json
import shutil
import sys

import pytest
from conftest import EXAMPLE

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

from lora_lint import engine  # noqa: E402
from lora_lint.distributed import check_bag  # noqa: E402

sys.path.insert(0, str(EXAMPLE.parent.parent / "benchmarks"))
from bench_check import make_dataset  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


@pytest.fixture
def many(tmp_path):
    root = make_dataset(tmp_path / "many", 300, per_folder=120)
    shutil.copytree(EXAMPLE / "reg", root / "reg")
    return root


def test_a_two_worker_cluster_gives_the_single_process_findings(run, many, cluster, monkeypatch):
    monkeypatch.setattr(engine, "CHUNK", 40)  # several partitions, so the tree reduction merges
    local = run("check", many, "--format", "json", "--jobs", "1", "--no-cache")
    remote = run("check", many, "--format", "json", "--dask", cluster.scheduler_address)
    assert remote.code == local.code == 1
    assert remote.out == local.out
    rules = {f["rule"] for f in json.loads(remote.out)["findings"]}
    assert {"identity-leak", "trigger-word", "regularization"} <= rules


def test_check_bag_takes_a_bag_of_items(many, cluster):
    import dask.bag as db
    from distributed import Client

    from lora_lint.engine import Options, check
    from lora_lint.plugins import load_plugins

    items = [item for chunk in engine._DatasetRun(engine.scopes([many], None)[0], load_plugins(), Options(), engine.Result()).chunks() for item in chunk]
    with Client(cluster) as client:
        result = check_bag(db.from_sequence(items, npartitions=5), many, client=client)
    local = check([many], load_plugins(), Options(cache=False))
    assert [f.to_json() for f in result.findings] == [f.to_json() for f in local.findings]


def test_an_unreachable_scheduler_is_a_one_line_error(run, many):
    done = run("check", many, "--dask", "tcp://127.0.0.1:9")
    assert done.code == 2 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in done.err


def test_a_worker_that_sees_other_packs_stops_the_run(many, cluster):
    import dask.bag as db
    from distributed import Client

    from lora_lint.distributed import RunSpec, reduce_bag
    from lora_lint.errors import LoraLintError

    scope = engine.scopes([many], None)[0]
    with Client(cluster) as client:
        with pytest.raises(LoraLintError, match="other packs, settings or lora-lint code"):
            client.compute(reduce_bag(db.from_sequence([], npartitions=1), RunSpec(scope, key="another machine's"))).result()
