"""Parallel expansion (`--workers N`): counts, verdicts and shortest
counterexamples identical to one worker. Chunks and batches are made tiny here
so that a small model is cut into many of each, expanded and inserted by
several threads at once."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from helpers import ROOT, compiled, run_cli
from helpers import SEARCH_MODELS as MODELS
from helpers import search_summary as summary

from ccrverify.explicit import search
from ccrverify.request import Request


@pytest.mark.parametrize(("spec", "knobs"), MODELS, ids=lambda x: str(x))
def test_workers_find_what_one_worker_finds(monkeypatch: pytest.MonkeyPatch, spec: str,
                                            knobs: dict[str, Any]) -> None:
    model = compiled(spec, **knobs)
    alone = summary(search.check(model, Request()))
    monkeypatch.setattr(search, "MIN_CHUNK", 64)
    monkeypatch.setattr(search, "BATCH", 1000)
    for workers in (2, 3):
        assert summary(search.check(model, Request(workers=workers))) == alone, workers


def test_workers_still_find_the_violation_and_exit_1_through_a_pipe() -> None:
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m ccrverify.cli check ccr --set "
                           "renew_grace=3 --engine numpy --workers 2 | true; "
                           "echo ${PIPESTATUS[0]}"], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "1", done.stderr


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
