"""The DAG's documented incidents through every command (specs/dag/SEMANTICS.md,
"Documented incidents as configurations"): check exits 1 with the published story as
the shortest trace (also through a shell pipe), the DAC configurations exit 0, explore
finds the split brain, bmc finds it at the same length, malformed configurations are one
line with exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, run_cli, run_json

CLI = [sys.executable, "-m", "ccrverify.cli"]
SPLIT = "specs/dag/switchback-split-brain.toml"
PROTECTED = "specs/dag/switchback-dac.toml"


def _labels(trace: dict[str, Any]) -> list[str]:
    return [step["action"] for step in trace["steps"][1:]]


def _is_the_published_split_brain(labels: list[str]) -> bool:
    """The story as published: the primary site goes dark with the WAN cut, the second
    site is activated, power returns before the WAN, and both sites mount."""
    order = {label: i for i, label in enumerate(labels)}
    needed = ("CutWan", "PowerLoss(primary)", "StopDag", "RestoreDag", "PowerReturn(primary)")
    if not all(label in order for label in needed) or "HealWan" in order:
        return False
    mounts = [label for label in labels if label.startswith("Mount(")]
    return (order["PowerLoss(primary)"] < order["StopDag"] < order["RestoreDag"]
            < order["PowerReturn(primary)"]
            and {m[6] for m in mounts} == {"P", "S"})


@pytest.mark.parametrize(("config", "prop", "length"), [
    (SPLIT, "NoSplitBrain", 8),
    ("specs/dag/lossless.toml", "NoLostAckedWrite", 7),
], ids=["switchback-split-brain", "lossless"])
def test_an_incident_exits_1_through_a_shell_pipe(config: str, prop: str, length: int) -> None:
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m ccrverify.cli check {config} "
                           f"--property {prop} | grep -c '^{length} ' ; echo ${{PIPESTATUS[0]}}"],
                          capture_output=True, text=True, cwd=ROOT)
    count, status = done.stdout.split()
    assert status == "1", done.stderr
    assert count == "1"  # the table's last row is step `length`: the shortest trace


@pytest.mark.parametrize("config", [PROTECTED, "specs/dag/two-member-dac.toml"])
def test_a_protected_configuration_exits_0(config: str) -> None:
    status, data = run_json("check", config, "--property", "NoSplitBrain")
    assert status == 0 and data["properties"][0]["verdict"] == "holds"
    assert data["properties"][0]["trace"] is None


def test_dac_off_in_the_protected_layout_is_the_incident() -> None:
    # The protection is the one knob: the same file with dac flipped splits the brain.
    status, data = run_json("check", PROTECTED, "--set", "dac=false", "--property",
                            "NoSplitBrain")
    assert status == 1 and data["properties"][0]["trace_length"] == 8
    assert _is_the_published_split_brain(_labels(data["properties"][0]["trace"]))


@pytest.mark.slow
def test_explore_finds_the_split_brain() -> None:
    status, data = run_json("explore", SPLIT, "--property", "NoSplitBrain", "--seed", "0",
                            "--no-db", "--max-examples", "400")
    assert status == 1
    prop = data["properties"][0]
    assert prop["verdict"] == "violated"
    assert _is_the_published_split_brain(_labels(prop["trace"]))


def test_explore_never_proves_the_protected_configuration() -> None:
    status, data = run_json("explore", PROTECTED, "--property", "NoSplitBrain", "--seed", "0",
                            "--no-db", "--max-examples", "50")
    assert status == 3 and data["properties"][0]["verdict"] == "unknown"


@pytest.mark.slow
def test_bmc_finds_the_split_brain_at_the_same_length() -> None:
    status, data = run_json("prove", SPLIT, "--engine", "bmc", "--depth", "8", "--property",
                            "NoSplitBrain")
    assert status == 1
    prop = data["properties"][0]
    assert prop["verdict"] == "violated" and prop["trace_length"] == 8
    assert _is_the_published_split_brain(_labels(prop["trace"]))


@pytest.mark.slow
def test_bmc_one_step_short_is_bounded() -> None:
    status, data = run_json("prove", SPLIT, "--engine", "bmc", "--depth", "7", "--property",
                            "NoSplitBrain")
    assert status == 3 and data["properties"][0]["verdict"] == "bounded(7)"


@pytest.mark.parametrize(("body", "words"), [
    ('model = "dag"\n[knobs]\ndac = "maybe"\n', ["dac"]),
    ('model = "dag"\n[knobs]\ndacp = true\n', ["dacp"]),
    ('model = "dag"\n[knobs]\nprimary_members = 0\n', ["primary_members"]),
], ids=["bad-value", "unknown-knob", "below-range"])
def test_a_malformed_configuration_is_one_line_with_exit_2(tmp_path: Path, body: str,
                                                           words: list[str]) -> None:
    config = tmp_path / "broken.toml"
    config.write_text(body)
    status, out, err = run_cli("check", str(config), "--property", "NoSplitBrain")
    assert status == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert "broken.toml" in lines[0]
    for word in words:
        assert word in lines[0]


def test_an_unknown_property_of_the_incident_is_exit_2() -> None:
    status, _, err = run_cli("check", SPLIT, "--property", "NoSplitBrian")
    assert status == 2 and len(err.strip().splitlines()) == 1
