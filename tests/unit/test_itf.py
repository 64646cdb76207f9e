"""ITF traces (Apalache ADR-015): written by check/prove/explore, read back by an
independent reader (itf-py), and replayed on the model by ``ccrverify replay``
and ``check --replay``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, compiled, run_cli

from ccrverify.itf import read_documents, trace_to_itf
from ccrverify.render.traces import dumps_itf
from ccrverify.trace import replay

itf_py = pytest.importorskip("itf_py", reason="itf-py is a test dependency: "
                             "pip install -e '.[test]'")

CCR = str(ROOT / "specs" / "ccr.py")
CLI = [sys.executable, "-m", "ccrverify.cli"]


def _ccr_itf() -> str:
    status, out, err = run_cli("check", CCR, "--property", "NoLostAckedMail",
                               "--trace-format", "itf")
    assert status == 1
    assert re.search(r"NoLostAckedMail +violated", err)  # the verdicts go to stderr
    return out


def _ccr_labels() -> list[str]:
    """The actions of the engine's own NoLostAckedMail counterexample."""
    status, out, _ = run_cli("check", CCR, "--property", "NoLostAckedMail", "--json")
    assert status == 1
    return [s["action"] for s in json.loads(out)["properties"][0]["trace"]["steps"][1:]]


def test_check_prints_an_itf_document_that_an_independent_reader_parses() -> None:
    out = _ccr_itf()
    trace = itf_py.trace_from_json(json.loads(out))
    assert trace.vars[:3] == ["up", "role", "missed"]
    assert len(trace.states) == 11 and trace.loop is None
    first = trace.states[0].values
    assert first["role"]["A"] == "active"  # enumeration values as strings
    assert first["lease"] == 2  # integers (#bigint)
    assert first["up"]["B"] is True and first["log"]["A"] == []  # maps, sequences
    assert [s.meta["action"] for s in trace.states[1:]] == _ccr_labels()


def test_the_itf_states_replay_to_the_violation(tmp_path: Path) -> None:
    path = tmp_path / "cex.itf.json"
    path.write_text(_ccr_itf())
    status, out, err = run_cli("replay", str(path))
    assert status == 1, err
    assert "breaks NoLostAckedMail at state 10" in out
    # The same trace, read without the action names: found by searching.
    doc = json.loads(path.read_text())
    for state in doc["states"]:
        state["#meta"].pop("action", None)
    path.write_text(json.dumps(doc))
    status, out, _ = run_cli("check", CCR, "--replay", str(path))
    assert status == 1 and "NoLostAckedMail at state 10" in out


def test_a_clean_prefix_replays_with_exit_0(tmp_path: Path) -> None:
    doc = json.loads(_ccr_itf())
    doc["states"] = doc["states"][:4]
    path = tmp_path / "prefix.itf.json"
    path.write_text(json.dumps(doc))
    status, out, _ = run_cli("replay", str(path), CCR)
    assert status == 0 and "breaks no property" in out


