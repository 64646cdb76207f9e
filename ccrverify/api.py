"""The library API: find a model, pick its properties, run an engine on it.

The command line (`ccrverify.cli`) and the pytest helpers (`ccrverify.testing`)
are thin layers over these functions; nothing here parses arguments or prints.

    from ccrverify.api import run, target
    from ccrverify.request import Request

    result = run(target("specs/ccr.py", knobs={"renew_grace": 3}), "explicit",
                 Request(properties=("NoSplitBrain",)))
    result.property("NoSplitBrain").trace      # a replayed, shortest counterexample
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ccrverify import engines
from ccrverify.compile import CompiledModel, compile_model
from ccrverify.errors import SpecError, UsageError
from ccrverify.loader import LoadedSpec, load, load_config, resolve_knobs, spec_for_config
from ccrverify.model import Model
from ccrverify.request import Request
from ccrverify.result import (
    HOLDS,
    UNKNOWN,
    VIOLATED,
    CheckResult,
    PropertyResult,
    Verdict,
    VerdictKind,
)

Ranges = Mapping[str, tuple[int, int]]


@dataclass(frozen=True)
class Target:
    """The model a run works on: the loaded spec and its knob values."""

    loaded: LoadedSpec
    knobs: dict[str, Any]
    config_path: str = ""

    def build(self, symbolic: Ranges | None = None) -> Model:
        return self.loaded.build(self.knobs, symbolic)

    @property
    def source(self) -> str:
        return str(self.loaded.path)


def target(spec: str | Path | None, config: str | Path | None = None,
           sets: Sequence[str] = (), knobs: Mapping[str, Any] | None = None) -> Target:
    """A spec (a path, a bundled model name, or a .toml configuration naming one),
    with the configuration's knobs, then ``--set KNOB=VALUE`` texts, then `knobs`."""
    spec_arg = None if spec is None else str(spec)
    config_arg = None if config is None else str(config)
    if spec_arg and spec_arg.endswith(".toml") and not config_arg:
        spec_arg, config_arg = None, spec_arg
    loaded_config = load_config(config_arg) if config_arg else None
    if spec_arg is None:
        if loaded_config is None:
            raise UsageError("name a spec (a file such as specs/ccr.py, or a bundled model)")
        spec_arg = spec_for_config(loaded_config)
    loaded = load(spec_arg)
    values = resolve_knobs(loaded, loaded_config, list(sets))
    if knobs:
        values.update(knobs)
        loaded.spec.knob_values(values)  # every knob checked against its range
    return Target(loaded, values, config_arg or "")


def select(model: Model, names: Sequence[str] | None) -> tuple[str, ...] | None:
    """The named properties, checked to exist (None: every property)."""
    if not names:
        return None
    known = [p.name for p in model.properties]
    for name in names:
        if name not in known:
            raise UsageError(f"unknown property {name!r} for model {model.name}",
                             hint="known: " + (", ".join(known) or "none"))
    return tuple(names)


def run(on: Target, engine: str, request: Request | None = None,
        symbolic: Ranges | None = None) -> CheckResult:
    """Run one engine of the registry on the target. `symbolic` leaves value knobs
    unknown within ranges (engines that can: one proof covers the whole range)."""
    chosen = engines.engine(engine)
    request = (request or Request()).validate()
    if symbolic and not chosen.symbolic_knobs:
        raise UsageError(f"engine {chosen.name} needs concrete knobs",
                         hint="--symbolic is for the Z3 engines (bmc, kind, pdr, mined, z3); "
                         "use --set or a sweep")
    model = build_symbolic(on, symbolic, "--symbolic") if symbolic else on.build()
    request = replace(request, properties=select(model, request.properties))
    request, skipped = _decidable(chosen, model, request)
    if symbolic:
        request = replace(request, concretize=concretizer(on))
    started = time.perf_counter()
    result = chosen.check(compile_model(model), request)
    if not result.stats.seconds:
        result = replace(result, stats=replace(result.stats,
                                               seconds=time.perf_counter() - started))
    if skipped:
        result = _with_undecided(result, model, chosen, skipped)
    return result


def _with_undecided(result: CheckResult, model: Model, engine: engines.Engine,
                    skipped: list[str]) -> CheckResult:
    """The properties of a default selection this engine cannot decide, as unknown
    verdicts that say so, in the model's order."""
    decided = {p.name: p for p in result.properties}
    for name in skipped:
        prop = model.property(name)
        decided[name] = PropertyResult(name, prop.description, Verdict.unknown(
            f"engine {engine.name} does not decide {prop.kind.value} properties"), kind=prop.kind)
    order = [p.name for p in model.properties if p.name in decided]
    return replace(result, properties=tuple(decided[n] for n in order),
                   complete=False)


