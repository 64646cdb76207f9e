"""Nearest safe configurations: for a configuration that violates a property,
search the nearby knob values for ones where every checked property holds.

Candidates are visited in tiers of increasing distance, fewest changed knobs
first, then the smallest total step (a boolean knob's flip is one step), so
the first safe tier holds the closest answers. Each tier runs on a sweep
executor (local processes by default), with fail-fast checks so unsafe
candidates cost little. For every suggestion we replay the original
counterexample under the new knobs and report the step it no longer permits:
the first action that is absent or disabled, or the first step whose state now
differs in a variable the property reads.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ccrverify.compile import compile_model
from ccrverify.errors import UsageError
from ccrverify.expr import slots_used
from ccrverify.lang.spec import Knob
from ccrverify.loader import LoadedSpec
from ccrverify.model import Model
from ccrverify.render.text import flat_entries, format_value
from ccrverify.request import Request
from ccrverify.result import CheckResult
from ccrverify.sweep.executors import Executor
from ccrverify.sweep.point import PointResult, PointTask
from ccrverify.trace import Trace

Changes = tuple[tuple[str, Any], ...]  # knob -> new value, only the changed knobs


@dataclass(frozen=True)
class SuggestOptions:
    count: int = 3  # how many suggestions to return
    max_changes: int = 2  # most knobs changed at once
    max_step: int = 3  # largest change of one integer knob
    keep: tuple[str, ...] = ()  # knobs never changed
    max_candidates: int = 400  # configurations checked at most
    max_states: int | None = None  # per candidate; default: 20x the original, at least 200k
    prefer: str | None = None  # a response property: the fastest safe setting first


@dataclass(frozen=True)
class Block:
    """Where a suggestion cuts one original counterexample."""

    property: str
    step: int  # 1-based step of the original counterexample (0: the initial state)
    action: str
    how: str

    def to_json(self) -> dict[str, Any]:
        return {"property": self.property, "step": self.step, "action": self.action,
                "how": self.how}


@dataclass(frozen=True)
class Suggestion:
    changes: Changes
    distance: int  # total steps over the changed knobs
    blocks: tuple[Block, ...]  # one per counterexample of the original check
    distinct_states: int
    ticks: int | None = None  # the preferred response property's worst case there

    def to_json(self) -> dict[str, Any]:
        out = {"knobs": dict(self.changes), "distance": self.distance,
               "changed_knobs": len(self.changes),
               "blocks_step": self.blocks[0].step if self.blocks else None,
               "blocks": [b.to_json() for b in self.blocks]}
        if self.ticks is not None:
            out["ticks"] = self.ticks
        return out


@dataclass(frozen=True)
class SuggestResult:
    suggestions: tuple[Suggestion, ...]
    checked: int  # candidate configurations checked
    searched: str  # what was searched, in words

    def to_json(self) -> list[dict[str, Any]]:
        return [s.to_json() for s in self.suggestions]


def moves(knob: Knob, value: Any, max_step: int) -> list[tuple[Any, int]]:
    """Nearby values of one knob with their step sizes, inside the knob's range."""
    if knob.is_bool:
        return [(not value, 1)]
    out = []
    for step in range(1, max_step + 1):
        for candidate in (value - step, value + step):
            if (knob.lo is None or candidate >= knob.lo) and (
                    knob.hi is None or candidate <= knob.hi):
                out.append((candidate, step))
    return out


def tiers(knobs: Mapping[str, Knob], base: Mapping[str, Any], options: SuggestOptions
          ) -> Iterator[tuple[int, int, list[Changes]]]:
    """(changed knobs, distance, candidates), closest tiers first."""
    names = [n for n in knobs if n not in options.keep]
    near = {n: moves(knobs[n], base[n], options.max_step) for n in names}
    for count in range(1, options.max_changes + 1):
        for distance in range(count, count * options.max_step + 1):
            tier = []
            for combo in itertools.combinations(names, count):
                for picks in itertools.product(*(near[n] for n in combo)):
                    if sum(step for _, step in picks) == distance:
                        tier.append(tuple((n, v) for n, (v, _) in zip(combo, picks, strict=True)))
            if tier:
                yield count, distance, tier


def suggest(loaded: LoadedSpec, knobs: Mapping[str, Any], result: CheckResult,
            properties: Sequence[str] | None, check_deadlock: bool, executor: Executor,
            options: SuggestOptions | None = None) -> SuggestResult:
    """The closest configurations where every checked property holds, each with
    the step of every original counterexample that it rules out."""
    options = options or SuggestOptions()
    for name in options.keep:
        if name not in loaded.spec.knobs:
            raise UsageError(f"--keep {name}: unknown knob",
                             hint="known: " + ", ".join(loaded.spec.knobs))
    base = loaded.spec.knob_values(knobs)
    limit = options.max_states or max(20 * result.stats.distinct_states, 200_000)
    wanted = None if properties is None else tuple(properties)
    if options.prefer is not None and wanted is not None and options.prefer not in wanted:
        wanted += (options.prefer,)
    tasks = _Tasks(str(loaded.path.resolve()), wanted, limit, check_deadlock)
    found, checked = _search(loaded, base, tasks, executor, options)
    if options.prefer is not None:  # fastest response first, then the smallest change
        found.sort(key=lambda f: (f[3] if f[3] is not None else 10**9, len(f[0]), f[1]))
    counterexamples = [(p.name, p.trace) for p in result.properties if p.trace is not None
                       and p.trace.loop is None]
    suggestions = []
    for changes, distance, states, ticks in found[:options.count]:
        model = loaded.build({**base, **dict(changes)})
        blocks = tuple(blocking_step(model, name, trace) for name, trace in counterexamples)
        suggestions.append(Suggestion(changes, distance, blocks, states, ticks))
    kept = f", keeping {', '.join(options.keep)}" if options.keep else ""
    searched = (f"{checked} nearby configurations checked (up to {options.max_changes} knobs "
                f"changed, steps up to {options.max_step}{kept})")
    return SuggestResult(tuple(suggestions), checked, searched)