def test_a_trace_that_is_not_a_run_is_one_line_naming_the_step(tmp_path: Path) -> None:
    doc = json.loads(_ccr_itf())
    doc["states"][5]["faults"] = {"#bigint": "0"}  # not what Restart(B) does
    path = tmp_path / "bad.itf.json"
    path.write_text(json.dumps(doc))
    proc = subprocess.run(CLI + ["replay", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    line = proc.stderr.strip()
    assert len(line.splitlines()) == 1 and "step 5" in line and "Traceback" not in line


@pytest.mark.parametrize(("text", "words"), [
    ("{not json", "not JSON"),
    ('{"vars": ["x"], "states": []}', "non-empty list"),
    ('{"hello": 1}', "not a trace"),
])
def test_malformed_trace_files_are_one_line(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(text)
    proc = subprocess.run(CLI + ["replay", str(path), CCR], capture_output=True, text=True)
    assert proc.returncode == 2 and words in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_replay_exit_status_survives_a_pipe(tmp_path: Path) -> None:
    path = tmp_path / "cex.itf.json"
    path.write_text(_ccr_itf())
    proc = subprocess.run(["bash", "-o", "pipefail", "-c",
                           f"{sys.executable} -m ccrverify.cli replay {path} | head -1"],
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr


def test_json_traces_replay_too(tmp_path: Path) -> None:
    status, out, _ = run_cli("check", CCR, "--json")
    path = tmp_path / "result.json"
    path.write_text(out)
    status, out, _ = run_cli("replay", str(path), CCR)
    assert status == 1 and "NoLostAckedMail trace 1" in out


def test_knobs_come_from_the_file_unless_set(tmp_path: Path) -> None:
    status, out, _ = run_cli("check", CCR, "--set", "renew_grace=3", "--property",
                             "NoSplitBrain", "--trace-format", "itf")
    assert status == 1
    path = tmp_path / "sb.itf.json"
    path.write_text(out)
    assert run_cli("replay", str(path))[0] == 1  # renew_grace=3 from #meta
    status, _, err = run_cli("replay", str(path), CCR, "--set", "renew_grace=1")
    assert status == 2 and "outside 0..0" in err  # another configuration: not its run


def test_out_writes_one_itf_file_per_counterexample(tmp_path: Path) -> None:
    out = tmp_path / "cex.itf.json"
    status, text, err = run_cli("check", CCR, "--counterexamples", "2", "--out", str(out))
    assert status == 1
    files = sorted(tmp_path.glob("cex-*.itf.json"))
    # FailoverTime is never at the defaults: its lasso is written with its loop
    assert [f.name for f in files] == ["cex-FailoverTime-1.itf.json",
                                       "cex-NoLostAckedMail-1.itf.json",
                                       "cex-NoLostAckedMail-2.itf.json"]
    lasso = itf_py.trace_from_json(json.loads(files[0].read_text()))
    assert lasso.loop is not None and 0 <= lasso.loop < len(lasso.states)
    ends = set()
    for f in files[1:]:
        trace = itf_py.trace_from_json(json.loads(f.read_text()))
        ends.add(repr(trace.states[-1].values))
        assert run_cli("replay", str(f))[0] == 1
    assert len(ends) == 2
    assert "Counterexample 1 of 2" in text  # the usual report still goes to stdout


def test_a_lasso_keeps_its_loop(tmp_path: Path) -> None:
    """Trace.loop is ITF's loop: hand-made, as a liveness engine would report it."""
    c = compiled("examples/diehard.py")
    labels = [a.label for a in c.actions]
    fill, empty = labels.index("FillSmall"), labels.index("EmptySmall")
    trace = replace(replay(c, 0, [fill, empty]), loop=0, ends_in="a cycle")
    doc = trace_to_itf(trace, c.model, "specs/examples/diehard.py")
    assert doc["loop"] == 0
    parsed = itf_py.trace_from_json(json.loads(dumps_itf(doc)))
    assert parsed.loop == 0 and len(parsed.states) == 3
    path = tmp_path / "lasso.itf.json"
    path.write_text(dumps_itf(doc))
    status, out, _ = run_cli("replay", str(path), str(ROOT / "specs/examples/diehard.py"))
    assert status == 0 and "loops back to state 0" in out
    # A loop that does not close is not a lasso of the model.
    doc["loop"] = 1
    path.write_text(json.dumps(doc))
    status, _, err = run_cli("replay", str(path), str(ROOT / "specs/examples/diehard.py"))
    assert status == 2 and "loop" in err


def test_values_round_trip_through_the_reader() -> None:
    c = compiled("ccr.py", dumpster_size=2)
    read: Any = read_documents(json.loads(_ccr_itf()))[0]
    assert len(read.states) == 11 and list(read.labels) == _ccr_labels()
    assert c.model.name == "CCR"
