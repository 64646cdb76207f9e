"""The TLA+ export: every bundled model and named configuration exports to a
module that an independent TLA+ grammar parses; the exported module, evaluated
by a small interpreter over that grammar's parse tree (tests/tla_eval.py),
has the IR's initial states, successors, invariants and evaluation errors;
Spec's fairness conjuncts are the model's fairness groups and the temporal
properties are the model's (response properties left out, and said so); and,
where TLC is at hand (TLA2TOOLS_JAR), TLC finds the same state count,
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
from ccrverify.compile import CompiledModel, compile_model, evaluate
from ccrverify.errors import EvaluationError
from ccrverify.export.tla import TEMPORAL_FORMS, export_tla
from ccrverify.model import Fairness, PropertyKind

pytest.importorskip("tree_sitter_tlaplus", reason="the TLA+ grammar (tree-sitter-tlaplus) "
                    "is a test dependency: pip install -e '.[test]'")

from tla_eval import Eval, Fn, Module, TlaError, seq  # noqa: E402  (after the skip)

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
    temporal = any(a.fairness is not None for a in model.actions) or any(
        p.kind in TEMPORAL_FORMS for p in model.properties)
    assert ("SPECIFICATION Spec" in first.config) == temporal
    assert ("INIT Init" in first.config and "NEXT Next" in first.config) == (not temporal)
    for prop in model.properties:
        if prop.kind == PropertyKind.INVARIANT:
            assert f"INVARIANT {prop.name}" in first.config
        if prop.kind in TEMPORAL_FORMS:
            assert f"PROPERTY {prop.name}" in first.config.splitlines()
    responses = tuple(p.name for p in model.properties if p.kind == PropertyKind.RESPONSE)
    assert first.left_out == responses
    assert all(f"PROPERTY {name}" not in first.config for name in responses)
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
    actions = next_actions(module)
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
    invariants = [p.name for p in compiled.model.properties
                  if p.kind == PropertyKind.INVARIANT]
    actions = next_actions(module)

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


# -- fairness and temporal properties -----------------------------------------------------------
def _nodes(node: Any, kind: str) -> list[Any]:
    found, stack = [], [node]
    while stack:
        n = stack.pop()
        if n.type == kind:
            found.append(n)
        stack.extend(reversed(n.children))
    return found


def _conjunct_parts(node: Any) -> list[Any]:
    if node.type == "conj_list":
        return [c.named_children[-1] for c in node.named_children if c.type == "conj_item"]
    if node.type == "bound_infix_op" and node.child_by_field_name("symbol").type == "land":
        return _conjunct_parts(node.child_by_field_name("lhs")) + _conjunct_parts(
            node.child_by_field_name("rhs"))
    return [node]


def spec_fairness(module: Module) -> list[tuple[str, frozenset[str]]]:
    """Spec's fairness conjuncts, read from the parse tree: (WF or SF, the action
    operators of the fair action), after checking the rest is Init /\\ [][Next]_vars."""
    _, spec = module.defs["Spec"]
    parts = _conjunct_parts(spec)
    assert module.text(parts[0]) == "Init"
    assert module.text(parts[1]).replace(" ", "") == "[][Next]_vars"
    out = []
    for part in parts[2:]:
        assert part.type == "fairness", module.text(part)
        kind = module.text(part.children[0])
        assert kind in ("WF_", "SF_") and module.text(part.children[1]) == "vars"
        opening = [c.type for c in part.children].index("(")
        refs = {module.text(r) for c in part.children[opening + 1:]
                for r in _nodes(c, "identifier_ref")}
        out.append((kind[:2], frozenset(refs)))
    return out


def next_actions(module: Module) -> list[str]:
    """The action operators in Next's order (the model's order of instances)."""
    _, body = module.defs["Next"]
    return [module.text(r) for r in _nodes(body, "identifier_ref")]


def model_fairness(compiled: CompiledModel, actions: list[str]
                   ) -> list[tuple[str, frozenset[str]]]:
    """The groups the liveness checker uses, named by the exported operators."""
    from ccrverify.explicit.liveness import Groups

    groups = Groups.of(compiled)
    kinds = {Fairness.WEAK: "WF", Fairness.STRONG: "SF"}
    return [(kinds[kind], frozenset(a for a, g in zip(actions, groups.of_action, strict=True)
                                    if g == n))
            for n, kind in enumerate(groups.kinds)]


SHAPES = {PropertyKind.LEADS_TO: ("bound_infix_op", "leads_to"),
          PropertyKind.EVENTUALLY: ("bound_prefix_op", "eventually"),
          PropertyKind.ALWAYS_EVENTUALLY: ("bound_prefix_op", "always"),
          PropertyKind.EVENTUALLY_ALWAYS: ("bound_prefix_op", "eventually")}
INNER = {PropertyKind.ALWAYS_EVENTUALLY: "eventually", PropertyKind.EVENTUALLY_ALWAYS: "always"}


def check_temporal_properties(compiled: CompiledModel, module: Module, config: str,
                              most: int) -> list[str]:
    """Every temporal property of the model is a PROPERTY of the configuration with
    its TLA+ operator at the top, and its state predicates (the trigger P and the
    predicate Q) agree with the IR on sampled states."""
    listed = [line.split()[1] for line in config.splitlines() if line.startswith("PROPERTY ")]
    model = compiled.model
    temporal = [p for p in model.properties if p.kind in TEMPORAL_FORMS]
    assert listed == [p.name for p in temporal]
    states = _sample(compiled, most)
    for prop in temporal:
        _, body = module.defs[prop.name]
        node_type, symbol = SHAPES[prop.kind]
        assert body.type == node_type, (prop.name, module.text(body))
        assert body.child_by_field_name("symbol").type == symbol, prop.name
        if prop.kind == PropertyKind.LEADS_TO:
            formulas = [(body.child_by_field_name("lhs"), prop.trigger),
                        (body.child_by_field_name("rhs"), prop.predicate)]
        else:
            inner = body.child_by_field_name("rhs")
            if prop.kind in INNER:
                assert inner.child_by_field_name("symbol").type == INNER[prop.kind]
                inner = inner.child_by_field_name("rhs")
            formulas = [(inner, prop.predicate)]
        for values in states:
            state = tla_state(compiled, values)
            for node, expr in formulas:
                assert expr is not None
                assert Eval(module, state).truth(node) == bool(
                    evaluate(expr, values, model.knobs)), (prop.name, state)
    return listed


@pytest.mark.parametrize(("spec", "knobs", "properties"), [
    ("specs/examples/peterson.py", {"fair": True}, ["StarvationFree"]),
    ("specs/examples/peterson.py", {"fair": False}, ["StarvationFree"]),
    ("specs/examples/twophase.py", {"rm": 3}, ["AllDecide", "DecisionsStay"]),
])
def test_spec_has_the_model_fairness_and_its_temporal_properties(
        spec: str, knobs: dict[str, Any], properties: list[str]) -> None:
    compiled, module, _ = _export(spec, **knobs)
    exported = export_tla(compiled.model)
    actions = next_actions(module)
    assert len(actions) == len(compiled.model.actions)
    fairness = spec_fairness(module)
    assert fairness == model_fairness(compiled, actions)
    fair = knobs.get("fair", True)
    # Peterson and TwoPhase: every instance weakly fair on its own, or nothing fair.
    assert fairness == ([("WF", frozenset({a})) for a in actions] if fair else [])
    assert check_temporal_properties(compiled, module, exported.config, 60) == properties
    assert "SPECIFICATION Spec" in exported.config and "INIT Init" not in exported.config
    assert exported.left_out == () and "Not exported" not in exported.module


GROUPS_SPEC = """\
from ccrverify.lang import IntRange, Spec

