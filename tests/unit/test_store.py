"""The results store: keys, round trips, and no finished point lost to SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT, run_cli

from ccrverify.sweep.point import Outcome, PointResult
from ccrverify.sweep.store import PointKey, ResultStore

KNOBS = (("a", 1), ("b", True))


def _point(states: int) -> PointResult:
    return PointResult(KNOBS, states, 0.5, (Outcome("P", "violated", 3),
                                            Outcome("Q", "holds", None)))


def test_round_trip_and_keys(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "deep" / "r.sqlite") as store:
        key = PointKey.of("h1", KNOBS, '{"engine": "explicit"}')
        assert store.get(key) is None
        store.put(key, "M", "spec.py", _point(10))
        assert store.get(key) == _point(10)
        # The same point again replaces, never duplicates.
        store.put(key, "M", "spec.py", _point(11))
        assert store.count() == 1 and store.get(key) == _point(11)
        for other in (PointKey.of("h2", KNOBS, key.options),
                      PointKey.of("h1", (("a", 2), ("b", True)), key.options),
                      PointKey.of("h1", KNOBS, '{"engine": "prove"}')):
            assert store.get(other) is None
        # Knob order does not matter.
        assert store.get(PointKey.of("h1", reversed(KNOBS), key.options)) == _point(11)
        listed = list(store.points(model="M"))
        assert [p.result for p in listed] == [_point(11)]
        assert listed[0].to_json()["knobs"] == {"a": 1, "b": True}


def _rows(path: Path) -> list[tuple[str, int]]:
    db = sqlite3.connect(str(path), timeout=30)
    try:
        return db.execute("SELECT knobs, COUNT(*) FROM points GROUP BY knobs").fetchall()
    except sqlite3.OperationalError:  # the table does not exist yet
        return []
    finally:
        db.close()


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("jobs", [pytest.param("1", marks=pytest.mark.slow), "2"])
def test_sigkill_loses_no_finished_point(tmp_path: Path, jobs: str) -> None:
    store = tmp_path / "results.sqlite"
    args = ["sweep", "ccr", "--grid", "renew_grace=1..4", "--grid", "witness_lease=1..4",
            "--grid", "heartbeat_tolerance=1..2", "--jobs", jobs, "--store", str(store)]
    proc = subprocess.Popen([sys.executable, "-m", "ccrverify.cli", *args], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    stored_at_kill = 0
    while time.monotonic() < deadline and proc.poll() is None:
        stored_at_kill = len(_rows(store)) if store.exists() else 0
        if stored_at_kill >= 3:
            break
        time.sleep(0.02)
    workers = _children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    # Pool workers notice that their sweep is gone and exit, rather than linger.
    assert len(workers) == (0 if jobs == "1" else 2)
    gone_by = time.monotonic() + 5
    while any(_alive(w) for w in workers) and time.monotonic() < gone_by:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)
    survived = _rows(store)
    assert 3 <= len(survived) < 32, "the sweep must be killed part-way"
    assert len(survived) >= stored_at_kill

    status, out, _ = run_cli(*args, "--json")
    assert status == 0
    data = json.loads(out)
    assert data["reused"] == len(survived)
    rows = _rows(store)
    assert len(rows) == 32 and all(count == 1 for _, count in rows)
    assert {json.dumps(p["knobs"], sort_keys=True) for p in data["points"]} == {
        json.dumps({k: json.loads(knobs)[k] for k in
                    ("heartbeat_tolerance", "renew_grace", "witness_lease")}, sort_keys=True)
        for knobs, _ in rows}


def test_results_lists_and_exports(tmp_path: Path) -> None:
    store = str(tmp_path / "r.sqlite")
    run_cli("sweep", "examples/twophase", "--grid", "rm=1..2", "--jobs", "1", "--store", store)
    status, out, _ = run_cli("results", "--store", store)
    assert status == 0 and "TwoPhase" in out and "2 stored points" in out
    status, out, _ = run_cli("results", "--store", store, "--format", "csv")
    lines = out.splitlines()
    assert lines[0].startswith("model,source_hash,engine,properties,rm,symmetric,distinct_states")
    assert [line.split(",")[4] for line in lines[1:]] == ["1", "2"]
    out_file = tmp_path / "r.json"
    run_cli("results", "--store", store, "--format", "json", "--out", str(out_file))
    exported = json.loads(out_file.read_text())
    assert [p["knobs"]["rm"] for p in exported] == [1, 2]
    assert exported[0]["distinct_states"] < exported[1]["distinct_states"]
    status, _, err = run_cli("results", "--store", str(tmp_path / "none.sqlite"))
    assert status == 2 and "no results store" in err


def test_default_store_lives_under_the_working_directory(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "ccrverify.cli", "sweep",
                             str(ROOT / "specs" / "examples" / "diehard.py"),
                             "--grid", "dummy=1..1"], cwd=tmp_path, capture_output=True,
                            text=True)
    assert result.returncode == 2 and "unknown knob 'dummy'" in result.stderr
    result = subprocess.run([sys.executable, "-m", "ccrverify.cli", "sweep", "examples/twophase",
                             "--grid", "rm=1..1", "--jobs", "1"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".ccrverify" / "results.sqlite").is_file()
