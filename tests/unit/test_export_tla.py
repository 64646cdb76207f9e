"""The TLA+ export: every bundled model and named configuration exports to a
module that an independent TLA+ grammar parses; the exported module, evaluated
by a small interpreter over that grammar's parse tree (tests/tla_eval.py),
has the IR's initial states, successors, invariants and evaluation errors;
and, where TLC is at hand (TLA2TOOLS_JAR), TLC finds the same state count,
transitions, depth and verdicts as ``ccrverify check``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, run_cli

from ccrverify.api import target
from ccrverify.compile import CompiledModel, compile_model
from ccrverify.errors import EvaluationError
from ccrverify.export.tla import export_tla
from ccrverify.model import PropertyKind

pytest.importorskip("tree_sitter_tlaplus", reason="the TLA+ grammar (tree-sitter-tlaplus) "
                    "is a test dependency: pip install -e '.[test]'")

from tla_eval import Fn, Module, TlaError, seq  # noqa: E402  (after the skip)

SPECS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "specs").rglob("*.py"))
CONFIGS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "specs").rglob("*.toml"))
CLI = [sys.executable, "-m", "ccrverify.cli"]


def _export(spec: str, **knobs: Any) -> tuple[CompiledModel, Module, str]:
    model = target(str(ROOT / spec), knobs=knobs or None).build()
    exported = export_tla(model)
    return compile_model(model), Module(exported.module), exported.module


@pytest.mark.parametrize("spec", SPECS + CONFIGS)
def test_every_bundled_model_and_configuration_exports_a_module_that_parses(spec: str
                                                                           ) -> None:
    model = target(str(ROOT / spec)).build()
    first = export_tla(model)
    Module(first.module)  # raises on a parse error
    assert export_tla(model) == first  # deterministic
    assert f"MODULE {first.module_name} " in first.module
    assert "INIT Init" in first.config and "NEXT Next" in first.config
    for prop in model.properties:
        if prop.kind == PropertyKind.INVARIANT:
            assert f"INVARIANT {prop.name}" in first.config
    deadlock = "FALSE" if model.terminal_states else "TRUE"
    assert f"CHECK_DEADLOCK {deadlock}" in first.config
    for name, value in model.knobs.items():
        shown = ("TRUE" if value else "FALSE") if isinstance(value, bool) else str(value)
        assert f"{name} = {shown}" in first.config


def tla_state(compiled: CompiledModel, values: list[int]) -> dict[str, Any]:
    """A state of the IR as the values the exported module works with."""
    state = compiled.decode(compiled.layout.pack(values))

    def convert(value: Any) -> Any:
        if isinstance(value, tuple):
            return seq([convert(v) for v in value])
        if isinstance(value, dict):
            return Fn(tuple((k, convert(v)) for k, v in value.items()))
        return value

    return {name: convert(v) for name, v in state.items()}


def _sample(compiled: CompiledModel, most: int) -> list[list[int]]:
    from ccrverify.explicit.vector import reachable

    found = reachable(compiled)
    assert found is not None
    rows = [list(map(int, row)) for row in found.states]
    step = max(1, len(rows) // most)
    return rows[::step]


BEHAVIOUR = [("specs/examples/diehard.py", {}, 100), ("specs/examples/twophase.py", {"rm": 3}, 300),
             ("specs/examples/peterson.py", {}, 100), ("specs/ccr.py", {}, 40),
             ("specs/ccr.py", {"dumpster_time": 2, "dumpster_size": 2}, 25),
             ("specs/dag.py", {}, 15), ("specs/pacemaker.py", {}, 30),
             ("specs/patroni.py", {}, 15), ("specs/wsfc.py", {}, 15)]


@pytest.mark.parametrize(("spec", "knobs", "most"), BEHAVIOUR,
                         ids=[f"{s}-{k}" for s, k, _ in BEHAVIOUR])
def test_the_exported_module_behaves_like_the_model(spec: str, knobs: dict[str, Any],
                                                    most: int) -> None:
    """A round trip through TLA+ text: Init, every action instance and every
    invariant, evaluated from the parsed module, agree with the IR's interpreter."""
    compiled, module, _ = _export(spec, **knobs)
    model = compiled.model
    names = [v.name for v in model.variables]
    inits = sorted(map(repr, module.initial(names)))
    assert inits == sorted(repr(tla_state(compiled, v)) for v in compiled.init_values())
    exported = export_tla(model)
    operators = re.findall(r"^(\w+) ==$", exported.module, re.M)
    actions = [op for op in operators if op not in ("TypeOK", "Init", "Next")
               and op not in {p.name for p in model.properties}]
    assert len(actions) == len(model.actions)
    invariants = [(i, p) for i, p in enumerate(model.properties)
                  if p.kind == PropertyKind.INVARIANT]
    for values in _sample(compiled, most):
        state = tla_state(compiled, values)
        assert module.eval("TypeOK", state) is True
        for index, name in enumerate(actions):
            expected = compiled.next_values(values, index)
            got = module.step(name, state)
            assert (got is None) == (expected is None), (name, state)
            if expected is not None:
                assert got == tla_state(compiled, expected), name
        for index, prop in invariants:
            assert module.eval(prop.name, state) == compiled.holds(values, index), prop.name


