"""Parallel search (`--workers N`): counts, verdicts and shortest
counterexamples identical to one worker. Chunks and batches are made tiny here
so that a small model is cut into many of each: each worker process expands
its share of a batch and sends the others theirs (`owners.py`); threads where
the search keeps ids, levels on disk or spills."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, compiled, run_cli
from helpers import SEARCH_MODELS as MODELS
from helpers import search_summary as summary

from ccrverify.explicit import owners, search
from ccrverify.request import Request


@pytest.mark.parametrize("shared", [owners.SHARED_BYTES, 16_000, 0],
                         ids=["parts in shared memory", "some by socket", "all by socket"])
@pytest.mark.parametrize(("spec", "knobs"), MODELS, ids=lambda x: str(x))
def test_workers_find_what_one_worker_finds(monkeypatch: pytest.MonkeyPatch, spec: str,
                                            knobs: dict[str, Any], shared: int) -> None:
    model = compiled(spec, **knobs)
    alone = summary(search.check(model, Request()))
    monkeypatch.setattr(search, "MIN_CHUNK", 64)
    monkeypatch.setattr(search, "MAX_CHUNK", 64)
    monkeypatch.setattr(search, "BATCH", 1000)
    monkeypatch.setattr(owners, "SHARED_BYTES", shared)  # the rest goes by socket
    for workers in (2, 3):
        assert summary(search.check(model, Request(workers=workers))) == alone, workers


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of each level the worker processes expand (none: they never took over)."""
    sizes: list[int] = []
    expand = owners.Owners.expand

    def spy(self: Any) -> None:
        sizes.append(self.size)
        expand(self)

    monkeypatch.setattr(owners.Owners, "expand", spy)
    return sizes


def test_worker_processes_take_over_once_a_level_fills_a_chunk(
        monkeypatch: pytest.MonkeyPatch, taken: list[int]) -> None:
    small = compiled("examples/twophase.py", rm=3)  # no level of 32,768 states: one process
    assert summary(search.check(small, Request(workers=2))) == summary(
        search.check(small, Request()))
    assert not taken
    # Symmetric TwoPhase: the owners share out orbit representatives (keys), expand
    # real states; they take over at the first level of a chunk (16 states here).
    monkeypatch.setattr(search, "MAX_CHUNK", 16)
    model = compiled("examples/twophase.py", rm=6, symmetric=True)
    request = Request(properties=("TCConsistent",))
    whole = search.Search(model, request)
    whole.run()
    assert summary(search.check(model, replace(request, workers=2))) == summary(
        search.check(model, request))
    assert taken[0] == next(len(p) for p in whole.levels.parents if len(p) >= 16)


def everything(result: Any) -> Any:
    """A summary with the stop reason and every extra counterexample."""
    notes = tuple(note for note in result.notes if "CPUs" not in note)  # (a 1-CPU machine)
    return (summary(result), result.complete, notes,
            [[(t.init_index, t.choices) for t in p.more_traces] for p in result.properties])


@pytest.mark.parametrize("request_", [Request(max_states=3000), Request(counterexamples=3),
                                      Request(fail_fast=True), Request(max_states=1)],
                         ids=["state limit", "three counterexamples", "fail fast", "limit 1"])
@pytest.mark.parametrize(("spec", "knobs"), MODELS, ids=lambda x: str(x))
def test_worker_processes_stop_and_count_as_one_worker(monkeypatch: pytest.MonkeyPatch,
                                                       request_: Request, spec: str,
                                                       knobs: dict[str, Any]) -> None:
    model = compiled(spec, **knobs)
    alone = everything(search.check(model, request_))
    monkeypatch.setattr(search, "MAX_CHUNK", 64)
    monkeypatch.setattr(search, "BATCH", 500)
    assert everything(search.check(model, replace(request_, workers=2))) == alone


def test_workers_are_processes_where_the_search_keeps_nothing_else() -> None:
    model = compiled("examples/twophase.py", rm=3)
    assert search.Search(model, Request(workers=2))._in_processes()
    assert not search.Search(model, Request(workers=1))._in_processes()
    assert not search.Search(model, Request(workers=2, memory=2**20))._in_processes()


def test_a_worker_process_that_dies_is_an_error_and_leaves_no_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def die(self: Any, *args: Any) -> None:
        os._exit(7)

    monkeypatch.setattr(owners.Owner, "expand", die)
    monkeypatch.setattr(search, "MAX_CHUNK", 4)  # the processes take over at once
    with pytest.raises(RuntimeError, match="worker process . ended without an answer"):
        search.check(compiled("examples/twophase.py", rm=4), Request(workers=2))
    assert not multiprocessing.active_children()


def test_an_interrupted_run_with_workers_keeps_its_finished_levels(
        monkeypatch: pytest.MonkeyPatch) -> None:
    model = compiled("examples/twophase.py", rm=5)
    whole = search.Search(model, Request())
    whole.run()
    sizes = [len(p) for p in whole.levels.parents]
    expand = search.Search._expand
    calls = []

    def interrupt_the_fourth(self: Any) -> None:
        calls.append(1)
        if len(calls) == 4:
            assert self.owners is not None  # (a level ordered ahead is left unread)
            raise KeyboardInterrupt
        expand(self)

    monkeypatch.setattr(search.Search, "_expand", interrupt_the_fourth)
    monkeypatch.setattr(search, "MAX_CHUNK", 4)  # the processes take over at once
    result = search.check(model, Request(workers=2))
    assert not result.complete and any("interrupted" in note for note in result.notes)
    assert result.stats.distinct_states == sum(sizes[:4])  # the initial level and three
    assert not multiprocessing.active_children()


