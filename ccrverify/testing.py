"""Model checking from a pytest suite (or any test runner): run an engine on a
spec and fail the test with the counterexample as the message.

    from ccrverify.testing import assert_holds

    def test_ccr_keeps_acknowledged_mail():
        assert_holds("specs/ccr.py", knobs={"dumpster_size": 2},
                     properties=["NoLostAckedMail"])

    def test_ccr_large_configuration_survives_random_runs():
        assert_holds("specs/ccr.py", knobs={"messages": 6, "max_faults": 5},
                     engine="explore", max_examples=500)

`engine` is any name of the registry (``ccrverify list-engines``): explicit,
numpy, python, bmc, kind, pdr, mined, z3, explore. Limits are a `Request`
(``budget=``) or its fields as keywords (``max_states=``, ``depth=``,
``max_examples=``, ``seed=``, ...). A failure raises `AssertionError` (plain
Python, so any runner shows it) whose message is the verdict table and the
trace table. `assert_holds` passes only on a proof from an engine that proves;
from one that cannot (bmc, explore) it passes when no violation was found,
which is evidence, not proof. Random runs are reproducible (``seed=0`` unless
given) and keep no example database unless asked to, so a test suite never
writes into the working directory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from ccrverify import api, engines
from ccrverify.errors import UsageError
from ccrverify.request import Request
from ccrverify.result import CheckResult, VerdictKind
from ccrverify.trace import Trace

_LIMITS = {f.name for f in fields(Request)} - {"properties", "concretize", "progress"}


def check(spec: str | Path, knobs: Mapping[str, Any] | None = None, *,
          config: str | Path | None = None, properties: Sequence[str] | None = None,
          engine: str = "explicit", budget: Request | None = None,
          **limits: Any) -> CheckResult:
    """Run one engine on a spec (a path or a bundled model name) and return its result.
    `config` is a TOML configuration whose knobs apply first; `knobs` override them."""
    return _run(spec, knobs, config, properties, engine, budget, limits)[0]


def assert_holds(spec: str | Path, knobs: Mapping[str, Any] | None = None, *,
                 config: str | Path | None = None, properties: Sequence[str] | None = None,
                 engine: str = "explicit", budget: Request | None = None,
                 **limits: Any) -> CheckResult:
    """Fail unless the engine finds no violation (and, for an engine that proves,
    unless it proves every property). Returns the result for further assertions."""
    __tracebackhide__ = True  # pytest: show the caller's line, not this one
    result, clock = _run(spec, knobs, config, properties, engine, budget, limits)
    kinds = {p.verdict.kind for p in result.properties}
    if VerdictKind.VIOLATED in kinds:
        raise AssertionError(_message(result, spec, clock, "a property is violated"))
    proves = VerdictKind.HOLDS in engines.engine(engine).verdicts
    if proves and (not result.complete or kinds - {VerdictKind.HOLDS}):
        raise AssertionError(_message(result, spec, clock,
                                      f"engine {engine} did not prove every property"))
    return result


def assert_violated(spec: str | Path, property: str, knobs: Mapping[str, Any] | None = None,
                    *, config: str | Path | None = None, engine: str = "explicit",
                    max_length: int | None = None, budget: Request | None = None,
                    **limits: Any) -> Trace:
    """Fail unless the engine finds a counterexample to `property` (of at most
    `max_length` actions, when given); return its trace."""
    __tracebackhide__ = True
    limits.setdefault("check_deadlock", False)
    result, clock = _run(spec, knobs, config, [property], engine, budget, limits)
    outcome = result.property(property)
    if outcome.trace is None:
        raise AssertionError(_message(result, spec, clock,
                                      f"no counterexample to {property} was found"))
    if max_length is not None and len(outcome.trace) > max_length:
        raise AssertionError(_message(result, spec, clock,
                                      f"the counterexample to {property} has "
                                      f"{len(outcome.trace)} actions, more than {max_length}"))
    return outcome.trace


def _run(spec: str | Path, knobs: Mapping[str, Any] | None, config: str | Path | None,
         properties: Sequence[str] | None, engine: str, budget: Request | None,
         limits: dict[str, Any]) -> tuple[CheckResult, str]:
    unknown = set(limits) - _LIMITS
    if unknown:
        raise UsageError(f"unknown option {', '.join(sorted(unknown))}",
                         hint="limits are Request fields: " + ", ".join(sorted(_LIMITS)))
    if "database" in limits and limits["database"] is not None:
        limits["database"] = Path(limits["database"])
    request = budget or Request(seed=0)
    request = replace(request, **limits)
    if properties is not None:
        request = replace(request, properties=tuple(properties))
    on = api.target(spec, config, knobs=knobs)
    return api.run(on, engine, request), on.loaded.spec.clock


def _message(result: CheckResult, spec: str | Path, clock: str, headline: str) -> str:
    from ccrverify.render.text import render_result

    return f"{headline}\n\n{render_result(result, str(spec), clock)}"
