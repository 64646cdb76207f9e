"""Breadth-first enumeration of every reachable state.

Visited states live in one dict from packed state to its BFS parent (the
parent int object is shared, so a parent pointer costs only the dict slot).
Each level is expanded in chunks by the generated kernel; between chunks the
driver reports progress and enforces budgets. Invariants are checked on every
new level, so the first violating state found is at the smallest depth and
its parent chain is a shortest counterexample. A violation does not stop the
search unless `fail_fast` is set.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field

from ccrverify.compile import CompiledModel
from ccrverify.explicit.codegen import Kernel, StateError, build_kernel
from ccrverify.model import Property, PropertyKind
from ccrverify.request import Request
from ccrverify.result import CheckResult, PropertyResult, Stats, Verdict
from ccrverify.trace import Trace, evaluation_error, replay

CHUNK = 4096


@dataclass(frozen=True)
class Progress:
    states: int
    queue: int
    depth: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else 0.0


@dataclass
class _Search:
    compiled: CompiledModel
    kernel: Kernel
    seen: dict[int, int | None]
    inits: list[int]
    transitions: int = 0
    expanded: int = 0
    depth: int = 0
    deadlock: int | None = None
    stop_reason: str = ""
    # --counterexamples N: more deadlocked states of the level of the first one.
    more_deadlocks: list[int] = field(default_factory=list)
    deadlock_depth: int = -1


@dataclass(frozen=True)
class Selection:
    """The properties a search decides: invariants checked per state (by index in
    the model), and whether deadlocks are looked for."""

    chosen: tuple[Property, ...]
    pending: tuple[bool, ...]  # per model property: an invariant to check
    deadlock: bool

    @staticmethod
    def of(compiled: CompiledModel, request: Request) -> Selection:
        # Temporal properties need the whole graph (engine.py): never a per-state check.
        chosen = tuple(p for p in request.selected(compiled.model) if p.is_safety)
        pending = tuple(p in chosen and p.kind == PropertyKind.INVARIANT
                        for p in compiled.model.properties)
        deadlock = any(p.kind == PropertyKind.DEADLOCK_FREE for p in chosen)
        return Selection(chosen, pending, deadlock)

    def indices(self, compiled: CompiledModel) -> list[int]:
        """The checked invariants' indices (for an evaluation error's message)."""
        return [i for i, on in enumerate(self.pending) if on]


def _chunk_size(budget: Request, seen: int, expanded: int, inits: int) -> int:
    """States to expand before the next look at the budget: CHUNK, or fewer near the
    state limit, so the limit is overshot by about one state's successors, not by a
    chunk's (the limit is the memory guard)."""
    if budget.max_states is None:
        return CHUNK
    fanout = 2 * (seen - inits) / expanded + 1 if expanded else 16
    return max(1, min(CHUNK, int((budget.max_states - seen) / fanout)))


def peak_memory_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def check(compiled: CompiledModel, request: Request | None = None) -> CheckResult:
    """Enumerate the reachable states and decide every selected property."""
    request = request or Request()
    selection = Selection.of(compiled, request)
    pending = list(selection.pending)
    started = time.perf_counter()
    kernel = build_kernel(compiled)
    inits = list(dict.fromkeys(compiled.init_states()))
    search = _Search(compiled, kernel, {s: None for s in inits}, inits)
    violations: dict[int, int] = {}
    more: dict[int, list[int]] = {}
    wanted = request.counterexamples

    def record(states: list[int]) -> None:
        for index, state in kernel.check(states, pending):
            violations[index] = state
            pending[index] = False
            if wanted > 1:
                more[index] = _more_violations(kernel, states, state, index, wanted - 1,
                                               len(pending))

    frontier = inits
    last_report = started
    try:
        record(inits)
        while frontier and not search.stop_reason:
            level: list[int] = []
            start = 0
            while start < len(frontier):
                size = _chunk_size(request, len(search.seen), search.expanded, len(inits))
                chunk = frontier[start:start + size]
                start += len(chunk)
                ntrans, dead = kernel.expand(chunk, search.seen, level)
                search.expanded += len(chunk)
                search.transitions += ntrans
                if dead and selection.deadlock:
                    _record_deadlocks(search, dead, wanted)
                now = time.perf_counter()
                if request.progress and now - last_report >= request.progress_every:
                    last_report = now
                    request.progress(Progress(len(search.seen), len(frontier) - start
                                              + len(level), search.depth + 1, now - started))
                if request.max_states is not None and len(search.seen) >= request.max_states:
                    search.stop_reason = f"state limit {request.max_states:,} reached"
                    break
            if level:
                search.depth += 1
            record(level)
            frontier = level
            if request.fail_fast and (violations or search.deadlock is not None):
                if frontier:
                    search.stop_reason = "stopped at the first violation (--fail-fast)"
    except KeyboardInterrupt:
        search.stop_reason = "interrupted"
    except StateError as err:
        init_index, choices = _path(search, err.state)
        raise evaluation_error(compiled, init_index, choices,
                               selection.indices(compiled)) from None
    seconds = time.perf_counter() - started
    stats = Stats(len(search.seen), search.transitions, search.depth, seconds,
                  peak_memory_bytes())
    return _result(search, selection, violations, more, stats)


