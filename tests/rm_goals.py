"""Goal invariants for the resource-manager models (TwoPhase, TCommit): states a
run reaches, so each fails with a shortest counterexample. All are symmetric
under renaming the RMs, so the symmetry reduction must find the same lengths
as the full search (tests/unit/test_symmetry.py, benchmarks/symmetry.py)."""

from __future__ import annotations

from typing import Any

from helpers import ROOT

from ccrverify.compile import CompiledModel, compile_model
from ccrverify.lang import PropertySet, all_of, any_of
from ccrverify.loader import load
from ccrverify.request import Request

GOALS = PropertySet()


def _rms(s: Any) -> list[str]:
    return [f"r{i}" for i in range(1, s.k.rm + 1)]


@GOALS.invariant("NobodyCommitted")
def nobody_committed(s: Any) -> Any:
    return ~any_of(s.rm_state[r] == "committed" for r in _rms(s))


@GOALS.invariant("NotAllAborted")
def not_all_aborted(s: Any) -> Any:
    return ~all_of(s.rm_state[r] == "aborted" for r in _rms(s))


@GOALS.invariant("NoPreparedBesideAborted")
def no_prepared_beside_aborted(s: Any) -> Any:
    return ~(any_of(s.rm_state[r] == "prepared" for r in _rms(s))
             & any_of(s.rm_state[r] == "aborted" for r in _rms(s)))


def rm_model(spec: str, rm: int, **knobs: Any) -> CompiledModel:
    """A bundled RM model (e.g. "examples/twophase.py") with its own properties and GOALS."""
    loaded = load(str(ROOT / "specs" / spec))
    return compile_model(loaded.spec.build({"rm": rm, **knobs}, (*loaded.property_sets, GOALS)))


def safety(model: CompiledModel) -> Request:
    """Every safety property of the model (its invariants, the goals, deadlock freedom)."""
    return Request(properties=tuple(p.name for p in model.model.properties if p.is_safety))
