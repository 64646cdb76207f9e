"""The search on disk under a memory budget (`--memory SIZE`): the same states,
transitions, depth, verdicts and counterexamples as in memory. The budgets here
are tiny (set through the API, below the CLI's 64MiB floor) so that the visited
set is split into many regions and each level into many batches."""

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
@pytest.mark.parametrize("workers", [1, 2])
def test_on_disk_finds_what_memory_finds(spec: str, knobs: dict[str, Any],
                                         workers: int) -> None:
    model = compiled(spec, **knobs)
    in_memory = summary(search.check(model, Request()))
    on_disk = summary(search.check(model, Request(memory=2**20, workers=workers)))
    assert on_disk == in_memory


def test_a_tiny_budget_splits_the_visited_set_and_cleans_up(tmp_path: Any,
                                                           monkeypatch: Any) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    model = compiled("examples/twophase.py", rm=5)
    run = search.Search(model, Request(memory=2**18))
    run.run()
    assert run.spill is not None and run.spill.region_bits >= 2
    assert run.found.distinct == 8832
    run.close()
    assert list(tmp_path.iterdir()) == []  # the spill directory is gone


def test_the_on_disk_violation_exits_1_through_a_pipe() -> None:
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m ccrverify.cli check ccr --set "
                           "renew_grace=3 --engine numpy --memory 64MiB | true; "
                           "echo ${PIPESTATUS[0]}"], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "1", done.stderr


@pytest.mark.parametrize("size", ["lots", "1GiBs", "12MiB", "-1G"])
def test_a_bad_memory_size_gets_one_line(size: str) -> None:
    status, out, err = run_cli("check", "examples/diehard", "--engine", "numpy",
                               f"--memory={size}")
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "--memory" in err and "Traceback" not in err
