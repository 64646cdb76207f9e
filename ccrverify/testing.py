"""Model checking from a pytest suite (or any test runner): run an engine on a
spec and fail the test with the counterexample as the message.

    from ccrverify.testing import assert_holds

    def test_ccr_keeps_acknowledged_mail():
        assert_holds("specs/ccr.py", knobs={"dumpster_size": 2},
                     properties=["NoLostAckedMail"])

    def test_ccr_large_configuration_survives_random_runs():
        assert_holds("specs/ccr.py", knobs={"messages": 6, "max_faults": 5},
                     engine="explore", max_examples=500)

A failure raises `AssertionError` (plain Python, so any runner shows it) whose
message is the verdict table and the trace table. The explicit engine passes
only on a proof (every property holds, the enumeration complete); the
explorer can only fail on a violation and passes when none was found, which
is evidence, not proof. Explorer runs are reproducible (`seed=0`) and keep no
example database unless asked to, so a test suite never writes into the
working directory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccrverify.errors import UsageError
from ccrverify.result import HOLDS, VIOLATED, CheckResult
from ccrverify.trace import Trace

ENGINES = ("explicit", "explore")


@dataclass(frozen=True)
class _Run:
    result: CheckResult
    source: str
    clock: str


def check(spec: str | Path, knobs: Mapping[str, Any] | None = None, *,
          config: str | Path | None = None, properties: Sequence[str] | None = None,
          engine: str = "explicit", max_states: int | None = None,
          max_examples: int = 1000, steps: int = 100, seed: int | None = 0,
          time_limit: float | None = None, swarm: bool = True,
          database: str | Path | None = None, check_deadlock: bool = True) -> CheckResult:
    """Run one engine on a spec (a path or a bundled model name) and return its result.

    `config` is a TOML configuration whose knobs apply first; `knobs` override
    them. `max_states` bounds the explicit engine; `max_examples`, `steps`,
    `seed` (None for a fresh random run), `time_limit`, `swarm` and
    `database` (a directory for Hypothesis's example database) shape the
    explorer.
    """
    return _run(spec, knobs, config, properties, engine, max_states, max_examples, steps,
                seed, time_limit, swarm, database, check_deadlock).result


def assert_holds(spec: str | Path, knobs: Mapping[str, Any] | None = None, *,
                 config: str | Path | None = None, properties: Sequence[str] | None = None,
                 engine: str = "explicit", max_states: int | None = None,
                 max_examples: int = 1000, steps: int = 100, seed: int | None = 0,
                 time_limit: float | None = None, swarm: bool = True,
                 database: str | Path | None = None,
                 check_deadlock: bool = True) -> CheckResult:
    """Fail unless the engine finds no violation (for "explicit": unless it proves
    every property). Returns the result for further assertions on coverage."""
    __tracebackhide__ = True  # pytest: show the caller's line, not this one
    run = _run(spec, knobs, config, properties, engine, max_states, max_examples, steps,
               seed, time_limit, swarm, database, check_deadlock)
    result = run.result
    kinds = {p.verdict.kind for p in result.properties}
    if VIOLATED in kinds:
        raise AssertionError(_message(run, "a property is violated"))
    if engine == "explicit" and (not result.complete or kinds - {HOLDS}):
        raise AssertionError(_message(run, "the explicit engine did not prove every property"))
    return result


def assert_violated(spec: str | Path, property: str, knobs: Mapping[str, Any] | None = None,
                    *, config: str | Path | None = None, engine: str = "explicit",
                    max_length: int | None = None, max_states: int | None = None,
                    max_examples: int = 1000, steps: int = 100, seed: int | None = 0,
                    time_limit: float | None = None, swarm: bool = True,
                    database: str | Path | None = None) -> Trace:
    """Fail unless the engine finds a counterexample to `property` (of at most
    `max_length` actions, when given); return its trace."""
    __tracebackhide__ = True
    run = _run(spec, knobs, config, [property], engine, max_states, max_examples, steps,
               seed, time_limit, swarm, database, False)
    outcome = run.result.property(property)
    if outcome.trace is None:
        raise AssertionError(_message(run, f"no counterexample to {property} was found"))
    if max_length is not None and len(outcome.trace) > max_length:
        raise AssertionError(_message(run, f"the counterexample to {property} has "
                                           f"{len(outcome.trace)} actions, more than {max_length}"))
    return outcome.trace


def _run(spec: str | Path, knobs: Mapping[str, Any] | None, config: str | Path | None,
         properties: Sequence[str] | None, engine: str, max_states: int | None,
         max_examples: int, steps: int, seed: int | None, time_limit: float | None,
         swarm: bool, database: str | Path | None, check_deadlock: bool) -> _Run:
    from ccrverify.cli import selected_properties
    from ccrverify.compile import compile_model
    from ccrverify.loader import load, load_config, resolve_knobs

    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}", hint="one of " + ", ".join(ENGINES))
    loaded = load(str(spec))
    values = resolve_knobs(loaded, load_config(str(config)) if config else None, [])
    values.update(knobs or {})
    model = loaded.build(values)
    names = selected_properties(model, properties)
    compiled = compile_model(model)
    if engine == "explicit":
        from ccrverify.explicit.bfs import Budget
        from ccrverify.explicit.bfs import check as enumerate_states

        result = enumerate_states(compiled, names, Budget(max_states=max_states,
                                                          check_deadlock=check_deadlock))
    else:
        from ccrverify.explore.options import ExploreOptions
        from ccrverify.explore.search import explore

        options = ExploreOptions(max_examples=max_examples, steps=steps, seed=seed,
                                 time_limit=time_limit, swarm=swarm,
                                 database=None if database is None else Path(database),
                                 check_deadlock=check_deadlock)
        result = explore(compiled, names, options)
    return _Run(result, str(loaded.path), model.clock)


def _message(run: _Run, headline: str) -> str:
    from ccrverify.render.text import render_result

    text = f"{headline}\n\n{render_result(run.result, run.source, run.clock)}"
    coverage = run.result.extra.get("coverage")
    if coverage is not None:
        from ccrverify.explore.report import coverage_text

        text += "\n\n" + coverage_text(coverage)
    return text