ERRORS = ["map_key_outside_index.py", "seq_read_past_length.py", "division_by_zero.py",
          "out_of_domain_update.py"]


@pytest.mark.parametrize("name", ERRORS)
def test_the_export_fails_where_ccrverify_reports_an_evaluation_error(name: str) -> None:
    """ccrverify's evaluation error, on its trace: no error in the export on the
    states before it, an error (as TLC reports one) in the state where it happens."""
    compiled, module, _ = _export(f"tests/badinput/{name}")
    from ccrverify.explicit.engine import check

    with pytest.raises(EvaluationError) as caught:
        check(compiled)
    trace = caught.value.trace
    exported = export_tla(compiled.model)
    invariants = [p.name for p in compiled.model.properties
                  if p.kind == PropertyKind.INVARIANT]
    actions = [op for op in re.findall(r"^(\w+) ==$", exported.module, re.M)
               if op not in ("TypeOK", "Init", "Next", *invariants)]

    def fails(values: list[int]) -> bool:
        state = tla_state(compiled, values)
        try:
            for op in invariants:
                module.eval(op, state)
            for op in actions:
                module.step(op, state)
        except TlaError:
            return True
        return False

    assert not any(fails(list(s.values)) for s in trace.steps[:-1])
    assert fails(list(trace.steps[-1].values))


def test_export_command_writes_module_and_configuration(tmp_path: Path) -> None:
    status, out, err = run_cli("export", str(ROOT / "specs" / "ccr.py"), "--format", "tla",
                               "--out", str(tmp_path / "export"))
    assert status == 0, err
    module = (tmp_path / "export" / "CCR.tla").read_text()
    config = (tmp_path / "export" / "CCR.cfg").read_text()
    Module(module)
    assert "Deliver_A_1 ==" in module and "INVARIANT NoLostAckedMail" in config
    assert "CCR.tla" in out


def test_export_of_a_named_configuration_sets_its_knobs(tmp_path: Path) -> None:
    status, _, err = run_cli("export", str(ROOT / "specs/ccr/split-brain-grace.toml"),
                             "--out", str(tmp_path), "--module", "Grace")
    assert status == 0, err
    config = (tmp_path / "Grace.cfg").read_text()
    assert "renew_grace = 3" in config


@pytest.mark.parametrize(("args", "words"), [
    (["--set", "messages=two"], "not an integer"),
    (["--format", "pdf"], "invalid choice"),
    (["--out", "FILE"], "is a file"),
])
def test_bad_export_arguments_are_one_line(tmp_path: Path, args: list[str], words: str
                                           ) -> None:
    afile = tmp_path / "a-file"
    afile.write_text("x")
    argv = ["export", str(ROOT / "specs" / "ccr.py")]
    if "--out" not in args:
        argv += ["--out", str(tmp_path / "out")]
    argv += [str(afile) if a == "FILE" else a for a in args]
    proc = subprocess.run(CLI + argv, capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and words in proc.stderr
    assert "Traceback" not in proc.stderr


def test_export_exit_status_survives_a_pipe(tmp_path: Path) -> None:
    command = (f"{sys.executable} -m ccrverify.cli export {ROOT / 'specs/ccr.py'} "
               f"--set messages=0 --out {tmp_path} | cat")
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True,
                          text=True)
    assert proc.returncode == 2 and "messages" in proc.stderr