@dataclass(frozen=True)
class _Tasks:
    """How every candidate is checked: fail-fast, so unsafe ones cost little."""

    spec_path: str
    properties: tuple[str, ...] | None
    max_states: int
    check_deadlock: bool

    def of(self, knobs: tuple[tuple[str, Any], ...]) -> PointTask:
        return PointTask(self.spec_path, knobs, "explicit", Request(
            self.properties, self.check_deadlock, self.max_states, fail_fast=True))


def _search(loaded: LoadedSpec, base: Mapping[str, Any], tasks: _Tasks, executor: Executor,
            options: SuggestOptions) -> tuple[list[tuple[Changes, int, int, int | None]], int]:
    """Safe candidates as (changes, distance, states, preferred response ticks), closest
    first; and how many were checked."""
    found: list[tuple[Changes, int, int, int | None]] = []
    checked = hits = 0
    for _, distance, tier in tiers(loaded.spec.knobs, base, options):
        tier = tier[:options.max_candidates - checked]
        # A candidate that goes further than a found suggestion in the same
        # direction is no new answer; skipping it keeps the few we return distinct.
        tier = [c for c in tier if not any(_extends(c, f[0], base) for f in found)]
        by_knobs = {tuple(sorted({**base, **dict(c)}.items())): c for c in tier}
        safe = {point.knobs: (point.distinct_states, _ticks(point, options.prefer))
                for point in executor.run([tasks.of(k) for k in by_knobs])
                if point.all_hold and point.complete}
        checked += len(tier)
        found += [(c, distance, *safe[k]) for k, c in by_knobs.items() if k in safe]
        hits = hits + 1 if found else 0  # tiers searched since the first answer
        # Stop at enough answers, or one tier after the first answer: further
        # tiers are farther away than anyone asking "what is the smallest change" wants.
        if len(found) >= options.count or hits >= 2 or checked >= options.max_candidates:
            break
    return found, checked


def _ticks(point: PointResult, prefer: str | None) -> int | None:
    outcome = point.outcome(prefer) if prefer is not None else None
    return outcome.ticks if outcome is not None and isinstance(outcome.ticks, int) else None


def _extends(candidate: Changes, found: Changes, base: Mapping[str, Any]) -> bool:
    """Whether `candidate` makes every change of `found`, at least as far."""
    moved = dict(candidate)
    for name, value in found:
        if name not in moved:
            return False
        if isinstance(value, bool):
            if moved[name] != value:
                return False
        elif (moved[name] - base[name]) * (value - base[name]) <= 0 or abs(
                moved[name] - base[name]) < abs(value - base[name]):
            return False
    return True


def blocking_step(model: Model, prop: str, trace: Trace) -> Block:
    """The first step of `trace` that `model` (other knobs) no longer permits."""
    compiled = compile_model(model)
    index = {a.label: i for i, a in enumerate(model.actions)}
    watched = _watched_variables(model, prop)
    values = compiled.init_value(trace.init_index if trace.init_index < compiled.init_count()
                                 else 0)
    state = compiled.decode(compiled.layout.pack(values))
    differs = _differences(trace.steps[0].state, state, watched)
    if differs:
        return Block(prop, 0, "(initial state)", "starts with " + differs)
    for number, step in enumerate(trace.steps[1:], 1):
        label = step.label or ""
        action = index.get(label)
        if action is None:
            return Block(prop, number, label, "no such action in this configuration")
        following = compiled.next_values(values, action)
        if following is None:
            return Block(prop, number, label, "no longer enabled")
        values = following
        state = compiled.decode(compiled.layout.pack(values))
        differs = _differences(step.state, state, watched)
        if differs:
            return Block(prop, number, label, "now leads to " + differs)
    last = trace.steps[-1].label or "(initial state)"
    return Block(prop, len(trace), last, "no longer ends in a violation")


def _watched_variables(model: Model, prop: str) -> set[str]:
    if prop not in {p.name for p in model.properties}:
        return {v.name for v in model.variables}  # deadlock: the whole state matters
    slots = slots_used([model.property(prop).predicate])
    return {model.slots[s].var for s in slots}


def _differences(original: dict[str, Any], now: dict[str, Any], watched: set[str]) -> str:
    before = dict(flat_entries({k: v for k, v in original.items() if k in watched}))
    after = dict(flat_entries({k: v for k, v in now.items() if k in watched}))
    return ", ".join(f"{name}={format_value(v)} (was {format_value(before.get(name))})"
                     for name, v in after.items() if before.get(name) != v)
