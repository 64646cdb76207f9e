"""Sweeps: grid parsing, agreement with single checks, reuse of stored points,
and the safe-region summaries."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from helpers import ROOT, run_cli

from ccrverify.compile import compile_model
from ccrverify.errors import UsageError
from ccrverify.explicit.engine import check  # what `ccrverify check` runs
from ccrverify.loader import load
from ccrverify.request import Request
from ccrverify.sweep.executors import InlineExecutor, Work
from ccrverify.sweep.grid import Axis, grid_points, parse_axis
from ccrverify.sweep.point import PointResult, PointTask, run_point
from ccrverify.sweep.regions import summarise
from ccrverify.sweep.runner import SweepProgress, plan_sweep, run_sweep
from ccrverify.sweep.store import ResultStore
from ccrverify.sweep.summary import regions_of

CCR = str(ROOT / "specs" / "ccr.py")


def test_grid_axes_parse_ranges_steps_lists_and_booleans() -> None:
    knobs = load(CCR).spec.knobs
    assert parse_axis("renew_grace=1..4", knobs).values == (1, 2, 3, 4)
    assert parse_axis("witness_lease = 1..7:3", knobs).values == (1, 4, 7)
    assert parse_axis("mount_dial=0,6,12", knobs).values == (0, 6, 12)
    assert parse_axis("handoff=true,false", knobs).values == (True, False)
    axes = [Axis("a", (1, 2)), Axis("b", (5, 6, 7))]
    assert grid_points(axes)[:4] == [{"a": 1, "b": 5}, {"a": 1, "b": 6}, {"a": 1, "b": 7},
                                     {"a": 2, "b": 5}]
    for bad in ["renew_grace", "nope=1..2", "renew_grace=3..1", "renew_grace=0..2",
                "renew_grace=1..3:0", "handoff=maybe"]:
        with pytest.raises(UsageError):
            parse_axis(bad, knobs)


@pytest.mark.slow  # over 20 s on two busy cores; run with -m slow
def test_sweep_agrees_with_single_checks_and_reruns_from_the_store(tmp_path: Path) -> None:
    store = str(tmp_path / "results.sqlite")
    args = ["sweep", "ccr", "--grid", "renew_grace=1..4", "--grid", "witness_lease=1..4",
            "--store", store, "--jobs", "2", "--json"]
    status, out, _ = run_cli(*args)
    assert status == 0
    first = json.loads(out)
    assert first["reused"] == 0 and len(first["points"]) == 16
    loaded = load(CCR)
    for point in first["points"]:
        single = check(compile_model(loaded.build(point["knobs"])))
        assert point["distinct_states"] == single.stats.distinct_states
        assert [(p["name"], p["verdict"], p["trace_length"]) for p in point["properties"]] == [
            (p.name, str(p.verdict), p.trace_length) for p in single.properties]
    assert first["regions"]["NoSplitBrain"] == "renew_grace <= witness_lease"
    assert first["regions"]["NoLostAckedMail"] == "nowhere in the grid"

    status, out, _ = run_cli(*args)
    second = json.loads(out)
    assert status == 0 and second["reused"] == 16
    assert second["points"] == first["points"]
    with ResultStore(Path(store)) as db:
        assert db.count() == 16


class _Refusing:
    """An executor that fails if asked to run anything."""

    name = "refusing"

    def run(self, tasks: Sequence[PointTask], work: Work = run_point
            ) -> Iterator[PointResult]:
        if tasks:
            raise AssertionError(f"asked to rerun {len(tasks)} stored points")
        yield from ()


def test_a_rerun_does_the_work_once(tmp_path: Path) -> None:
    loaded = load(CCR)
    axes = [parse_axis("dumpster_size=0..2", loaded.spec.knobs)]
    plan = plan_sweep(loaded, {"max_faults": 1}, axes, "explicit", Request(("NoLostAckedMail",)))
    seen: list[SweepProgress] = []
    with ResultStore(tmp_path / "s.sqlite") as store:
        first = run_sweep(plan, InlineExecutor(), store, seen.append)
        assert [(p.done, p.total) for p in seen] == [(0, 3), (1, 3), (2, 3), (3, 3)]
        assert seen[1].eta_seconds is not None and seen[-1].eta_seconds == 0
        again = run_sweep(plan, _Refusing(), store)
        assert again.reused == 3 and again.points == first.points
        other = plan_sweep(loaded, {"max_faults": 1}, axes, "explicit", Request(("NoSplitBrain",)))
        with pytest.raises(AssertionError, match="rerun 3"):
            run_sweep(other, _Refusing(), store)  # other properties: a different key
    assert regions_of(first)["NoLostAckedMail"] == "dumpster_size = 2"


def test_sweep_out_files_and_text(tmp_path: Path) -> None:
    csv_path, text_path = tmp_path / "s.csv", tmp_path / "s.txt"
    base = ["sweep", "examples/twophase", "--grid", "rm=1..2", "--no-store", "--jobs", "1"]
    status, out, _ = run_cli(*base, "--out", str(csv_path))
    assert status == 0
    assert "Where each property holds in this grid:" in out
    assert "2 points: 0 from the results store" in out
    lines = csv_path.read_text().splitlines()
    assert lines[0].startswith("rm,distinct_states,") and len(lines) == 3
    run_cli(*base, "--out", str(text_path))
    assert "sweep of TwoPhase" in text_path.read_text()


def test_sweep_usage_errors_are_one_line() -> None:
    status, _, err = run_cli("sweep", "ccr", "--grid", "renew_grace=5..1", "--no-store")
    assert status == 2 and err.count("\n") == 1 and "LO <= HI" in err
    status, _, err = run_cli("sweep", "ccr", "--grid", "renew_grace=1..2",
                             "--executor", "ftp://x", "--no-store")
    assert status == 2 and "dask://HOST:PORT" in err


def _safe(axes: list[Axis], rule: object) -> dict[tuple[int, ...], bool]:
    return {tuple(p.values()): bool(rule(*p.values()))  # type: ignore[operator]
            for p in grid_points(axes)}


def test_region_summaries() -> None:
    g = [Axis("g", (1, 2, 3, 4)), Axis("lease", (1, 2, 3, 4))]
    assert summarise(g, _safe(g, lambda a, b: a <= b)) == "g <= lease"
    assert summarise(g, _safe(g, lambda a, b: a < b)) == "g <= lease - 1"
    assert summarise(g, _safe(g, lambda a, b: a + b <= 4)) == "g + lease <= 4"
    assert summarise(g, _safe(g, lambda a, b: b >= 2)) == "lease >= 2"
    assert summarise(g, _safe(g, lambda a, b: a == 2 and b <= 3)) == "g = 2 and lease <= 3"
    assert summarise(g, _safe(g, lambda a, b: True)) == "everywhere in the grid"
    assert summarise(g, _safe(g, lambda a, b: False)) == "nowhere in the grid"
    odd = summarise(g, _safe(g, lambda a, b: (a * b) % 3 == 1))
    assert odd.startswith("g in {1, 4} when lease = 1;"), odd
    three = [Axis("x", (0, 1, 2)), Axis("y", (0, 1, 2)), Axis("z", (0, 1))]
    assert summarise(three, _safe(three, lambda x, y, z: x <= y and z == 1)) == "x <= y and z = 1"


@pytest.mark.slow
def test_prove_engine_agrees_with_explicit_in_a_sweep() -> None:
    base = ["sweep", "examples/twophase", "--grid", "rm=2..3", "--no-store", "--json"]
    status, out, _ = run_cli(*base, "--engine", "prove")
    assert status == 0
    proved = json.loads(out)["points"]
    status, out, _ = run_cli(*base, "--engine", "explicit")
    enumerated = json.loads(out)["points"]
    for p, e in zip(proved, enumerated, strict=True):
        assert p["knobs"] == e["knobs"] and p["distinct_states"] == 0
        verdicts = {o["name"]: o["verdict"] for o in e["properties"]}
        assert all(verdicts[o["name"]] == o["verdict"] for o in p["properties"])