# -- TLC, where it is installed -----------------------------------------------------------------
def _tlc_jar() -> str:
    jar = os.environ.get("TLA2TOOLS_JAR", "")
    if not jar or not Path(jar).is_file():
        pytest.skip("TLC not available: set TLA2TOOLS_JAR to a tla2tools.jar to compare "
                    "the export with TLC")
    if shutil.which("java") is None:
        pytest.skip("TLC not available: no java")
    return jar


def run_tlc(jar: str, directory: Path, module: str, config: str) -> dict[str, Any]:
    """TLC's counts (ccrverify's conventions: transitions without the initial states,
    depth from 0), the invariants it reports violated, and its other errors."""
    proc = subprocess.run(["java", "-XX:+UseParallelGC", "-cp", jar, "tlc2.TLC", "-workers",
                           "1", "-continue", "-config", config, module],
                          capture_output=True, text=True, cwd=directory, timeout=1800)
    out = proc.stdout
    generated = re.search(r"([\d,]+) states generated, ([\d,]+) distinct states found", out)
    inits = re.search(r"initial states: ([\d,]+) distinct state", out)
    depth = re.search(r"depth of the complete state graph search is (\d+)", out)

    def number(m: Any, group: int) -> int:
        return int(m[group].replace(",", ""))

    return {
        "distinct": number(generated, 2) if generated else None,
        "transitions": number(generated, 1) - number(inits, 1) if generated and inits
        else None,
        "depth": int(depth[1]) - 1 if depth else None,
        "violated": sorted(set(re.findall(r"Invariant (\w+) is violated", out))),
        "deadlock": "Deadlock reached" in out,
        "errors": [line for line in out.splitlines() if line.startswith("Error:")
                   and "is violated" not in line and "behavior up to" not in line],
        "output": out,
    }


def compare_with_tlc(spec: str, directory: Path) -> None:
    jar = _tlc_jar()
    status, out, err = run_cli("check", str(ROOT / spec), "--json")
    import json

    result = json.loads(out)
    verdicts = {p["name"]: p["verdict"] for p in result["properties"]}
    model = target(str(ROOT / spec)).build()
    exported = export_tla(model, "M")
    (directory / "M.tla").write_text(exported.module)
    # Counts and invariants: TLC goes on after a violation (-continue), deadlocks aside.
    (directory / "Counts.cfg").write_text(exported.config.replace(
        "CHECK_DEADLOCK TRUE", "CHECK_DEADLOCK FALSE"))
    tlc = run_tlc(jar, directory, "M", "Counts.cfg")
    assert not tlc["errors"], tlc["output"][-2000:]
    stats = result["stats"]
    assert (tlc["distinct"], tlc["transitions"], tlc["depth"]) == (
        stats["distinct_states"], stats["transitions"], stats["depth"])
    assert tlc["violated"] == sorted(n for n, v in verdicts.items()
                                     if v == "violated" and n != "DeadlockFree")
    if "DeadlockFree" in verdicts:
        config = "\n".join(line for line in exported.config.splitlines()
                           if not line.startswith("INVARIANT")) + "\n"
        (directory / "Deadlock.cfg").write_text(config)
        tlc = run_tlc(jar, directory, "M", "Deadlock.cfg")
        assert tlc["deadlock"] == (verdicts["DeadlockFree"] == "violated")


@pytest.mark.parametrize("spec", ["specs/examples/diehard.py", "specs/examples/twophase.py",
                                  "specs/pacemaker.py",
                                  pytest.param("specs/ccr.py", marks=pytest.mark.slow)])
def test_tlc_finds_what_check_finds(spec: str, tmp_path: Path) -> None:
    compare_with_tlc(spec, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("spec", SPECS + CONFIGS)
def test_tlc_finds_what_check_finds_on_every_bundled_configuration(spec: str, tmp_path: Path
                                                                    ) -> None:
    compare_with_tlc(spec, tmp_path)


@pytest.mark.parametrize("name", ERRORS)
def test_tlc_stops_with_an_error_where_ccrverify_does(name: str, tmp_path: Path) -> None:
    jar = _tlc_jar()
    model = target(str(ROOT / "tests" / "badinput" / name)).build()
    exported = export_tla(model, "M")
    (tmp_path / "M.tla").write_text(exported.module)
    (tmp_path / "M.cfg").write_text(exported.config)
    tlc = run_tlc(jar, tmp_path, "M", "M.cfg")
    assert tlc["errors"], tlc["output"][-2000:]
