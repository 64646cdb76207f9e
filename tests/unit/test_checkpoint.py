"""Checkpoint and resume (`check --checkpoint DIR`, `--resume DIR`): a search
killed with SIGKILL and resumed ends with exactly the JSON of an uninterrupted
run (timings and memory aside); a checkpoint of another search is refused."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, run_cli

CLI = [sys.executable, "-m", "ccrverify.cli"]
TWOPHASE = str(ROOT / "specs" / "examples" / "twophase.py")
MEASURED = ("seconds", "states_per_second", "peak_memory_bytes")


def comparable(text: str) -> dict[str, Any]:
    data = json.loads(text)
    for key in MEASURED:
        data["stats"].pop(key, None)
    return data


def check(*argv: str) -> tuple[int, str, str]:
    done = subprocess.run([*CLI, "check", *argv, "--json"], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    return done.returncode, done.stdout, done.stderr


def levels_saved(directory: Path) -> tuple[int, bool]:
    try:
        data = json.loads((directory / "manifest.json").read_text())
    except (OSError, ValueError):
        return 0, False
    return len(data["sizes"]), bool(data["finished"])


@pytest.mark.parametrize("extra", [[], pytest.param(["--memory", "64MiB"], marks=pytest.mark.slow)],
                         ids=["in memory", "on disk"])
def test_a_search_killed_with_sigkill_resumes_to_the_same_json(tmp_path: Path,
                                                               extra: list[str]) -> None:
    argv = [TWOPHASE, "--set", "rm=7", "--engine", "numpy", *extra]
    status, whole, err = check(*argv)
    assert status == 0, err
    directory = tmp_path / "ck"
    run = subprocess.Popen([*CLI, "check", *argv, "--checkpoint", str(directory), "--json"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 300
    while levels_saved(directory)[0] < 4 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    run.send_signal(signal.SIGKILL)
    run.wait()
    saved, finished = levels_saved(directory)
    assert run.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    assert 4 <= saved and not finished
    status, resumed, err = check(*argv, "--resume", str(directory))
    assert status == 0, err
    assert comparable(resumed) == comparable(whole)
    # a finished checkpoint resumes to the same answer again, without searching
    assert comparable(check(*argv, "--resume", str(directory))[1]) == comparable(whole)


def test_a_stopped_search_resumes_to_the_violation_of_an_uninterrupted_run(
        tmp_path: Path) -> None:
    argv = ["ccr", "--set", "renew_grace=3", "--engine", "numpy"]
    status, whole, _ = check(*argv)
    assert status == 1
    directory = str(tmp_path / "ck")
    status, _, err = check(*argv, "--checkpoint", directory, "--max-states", "3000")
    assert status in (1, 3), err  # stopped by the limit, before the last levels
    status, resumed, err = check(*argv, "--resume", directory)
    assert status == 1, err
    assert comparable(resumed) == comparable(whole)
    violated = [p for p in json.loads(resumed)["properties"] if p["verdict"] == "violated"]
    assert violated and all(p["trace"] for p in violated)


def test_a_checkpoint_of_other_knobs_is_refused_with_one_line(tmp_path: Path) -> None:
    directory = str(tmp_path / "ck")
    status, _, err = run_cli("check", TWOPHASE, "--set", "rm=3", "--engine", "numpy",
                             "--checkpoint", directory)
    assert status == 0, err
    status, out, err = run_cli("check", TWOPHASE, "--set", "rm=4", "--engine", "numpy",
                               "--resume", directory)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "rm=3" in err and "Traceback" not in err
    status, _, err = run_cli("check", "examples/diehard", "--engine", "numpy",
                             "--resume", directory)
    assert status == 2 and err.count("\n") == 1 and "model TwoPhase" in err


@pytest.mark.parametrize("argv", [
    ["--checkpoint", "{d}", "--resume", "{d}"],
    ["--resume", "{d}/nothing-here"],
    ["--checkpoint", "{d}/ck", "--engine", "python"],
], ids=["both", "no checkpoint", "python backend"])
def test_malformed_checkpoint_options_get_one_line(tmp_path: Path, argv: list[str]) -> None:
    args = [a.replace("{d}", str(tmp_path)) for a in argv]
    status, out, err = run_cli("check", TWOPHASE, "--set", "rm=3", *args)
    assert status == 2 and out == "", err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_an_existing_checkpoint_is_not_overwritten(tmp_path: Path) -> None:
    directory = str(tmp_path / "ck")
    assert run_cli("check", TWOPHASE, "--set", "rm=3", "--checkpoint", directory)[0] == 0
    status, _, err = run_cli("check", TWOPHASE, "--set", "rm=3", "--checkpoint", directory)
    assert status == 2 and "--resume" in err and err.count("\n") == 1


def test_the_resumed_exit_status_survives_a_pipe(tmp_path: Path) -> None:
    directory = tmp_path / "ck"
    argv = f"{' '.join(CLI)} check ccr --set renew_grace=3 --engine numpy"
    done = subprocess.run(["bash", "-c", f"{argv} --checkpoint {directory} --max-states 2000 "
                           f"| true; {argv} --resume {directory} | true; "
                           "echo ${PIPESTATUS[0]}"], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "1", done.stderr
