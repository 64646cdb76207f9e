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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ccrverify.compile import CompiledModel
from ccrverify.explicit.codegen import Kernel, StateError, build_kernel
from ccrverify.result import CheckResult, PropertyResult, Stats, Verdict
from ccrverify.trace import Trace, evaluation_error, replay

DEADLOCK = "DeadlockFree"
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


@dataclass(frozen=True)
class Budget:
    max_states: int | None = None
    fail_fast: bool = False
    check_deadlock: bool = True
    progress: Callable[[Progress], None] | None = None
    progress_every: float = 2.0


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


def _chunk_size(budget: Budget, seen: int, expanded: int, inits: int) -> int:
    """States to expand before the next look at the budget: CHUNK, or fewer near the
    state limit, so the limit is overshot by about one state's successors, not by a
    chunk's (the limit is the memory guard)."""
    if budget.max_states is None:
        return CHUNK
    fanout = 2 * (seen - inits) / expanded + 1 if expanded else 16
    return max(1, min(CHUNK, int((budget.max_states - seen) / fanout)))


def peak_memory_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def selection(compiled: CompiledModel, properties: Sequence[str] | None
              ) -> tuple[list[str], list[str]]:
    """Every property name of the model, and those to check (all when None)."""
    names = [p.name for p in compiled.model.properties]
    return names, list(names) if properties is None else list(properties)


def check(compiled: CompiledModel, properties: Sequence[str] | None = None,
          budget: Budget | None = None) -> CheckResult:
    """Enumerate the reachable states and decide every selected property."""
    budget = budget or Budget()
    model = compiled.model
    names, selected = selection(compiled, properties)
    pending = [name in selected for name in names]
    started = time.perf_counter()
    kernel = build_kernel(compiled)
    inits = list(dict.fromkeys(compiled.init_states()))
    search = _Search(compiled, kernel, {s: None for s in inits}, inits)
    violations: dict[int, int] = {}
    check_deadlock = budget.check_deadlock and not model.terminal_states

    def record(states: list[int]) -> None:
        for index, state in kernel.check(states, pending):
            violations[index] = state
            pending[index] = False

    frontier = inits
    last_report = started
    try:
        record(inits)
        while frontier and not search.stop_reason:
            level: list[int] = []
            start = 0
            while start < len(frontier):
                size = _chunk_size(budget, len(search.seen), search.expanded, len(inits))
                chunk = frontier[start:start + size]
                start += len(chunk)
                ntrans, dead = kernel.expand(chunk, search.seen, level)
                search.expanded += len(chunk)
                search.transitions += ntrans
                if dead and check_deadlock and search.deadlock is None:
                    search.deadlock = dead[0]
                now = time.perf_counter()
                if budget.progress and now - last_report >= budget.progress_every:
                    last_report = now
                    budget.progress(Progress(len(search.seen), len(frontier) - start + len(level),
                                             search.depth + 1, now - started))
                if budget.max_states is not None and len(search.seen) >= budget.max_states:
                    search.stop_reason = f"state limit {budget.max_states:,} reached"
                    break
            if level:
                search.depth += 1
            record(level)
            frontier = level
            if budget.fail_fast and (violations or search.deadlock is not None):
                if frontier:
                    search.stop_reason = "stopped at the first violation (--fail-fast)"
    except KeyboardInterrupt:
        search.stop_reason = "interrupted"
    except StateError as err:
        init_index, choices = _path(search, err.state)
        raise evaluation_error(compiled, init_index, choices,
                               [i for i, name in enumerate(names) if name in selected]
                               ) from None
    seconds = time.perf_counter() - started
    stats = Stats(len(search.seen), search.transitions, search.depth, seconds,
                  peak_memory_bytes())
    return _result(search, selected, violations, check_deadlock, stats)


def _result(search: _Search, selected: list[str], violations: dict[int, int],
            check_deadlock: bool, stats: Stats) -> CheckResult:
    names = [p.name for p in search.compiled.model.properties]
    traces = {i: _counterexample(search, state, violates=names[i])
              for i, state in violations.items()}
    deadlock = None
    if search.deadlock is not None:
        deadlock = _counterexample(search, search.deadlock, deadlock=True)
    return assemble(search.compiled, selected, traces, check_deadlock, deadlock,
                    search.stop_reason, stats, "python")


def assemble(compiled: CompiledModel, selected: list[str], traces: dict[int, Trace],
             check_deadlock: bool, deadlock: Trace | None, stop_reason: str, stats: Stats,
             backend: str) -> CheckResult:
    """One verdict per selected property (and deadlock freedom) from what a search found."""
    model = compiled.model
    complete = not stop_reason
    results = []
    for index, prop in enumerate(model.properties):
        if prop.name not in selected:
            continue
        if index in traces:
            results.append(PropertyResult(prop.name, prop.description, Verdict.violated(),
                                          traces[index]))
        elif complete:
            results.append(PropertyResult(prop.name, prop.description, Verdict.holds()))
        else:
            results.append(PropertyResult(prop.name, prop.description,
                                          Verdict.unknown(stop_reason)))
    if check_deadlock:
        description = "Some action is enabled in every reachable state."
        if deadlock is not None:
            results.append(PropertyResult(DEADLOCK, description, Verdict.violated(), deadlock))
        elif complete:
            results.append(PropertyResult(DEADLOCK, description, Verdict.holds()))
        else:
            results.append(PropertyResult(DEADLOCK, description, Verdict.unknown(stop_reason)))
    notes = () if complete else (f"incomplete: {stop_reason}",)
    return CheckResult(model.name, dict(model.knobs), "explicit", stats, tuple(results),
                       complete, notes, {"backend": backend})


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
    return search.compiled.init_states().index(path[0]), choices