def _decidable(engine: engines.Engine, model: Model, request: Request
               ) -> tuple[Request, list[str]]:
    """Refuse a named property the engine cannot decide; leave such properties out
    of a default selection, saying which."""
    chosen = request.selected(model)
    engines.require(engine, {p.kind for p in chosen}, request.properties is not None)
    skipped = [p.name for p in chosen if p.kind not in engine.decides]
    if not skipped:
        return request, []
    kept = tuple(p.name for p in chosen if p.kind in engine.decides)
    return replace(request, properties=kept), skipped


# -- symbolic knobs -------------------------------------------------------------------
def parse_ranges(items: Sequence[str] | None, option: str) -> dict[str, tuple[int, int]]:
    """``KNOB=LO..HI`` texts as ranges, or a one-line UsageError."""
    ranges: dict[str, tuple[int, int]] = {}
    for item in items or []:
        name, _, text = item.partition("=")
        lo_text, sep, hi_text = text.partition("..")
        try:
            lo, hi = int(lo_text), int(hi_text)
        except ValueError:
            lo, hi = 0, -1
            sep = ""
        if not name.strip() or not sep:
            raise UsageError(f"{option} {item!r}: expected KNOB=LO..HI, e.g. renew_grace=1..6")
        if lo > hi:
            raise UsageError(f"{option} {item!r}: the range is empty")
        ranges[name.strip()] = (lo, hi)
    return ranges


def build_symbolic(on: Target, ranges: Ranges, option: str) -> Model:
    """The model with these knobs left symbolic, or a clear refusal."""
    spec = on.loaded.spec
    for name in ranges:
        if name not in spec.knobs:
            spec.knob_values({name: 0})  # the unknown-knob error, with a suggestion
        if spec.knobs[name].is_bool:
            raise UsageError(f"{option} {name}: a boolean knob cannot be symbolic",
                             hint="it switches parts of the model on or off; use --set")
        if name in on.knobs:
            raise UsageError(f"{option} {name}: the knob is also given a value (--set or "
                             "--config)", hint="give it either a value or a range")
    try:
        return on.build(dict(ranges))
    except SpecError as err:
        if "concrete value" in err.message or "Python needs an int" in err.message:
            names = ", ".join(sorted(ranges))
            # A frame of generated code (a dataclass __init__) is no place to show.
            where = err.location if err.location and "<" not in err.location.file else None
            raise SpecError(
                f"{option}: cannot leave {names} symbolic: {err.message}", where,
                "the knob is structural: it shapes the model (its variables, domains or "
                "actions), so it needs a value; use --set or a sweep") from None
        raise


def concretizer(on: Target) -> Any:
    """Knob values picked by a solver -> the model built with them as ordinary knobs."""
    cache: dict[tuple[tuple[str, int], ...], CompiledModel] = {}

    def concretize(values: Mapping[str, int]) -> CompiledModel:
        key = tuple(sorted(values.items()))
        if key not in cache:
            cache[key] = compile_model(on.loaded.build({**on.knobs, **values}))
        return cache[key]

    return concretize


def synthesize(on: Target, prop: str, box: Ranges, engine: str = "mined",
               time_limit: float | None = None) -> Any:
    """The points of a knob box where `prop` holds, with a constraint when one fits.
    ``mined`` proves whole regions at once (`ccrverify.symbolic.synthesis`); any
    other engine decides the points one by one."""
    from ccrverify.symbolic.synthesis import (
        Counterexample,
        Synthesis,
        box_points,
        describe,
        synthesize,
    )

    model = build_symbolic(on, box, "--knob")
    select(model, [prop])
    if engine == "mined":
        return synthesize(compile_model(model), prop, concretizer(on), time_limit)
    chosen = engines.engine(engine)
    started = time.perf_counter()
    points = box_points(box)
    verdicts: dict[Any, VerdictKind] = {}
    found = []
    for point in points:
        result = run(Target(on.loaded, {**on.knobs, **dict(point)}, on.config_path),
                     chosen.name, Request((prop,), check_deadlock=False, time_limit=time_limit))
        outcome = result.property(prop)
        kind = outcome.verdict.kind
        verdicts[point] = kind if kind in (HOLDS, VIOLATED) else UNKNOWN
        if outcome.trace is not None:
            found.append(Counterexample(point, len(outcome.trace), tuple(outcome.trace.labels),
                                        outcome.trace))
    safe = {p for p, v in verdicts.items() if v == HOLDS}
    constraint = describe(points, safe) if UNKNOWN not in verdicts.values() else None
    seconds = time.perf_counter() - started
    return Synthesis(prop, dict(box), verdicts, (), tuple(found), constraint, seconds,
                     {chosen.name: len(points)}, {chosen.name: round(seconds, 2)})
