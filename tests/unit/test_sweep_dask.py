"""Sweeps on a Dask distributed cluster (the optional ``dask`` extra), started
locally by the test, agree with local sweeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli


def test_dask_sweep_matches_local_processes(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    grid = ["--grid", "renew_grace=1..2", "--grid", "witness_lease=1..2"]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        status, out, _ = run_cli("sweep", "ccr", *grid, "--executor", f"dask://{address}",
                                 "--store", str(tmp_path / "d.sqlite"), "--json")
        # The points really ran as tasks on the cluster's scheduler.
        prefix = cluster.scheduler.task_prefixes.get("run_point")
        assert prefix is not None and sum(prefix.state_counts.values()) >= 4
    assert status == 0
    on_dask = json.loads(out)
    status, out, _ = run_cli("sweep", "ccr", *grid, "--no-store", "--jobs", "2", "--json")
    local = json.loads(out)

    def strip(data: dict) -> list:  # type: ignore[type-arg]
        return [(p["knobs"], p["distinct_states"], p["properties"]) for p in data["points"]]

    assert strip(on_dask) == strip(local) and len(local["points"]) == 4
    assert on_dask["regions"] == local["regions"]