spec = Spec("Groups", "Strong fairness of an action's instances together.")


@spec.model
def build(m):
    ids = m.index("Id", [1, 2])
    m.var("x", IntRange(0, 2), over=ids, init=0)

    @m.action(i=ids, fair="strong", fair_each=False)
    def bump(s, i):
        s.require(s.x[i] < 2)
        s.x[i] = s.x[i] + 1

    @m.action(i=ids)
    def reset(s, i):
        s.require(s.x[i] == 2)
        s.x[i] = 0

    @m.action(fair=None)
    def reset_all(s):
        s.x[1] = 0
        s.x[2] = 0


@spec.always_eventually("OneAtZero", "Process 1 is at zero again and again.")
def one_at_zero(s):
    return s.x[1] == 0
"""


def test_strong_fairness_of_instances_together_is_one_sf_conjunct(tmp_path: Path) -> None:
    path = tmp_path / "groups.py"
    path.write_text(GROUPS_SPEC)
    model = target(str(path)).build()
    compiled = compile_model(model)
    exported = export_tla(model)
    module = Module(exported.module)
    actions = next_actions(module)
    fairness = spec_fairness(module)
    assert fairness == model_fairness(compiled, actions)
    assert fairness == [("SF", frozenset({"Bump_1", "Bump_2"})),
                        ("WF", frozenset({"Reset_1"})), ("WF", frozenset({"Reset_2"}))]
    assert "SF_vars(Bump_1 \\/ Bump_2)" in exported.module
    assert check_temporal_properties(compiled, module, exported.config, 100) == ["OneAtZero"]


def test_a_model_without_fairness_or_temporal_properties_keeps_init_and_next(
        tmp_path: Path) -> None:
    path = tmp_path / "plain.py"
    path.write_text(GROUPS_SPEC.replace('fair="strong", fair_each=False', "fair=None")
                    .replace("@m.action(i=ids)", "@m.action(i=ids, fair=None)")
                    .replace("@spec.always_eventually", "@spec.invariant"))
    exported = export_tla(target(str(path)).build())
    Module(exported.module)
    assert "INIT Init\nNEXT Next\n" in exported.config
    assert "SPECIFICATION" not in exported.config and "PROPERTY" not in exported.config
    assert "WF_" not in exported.module and "SF_" not in exported.module
    assert "Spec == Init /\\ [][Next]_vars\n" in exported.module


def test_response_properties_are_left_out_with_a_comment_and_a_note(tmp_path: Path) -> None:
    """CCR's response properties count clock ticks: not a TLA+ formula. The module
    names them in a comment, export says so in one line on stderr, status 0
    (also through a pipe)."""
    command = (f"{sys.executable} -m ccrverify.cli export {ROOT / 'specs/ccr.py'} "
               f"--out {tmp_path} | cat")
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    notes = proc.stderr.strip().splitlines()
    assert len(notes) == 1 and "not exported" in notes[0]
    assert "FailoverTime, FailoverTimeCaughtUp" in notes[0] and "Traceback" not in notes[0]
    text = (tmp_path / "CCR.tla").read_text()
    config = (tmp_path / "CCR.cfg").read_text()
    module = Module(text)
    comment = next(line for line in text.splitlines() if "Not exported" in line)
    assert "FailoverTime (response)" in comment and "FailoverTimeCaughtUp (response)" in comment
    assert "FailoverTime" not in module.defs and "FailoverTime" not in config
    assert "PROPERTY Recovers" in config and "SPECIFICATION Spec" in config
    compiled = compile_model(target(str(ROOT / "specs/ccr.py")).build())
    actions = next_actions(module)
    assert spec_fairness(module) == model_fairness(compiled, actions)
    assert len(spec_fairness(module)) == 23  # the weakly fair instances, each on its own


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
    # Counts and invariants: TLC goes on after a violation (-continue), deadlocks and
    # temporal properties aside.
    (directory / "Counts.cfg").write_text("\n".join(
        line for line in exported.config.replace(
            "CHECK_DEADLOCK TRUE", "CHECK_DEADLOCK FALSE").splitlines()
        if not line.startswith("PROPERTY")) + "\n")
    tlc = run_tlc(jar, directory, "M", "Counts.cfg")
    assert not tlc["errors"], tlc["output"][-2000:]
    stats = result["stats"]
    assert (tlc["distinct"], tlc["transitions"], tlc["depth"]) == (
        stats["distinct_states"], stats["transitions"], stats["depth"])
    invariants = {p.name for p in model.properties if p.kind == PropertyKind.INVARIANT}
    assert tlc["violated"] == sorted(n for n, v in verdicts.items()
                                     if v == "violated" and n in invariants)
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
    if any(p.kind in TEMPORAL_FORMS for p in target(str(ROOT / spec)).build().properties):
        (tmp_path / "liveness").mkdir()
        compare_liveness_with_tlc(spec, {}, tmp_path / "liveness")


def compare_liveness_with_tlc(spec: str, knobs: dict[str, Any], directory: Path) -> None:
    """Each temporal property on its own under Spec (deadlocks stutter, as in
    ccrverify): TLC reports it violated exactly where check does."""
    import json

    jar = _tlc_jar()
    sets = [a for k, v in knobs.items() for a in ("--set", f"{k}={str(v).lower()}")]
    status, out, err = run_cli("check", str(ROOT / spec), "--json", *sets)
    verdicts = {p["name"]: p["verdict"] for p in json.loads(out)["properties"]}
    model = target(str(ROOT / spec), knobs=knobs or None).build()
    exported = export_tla(model, "M")
    (directory / "M.tla").write_text(exported.module)
    temporal = [p.name for p in model.properties if p.kind in TEMPORAL_FORMS]
    assert temporal
    base = [line for line in exported.config.splitlines()
            if not line.startswith(("PROPERTY", "INVARIANT", "CHECK_DEADLOCK"))]
    for name in temporal:
        (directory / f"{name}.cfg").write_text("\n".join(
            [*base, f"PROPERTY {name}", "CHECK_DEADLOCK FALSE"]) + "\n")
        proc = subprocess.run(["java", "-XX:+UseParallelGC", "-cp", jar, "tlc2.TLC",
                               "-workers", "1", "-config", f"{name}.cfg", "M"],
                              capture_output=True, text=True, cwd=directory, timeout=1800)
        violated = re.search(r"Temporal propert(y \w+ was|ies were) violated", proc.stdout) \
            is not None
        others = [line for line in proc.stdout.splitlines() if line.startswith("Error:")
                  and " violated" not in line
                  and "behavior up to" not in line and "counter-example" not in line]
        assert not others, proc.stdout[-2000:]
        assert violated == (verdicts[name] == "violated"), (name, proc.stdout[-2000:])


@pytest.mark.parametrize(("spec", "knobs"), [
    ("specs/examples/peterson.py", {"fair": True}),
    ("specs/examples/peterson.py", {"fair": False}),
    ("specs/examples/twophase.py", {}),
])
def test_tlc_finds_the_temporal_verdicts_of_check(spec: str, knobs: dict[str, Any],
                                                   tmp_path: Path) -> None:
    compare_liveness_with_tlc(spec, knobs, tmp_path)


@pytest.mark.parametrize("name", ERRORS)
def test_tlc_stops_with_an_error_where_ccrverify_does(name: str, tmp_path: Path) -> None:
    jar = _tlc_jar()
    model = target(str(ROOT / "tests" / "badinput" / name)).build()
    exported = export_tla(model, "M")
    (tmp_path / "M.tla").write_text(exported.module)
    (tmp_path / "M.cfg").write_text(exported.config)
    tlc = run_tlc(jar, tmp_path, "M", "M.cfg")
    assert tlc["errors"], tlc["output"][-2000:]
