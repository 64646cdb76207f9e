"""Command-line behaviour: exit statuses and one-line messages for bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, run_cli, run_json

from ccrverify.loader import load


def assert_one_line_error(status: int, err: str, *needles: str) -> None:
    assert status == 2, err
    assert err.count("\n") == 1 and err.startswith("ccrverify: error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err


def test_missing_spec_file() -> None:
    status, _, err = run_cli("check", "specs/nope.py")
    assert_one_line_error(status, err, "no spec 'specs/nope.py'", "bundled:", "ccr")


def test_unknown_knob_suggests_the_close_one() -> None:
    status, _, err = run_cli("check", "ccr", "--set", "renew_grase=2")
    assert_one_line_error(status, err, "unknown knob 'renew_grase'", "did you mean 'renew_grace'")


def test_bad_set_syntax_and_types() -> None:
    status, _, err = run_cli("check", "ccr", "--set", "renew_grace")
    assert_one_line_error(status, err, "expected KNOB=VALUE")
    status, _, err = run_cli("check", "ccr", "--set", "renew_grace=two")
    assert_one_line_error(status, err, "'two' is not an integer")
    status, _, err = run_cli("check", "ccr", "--set", "handoff=maybe")
    assert_one_line_error(status, err, "not a boolean", "true or false")


CCR_RANGES = {"messages": 1, "heartbeat_tolerance": 1, "witness_lease": 1, "renew_grace": 1,
              "mount_dial": 0, "dumpster_size": 0, "dumpster_time": 0, "max_faults": 0}


@pytest.mark.parametrize("knob", sorted(CCR_RANGES))
def test_each_ccr_knob_rejects_values_below_its_range(knob: str) -> None:
    lowest = CCR_RANGES[knob]
    status, _, err = run_cli("check", "ccr", "--set", f"{knob}={lowest - 1}")
    assert_one_line_error(status, err, f"knob {knob} = {lowest - 1} is out of range",
                          f">= {lowest}")
    spec = load("ccr").spec
    assert spec.knob_values({knob: lowest})[knob] == lowest


def test_out_of_range_in_a_config_names_the_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('model = "ccr"\n[knobs]\nmessages = 2\nwitness_lease = 0\n')
    status, _, err = run_cli("check", "--config", str(config))
    assert_one_line_error(status, err, "c.toml:4:", "witness_lease = 0 is out of range")


def test_unknown_knob_in_a_config(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('model = "ccr"\n[knobs]\nheartbeats = 3\n')
    status, _, err = run_cli("check", "ccr", "--config", str(config))
    assert_one_line_error(status, err, "c.toml:3:", "unknown knob 'heartbeats'")


def test_malformed_toml(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('model = "ccr"\n[knobs\nmessages = 2\n')
    status, _, err = run_cli("check", "ccr", "--config", str(config))
    assert_one_line_error(status, err, "c.toml:2:", "malformed TOML")


def test_config_without_model_and_unknown_keys(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[knobs]\nmessages = 2\n')
    status, _, err = run_cli("check", "--config", str(config))
    assert_one_line_error(status, err, "must name its model")
    config.write_text('model = "ccr"\nmesages = 2\n')
    status, _, err = run_cli("check", "--config", str(config))
    assert_one_line_error(status, err, "c.toml:2:", "unknown key 'mesages'")


def test_unknown_property() -> None:
    status, _, err = run_cli("check", "ccr", "--property", "NoSplitbrain")
    assert_one_line_error(status, err, "unknown property 'NoSplitbrain'", "NoSplitBrain")


def test_usage_errors_are_one_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "ccrverify.cli", "check", "--bogus"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "unrecognized arguments: --bogus" in proc.stderr


def test_max_states_gives_unknown_and_exit_3() -> None:
    status, data = run_json("check", "ccr", "--max-states", "1000")
    assert status == 3
    assert data["complete"] is False
    verdicts = {p["name"]: p["verdict"] for p in data["properties"]}
    assert verdicts["NoSplitBrain"] == "unknown"
    assert data["stats"]["distinct_states"] >= 1000
    assert any("state limit 1,000" in p.get("reason", "") for p in data["properties"])


def test_a_violation_found_before_the_limit_is_kept() -> None:
    status, data = run_json("check", "examples/diehard", "--max-states", "15")
    verdicts = {p["name"]: p["verdict"] for p in data["properties"]}
    assert data["complete"] is False
    assert status == 1 and verdicts["NotSolved"] == "violated"


def test_fail_fast_stops_and_says_incomplete() -> None:
    status, data = run_json("check", "ccr", "--set", "renew_grace=3", "--fail-fast")
    assert status == 1 and data["complete"] is False
    verdicts = {p["name"]: p["verdict"] for p in data["properties"]}
    assert verdicts["NoSplitBrain"] == "violated"
    assert verdicts["NoLostAckedMail"] == "unknown"
    assert data["stats"]["distinct_states"] < 37354


def test_no_deadlock_flag_drops_the_deadlock_verdict() -> None:
    _, data = run_json("check", "examples/peterson", "--no-deadlock")
    assert [p["name"] for p in data["properties"]] == ["MutualExclusion", "StarvationFree"]


def test_emit_kernel_shows_named_action_blocks() -> None:
    status, out, _ = run_cli("compile", "ccr", "--emit-kernel")
    assert status == 0 and "def expand(frontier, seen, out):" in out
    assert "# [0] Deliver(A,1)  (specs/ccr.py:" in out
    compile(out, "<kernel>", "exec")  # it is valid Python


def test_console_script_runs_from_a_clean_process() -> None:
    proc = subprocess.run([sys.executable, "-m", "ccrverify.cli", "check",
                           "specs/examples/diehard.py"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 1 and "Counterexample to NotSolved (6 actions" in proc.stdout