def _more_violations(kernel: Kernel, states: list[int], first: int, index: int, count: int,
                     properties: int) -> list[int]:
    """Up to `count` more states of the same level that violate property `index`
    (each the end of another shortest counterexample), found by the kernel's own
    check on the rest of the level; only asked for with --counterexamples."""
    only = [i == index for i in range(properties)]
    found: list[int] = []
    position = states.index(first) + 1
    while len(found) < count and position < len(states):
        hit = kernel.check(states[position:], only)
        if not hit:
            break
        state = hit[0][1]
        found.append(state)
        position = states.index(state, position) + 1
    return found


def _record_deadlocks(search: _Search, dead: list[int], wanted: int) -> None:
    """The first deadlocked state, and with --counterexamples N more of its level."""
    if search.deadlock is None:
        search.deadlock = dead[0]
        search.deadlock_depth = search.depth
        dead = dead[1:]
    if search.deadlock_depth == search.depth:
        room = wanted - 1 - len(search.more_deadlocks)
        search.more_deadlocks.extend(dead[:max(0, room)])


def _result(search: _Search, selection: Selection, violations: dict[int, int],
            more: dict[int, list[int]], stats: Stats) -> CheckResult:
    props = search.compiled.model.properties
    traces = {i: _counterexample(search, state, props[i].name)
              for i, state in violations.items()}
    others = {i: [_counterexample(search, state, props[i].name) for state in states]
              for i, states in more.items()}
    deadlock = None
    if search.deadlock is not None:
        deadlock = _counterexample(search, search.deadlock, deadlock=True)
    more_deadlocks = [_counterexample(search, s, deadlock=True) for s in search.more_deadlocks]
    return assemble(search.compiled, selection, traces, deadlock, search.stop_reason, stats,
                    "python", others, more_deadlocks)


def assemble(compiled: CompiledModel, selection: Selection, traces: dict[int, Trace],
             deadlock: Trace | None, stop_reason: str, stats: Stats,
             backend: str, more: dict[int, list[Trace]] | None = None,
             more_deadlocks: list[Trace] | None = None) -> CheckResult:
    """One verdict per selected property from what a search found (`more`: further
    shortest counterexamples, with --counterexamples N)."""
    model = compiled.model
    complete = not stop_reason
    results = []
    for prop in selection.chosen:
        if prop.kind == PropertyKind.DEADLOCK_FREE:
            trace = deadlock
            others = list(more_deadlocks or [])
        else:
            trace = traces.get(model.properties.index(prop))
            others = (more or {}).get(model.properties.index(prop), [])
        if trace is not None:
            verdict = Verdict.violated()
        elif complete:
            verdict = Verdict.holds()
        else:
            verdict = Verdict.unknown(stop_reason)
        results.append(PropertyResult(prop.name, prop.description, verdict, trace, prop.kind,
                                      more_traces=tuple(others)))
    notes = () if complete else (f"incomplete: {stop_reason}",)
    return CheckResult(model.name, dict(model.knobs), "explicit", stats, tuple(results),
                       complete, notes, backend=backend)


def _counterexample(search: _Search, state: int, violates: str | None = None,
                    deadlock: bool = False) -> Trace:
    """Walk parent pointers back to an initial state, name each step's action, replay."""
    init_index, choices = _path(search, state)
    return replay(search.compiled, init_index, choices, violates, deadlock)


def _path(search: _Search, state: int) -> tuple[int, list[int]]:
    """The initial state's index and the actions of a shortest path to `state`."""
    path = [state]
    parent = search.seen[state]
    while parent is not None:
        path.append(parent)
        parent = search.seen[parent]
    path.reverse()
    choices = []
    for before, after in zip(path, path[1:], strict=False):
        choices.append(next(i for i, s in search.kernel.successors(before) if s == after))
    compiled = search.compiled
    init_index = compiled.init_index(compiled.layout.unpack(path[0]))
    assert init_index is not None, "a BFS path starts in an initial state"
    return init_index, choices
