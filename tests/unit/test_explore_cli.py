"""``ccrverify explore`` on the command line: exit status, JSON, text, database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ccrverify.cli import main
from ccrverify.loader import REPO_ROOT

DIEHARD = str(REPO_ROOT / "specs" / "examples" / "diehard.py")
TWOPHASE = str(REPO_ROOT / "specs" / "examples" / "twophase.py")


def test_json_has_verdicts_and_coverage(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["explore", DIEHARD, "--seed", "0", "--no-db", "--max-examples", "200",
                   "--json"])
    out = json.loads(capsys.readouterr().out)
    assert status == 1
    assert out["engine"] == "explore" and out["complete"] is False
    verdicts = {p["name"]: p["verdict"] for p in out["properties"]}
    assert verdicts == {"NotSolved": "violated", "DeadlockFree": "unknown"}
    coverage = out["coverage"]
    for key in ("steps", "steps_per_second", "distinct_states", "action_counts", "never_fired"):
        assert key in coverage
    assert set(coverage["action_counts"]) == {"FillSmall", "FillBig", "EmptySmall", "EmptyBig",
                                              "SmallToBig", "BigToSmall"}
    assert out["stats"]["transitions"] == coverage["steps"]


def test_text_output_and_exit_3_without_violation(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["explore", TWOPHASE, "--set", "rm=2", "--seed", "1", "--no-db",
                   "--max-examples", "50", "--steps", "30", "--no-swarm", "--property",
                   "TCConsistent", "--no-deadlock"])
    out = capsys.readouterr().out
    assert status == 3
    assert "TCConsistent" in out and "unknown" in out and "holds" not in out
    assert "coverage: " in out and "swarm off" in out and "seed 1" in out


def test_bad_arguments_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", DIEHARD, "--steps", "0", "--no-db"]) == 2
    assert main(["explore", DIEHARD, "--property", "Nope", "--no-db"]) == 2
    assert "Nope" in capsys.readouterr().err


CLIMB = (Path(__file__).parent / "climb_spec.py").read_text()


def test_database_lives_under_dot_ccrverify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    # Unseeded (a seed turns the database off), so the model must fail fast.
    (tmp_path / "climb.py").write_text(CLIMB)
    monkeypatch.chdir(tmp_path)
    args = ["explore", "climb.py", "--property", "Low", "--max-examples", "300", "--no-deadlock",
            "--json"]
    assert main(args) == 1
    capsys.readouterr()
    assert any((tmp_path / ".ccrverify" / "hypothesis").rglob("*"))
    assert main(args) == 1
    found = json.loads(capsys.readouterr().out)["properties"][0]["first_found"]
    assert found["after_steps"] == 3  # the stored failure was replayed first


def test_check_does_not_import_hypothesis() -> None:
    code = ("import sys; from ccrverify.cli import make_parser; make_parser(); "
            "assert 'hypothesis' not in sys.modules, 'hypothesis imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_no_db_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "climb.py").write_text(CLIMB)
    monkeypatch.chdir(tmp_path)
    assert main(["explore", "climb.py", "--max-examples", "100", "--no-db"]) == 1
    assert not (tmp_path / ".ccrverify").exists()