def test_ctrl_c_while_a_level_is_put_in_place_keeps_that_level_whole(
        monkeypatch: pytest.MonkeyPatch) -> None:
    model = compiled("examples/twophase.py", rm=5)
    whole = search.Search(model, Request())
    whole.run()
    place = owners.Owners._place
    calls = []

    def interrupt_the_third(self: Any, *args: Any) -> None:
        calls.append(len(self.search.levels))  # the level being placed is the last
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGINT)
        place(self, *args)

    monkeypatch.setattr(owners.Owners, "_place", interrupt_the_third)
    monkeypatch.setattr(search, "MAX_CHUNK", 4)  # the processes take over at once
    stopped = search.Search(model, Request(workers=2))
    # Ctrl-C as in a terminal (a job started with `&` by a script ignores SIGINT).
    ignored = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        stopped.run()
    finally:
        signal.signal(signal.SIGINT, ignored)
    stopped.close()
    kept = calls[-1]
    assert stopped.stop_reason == "interrupted" and len(stopped.levels) == kept
    for mine, theirs in zip(stopped.levels.parents + stopped.levels.actions,
                            whole.levels.parents[:kept] + whole.levels.actions[:kept],
                            strict=True):
        assert (mine == theirs).all()
    assert not multiprocessing.active_children()


# messages=3: a level of 36,358 states, so the worker processes take the search over.
SAFETY_ONLY = "--set messages=3 --property NoSplitBrain --property NoLostAckedMail"


@pytest.mark.parametrize("only", ["", SAFETY_ONLY],
                         ids=["with temporal properties (threads)", "safety (processes)"])
def test_workers_still_find_the_violation_and_exit_1_through_a_pipe(only: str) -> None:
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m ccrverify.cli check ccr --set "
                           f"renew_grace=3 --engine numpy --workers 2 {only} | true; "
                           "echo ${PIPESTATUS[0]}"], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "1", done.stderr


def test_worker_processes_report_the_violations_one_worker_reports(taken: list[int]) -> None:
    model = compiled("ccr.py", renew_grace=3, messages=3)  # the pipe test's configuration
    request = Request(properties=("NoSplitBrain", "NoLostAckedMail"))
    shared = search.check(model, replace(request, workers=2))
    assert taken, "the worker processes never took over"
    assert [p.verdict.kind.value for p in shared.properties] == ["violated", "violated"]
    assert summary(shared) == summary(search.check(model, request))


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_a_bad_worker_count_gets_one_line(value: str) -> None:
    if value.lstrip("-").isdigit():
        status, out, err = run_cli("check", "examples/diehard", "--workers", value)
    else:  # argparse's own refusal exits the process: run one
        done = subprocess.run([sys.executable, "-m", "ccrverify.cli", "check",
                               "examples/diehard", "--workers", value],
                              capture_output=True, text=True, cwd=ROOT)
        status, out, err = done.returncode, done.stdout, done.stderr
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "--workers" in err and "Traceback" not in err


GRID_WITH_A_HOLE = '''
from ccrverify.lang import IntRange, Spec

spec = Spec("GridWithAHole")


@spec.model
def build(m):
    m.var("a", IntRange(0, 7), init=0)
    m.var("b", IntRange(0, 7), init=0)

    @m.action()
    def right(s):
        s.require(s.a < 7)
        s.a = s.a + 1

    @m.action()
    def up(s):
        s.require(s.b < 7)
        s.b = s.b + 1

    @m.action()
    def jump(s):
        s.require((s.a == 3) & (s.b == 2))
        s.b = s.b + 6


@spec.invariant("Fine")
def fine(s):
    return s.a >= 0
'''


@pytest.mark.parametrize("lagging", [False, True], ids=["", "sending thread lagging"])
def test_an_evaluation_error_in_a_worker_process_names_the_state_one_worker_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lagging: bool) -> None:
    spec = tmp_path / "grid.py"
    spec.write_text(GRID_WITH_A_HOLE)
    alone = run_cli("check", str(spec), "--engine", "numpy")
    assert alone[0] == 2 and "b would become 8" in alone[2]
    monkeypatch.setattr(search, "MAX_CHUNK", 4)  # the processes take over at once
    if lagging:  # (as on a loaded machine) the owner that fails still sends what it queued
        send = owners._send_arrays

        def late(*args: Any) -> None:
            time.sleep(0.05)
            send(*args)

        monkeypatch.setattr(owners, "_send_arrays", late)
    assert run_cli("check", str(spec), "--engine", "numpy", "--workers", "2") == alone


def test_more_workers_than_cores_is_noted(monkeypatch: pytest.MonkeyPatch) -> None:
    model = compiled("examples/twophase.py", rm=3)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    crowded = search.check(model, Request(workers=2))
    assert any("--workers 2 on 1 CPUs" in note for note in crowded.notes)
    assert summary(crowded) == summary(search.check(model, Request()))
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert not any("CPUs" in note for note in search.check(model, Request(workers=2)).notes)


def test_workers_that_cannot_start_are_one_line_and_exit_2(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def no_more_files() -> Any:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(owners.socket, "socketpair", no_more_files)
    monkeypatch.setattr(search, "MAX_CHUNK", 4)  # the processes take over at once
    status, out, err = run_cli("check", "examples/twophase", "--set", "rm=3", "--workers", "3",
                               "--property", "TCConsistent")
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "--workers 3" in err and "Too many open files" in err
    assert "ulimit" in err and "Traceback" not in err
    assert not multiprocessing.active_children()
