"""Test helpers: paths, building models, running the CLI in-process."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import sys
from pathlib import Path
from typing import Any

from ccrverify.cli import main
from ccrverify.compile import CompiledModel, compile_model
from ccrverify.loader import load

ROOT = Path(__file__).resolve().parent.parent


def compiled(spec: str, **knobs: Any) -> CompiledModel:
    return compile_model(load(str(ROOT / "specs" / spec)).build(knobs))


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    return status, out.getvalue(), err.getvalue()


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    status, out, _ = run_cli(*args, "--json")
    return status, json.loads(out)


def load_reference(model: str = "ccr") -> Any:
    """The independent plain-Python reference of a model (tests/reference/), loaded once."""
    name = f"{model}_reference"
    if name in sys.modules:
        return sys.modules[name]
    path = ROOT / "tests" / "reference" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses in it look their module up by name
    spec.loader.exec_module(module)
    return module


BACKENDS = ("python", "numpy")


def graph_spec(tmp_path: Path, n: int, edges: list[tuple[int, int, str | None]],
               goal: list[int], trigger: list[int] | None = None, name: str = "g") -> str:
    """A model whose states are 0..n-1 and whose actions are the edges (each with its
    own fairness), with every temporal property over `goal`."""
    lines = ["from ccrverify.lang import IntRange, Spec, any_of", f"spec = Spec('G{name}')",
             "", "@spec.model", "def build(m):",
             f"    m.var('x', IntRange(0, {n - 1}), init=0)"]
    for i, (u, v, fair) in enumerate(edges):
        lines += [f"    @m.action(name='E{i}', fair={fair!r})", f"    def e{i}(s):",
                  f"        s.require(s.x == {u})", f"        s.x = {v}"]
    def cond(nodes: list[int]) -> str:
        return "any_of([" + ", ".join(f"s.x == {v}" for v in nodes) + "])" if nodes \
            else "s.x < 0"
    lines += ["", "@spec.eventually('Ev')", f"def ev(s):\n    return {cond(goal)}",
              "@spec.always_eventually('AlwaysEv')", f"def aev(s):\n    return {cond(goal)}",
              "@spec.eventually_always('EvAlways')", f"def eva(s):\n    return {cond(goal)}",
              "@spec.leads_to('LeadsTo')",
              f"def lt(s):\n    return {cond(trigger or [])}, {cond(goal)}"]
    path = tmp_path / f"{name}.py"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


# For the search options that must not change an answer (workers, spill to disk):
# TwoPhase; the three-word toy, whose invariant and deadlock are violated; wide CCR.
SEARCH_MODELS = [("examples/twophase.py", {"rm": 5}), ("../tests/unit/wide_spec.py", {}),
                 ("ccr.py", {"messages": 5, "max_faults": 0})]


def search_summary(result: Any) -> Any:
    """Counts, verdicts and counterexamples: what a search option must leave alone."""
    s = result.stats
    return ((s.distinct_states, s.transitions, s.depth),
            [(p.name, p.verdict.kind, p.trace and (p.trace.init_index, p.trace.choices))
             for p in result.properties])
