"""Drive the walker from Hypothesis and turn what it found into a CheckResult.

Hypothesis (MacIver et al., "Hypothesis: a new approach to property-based
testing", 2019) supplies the choices of each run and, once a run ends in a
violation, shrinks its choice sequence; the shortest witness the walker
recorded is polished (`polish`: deleting steps it does not need) and goes
through `replay()` into an ordinary `Trace`.

Each targeted property raises its own exception class, so Hypothesis treats
them as distinct bugs and shrinks each one separately. A run stops at its
first violation, so an easily broken property would hide the others; after
a search that found something, another search runs for the properties still
undecided, until none is left or a search finds nothing new.

Speed: `data.draw(st.integers(...))` costs about 50 us per call (span
bookkeeping, strategy validation), five times a kernel step. When the
Hypothesis in use exposes its integer primitive (``ConjectureData.
draw_integer``, which `st.integers` itself ends in) the walker draws with it
directly; the choices and their shrinking are the same either way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from ccrverify.compile import CompiledModel
from ccrverify.explicit.bfs import peak_memory_bytes
from ccrverify.explicit.codegen import Kernel, build_kernel
from ccrverify.explore.polish import polish
from ccrverify.explore.walk import Draw, OutOfTime, Walker
from ccrverify.model import SAFETY_KINDS, PropertyKind
from ccrverify.request import Request
from ccrverify.result import CheckResult, Discovery, PropertyResult, Stats, Verdict, VerdictKind
from ccrverify.trace import evaluation_error, replay

NAME = "explore"
# Bump when the meaning of the drawn choices changes, so that stored examples
# from an older encoding are not replayed as if they meant the same run.
ENCODING_VERSION = 1


class Violation(Exception):
    """A run ended in a violation of a targeted property (subclassed per property)."""


def explore(compiled: CompiledModel, request: Request | None = None) -> CheckResult:
    """Explore random runs; every selected property ends violated or unknown."""
    request = (request or Request()).validate()
    started = time.perf_counter()
    deadline = None if request.time_limit is None else time.monotonic() + request.time_limit
    model = compiled.model
    chosen = [p for p in request.selected(model) if p.is_safety]  # runs are finite
    kernel = build_kernel(compiled)
    walker = Walker(compiled, kernel, request, deadline)
    indices = [model.properties.index(p) for p in chosen]
    pending = set(indices) | {walker.error_index}
    explore_started = time.perf_counter()
    with _interrupt_flag(walker):
        searches, stop_reason = _searches(walker, compiled, pending, request)
    broken = walker.best.get(walker.error_index)
    if broken is not None:
        raise evaluation_error(compiled, broken.init_index, broken.choices,
                               [i for i in indices if i != walker.deadlock_index])
    explore_seconds = time.perf_counter() - explore_started
    coverage = walker.coverage.report(model.actions, explore_seconds, request.swarm,
                                      request.seed, searches)
    results = [_property_result(walker, kernel, compiled, index, coverage.describe(),
                                stop_reason) for index in indices]
    stats = Stats(coverage.distinct_states, coverage.steps, coverage.longest_run,
                  time.perf_counter() - started, peak_memory_bytes())
    notes = ["random exploration: a violation is real, anything else is unknown"]
    if stop_reason:
        notes.append(f"incomplete: {stop_reason}")
    if coverage.never_fired:
        notes.append("never fired: " + ", ".join(coverage.never_fired))
    return CheckResult(model.name, dict(model.knobs), NAME, stats, tuple(results),
                       complete=False, notes=tuple(notes), coverage=coverage)


@dataclass(frozen=True)
class ExploreEngine:
    name: str = "explore"
    summary: str = ("random runs driven by Hypothesis, with swarm testing and shrinking: "
                    "finds violations (late or missing responses through a monitor), never proves")
    # Response properties through the monitor (explore/response.py); the other
    # temporal kinds need infinite runs, which random finite runs cannot show.
    decides: frozenset[PropertyKind] = SAFETY_KINDS | {PropertyKind.RESPONSE}
    verdicts: frozenset[VerdictKind] = frozenset({VerdictKind.VIOLATED, VerdictKind.UNKNOWN})
    counts_states: bool = False
    shortest: bool = False
    symbolic_knobs: bool = False

    def check(self, compiled: CompiledModel, request: Request) -> CheckResult:
        from ccrverify.explore.response import check_response

        chosen = request.selected(compiled.model)
        responses = [p for p in chosen if p.kind == PropertyKind.RESPONSE]
        if not responses:
            return explore(compiled, request)
        rest = tuple(p.name for p in chosen if p.kind != PropertyKind.RESPONSE)
        base = explore(compiled, replace(request, properties=rest))
        decided = {p.name: p for p in base.properties}
        # Ctrl-C stops the whole run: a search after it would ignore the user.
        interrupted = "incomplete: interrupted" in base.notes
        for prop in responses:
            if interrupted:
                decided[prop.name] = PropertyResult(prop.name, prop.description,
                                                    Verdict.unknown("interrupted"),
                                                    kind=prop.kind)
                continue
            decided[prop.name] = found = check_response(compiled, prop, request, explore)
            interrupted = "interrupted" in (found.verdict.reason or "")
        return replace(base, properties=tuple(decided[p.name] for p in chosen))


ENGINE = ExploreEngine()


@contextlib.contextmanager
def _interrupt_flag(walker: Walker) -> Iterator[None]:
    """Ctrl-C sets the walker's flag (a second one interrupts at once)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(signum: int, frame: Any) -> None:
        if walker.interrupted:
            raise KeyboardInterrupt
        walker.interrupted = True

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _searches(walker: Walker, compiled: CompiledModel, pending: set[int],
              options: Request) -> tuple[int, str]:
    """Search until every target is decided or a search finds nothing new; the
    number of searches and why they stopped early ("" when they did not)."""
    searches = 0
    try:
        # At least one search, so that a model with nothing to check still
        # reports its coverage.
        while True:
            _search(walker, compiled, sorted(pending), options, searches)
            searches += 1
            found = pending & walker.best.keys()
            pending -= found
            if not (pending and found) or walker.error_index in found:
                return searches, ""
    except OutOfTime:
        return searches + 1, f"time limit of {options.time_limit:g} s reached"
    except KeyboardInterrupt:
        return searches + 1, "interrupted"


def _property_result(walker: Walker, kernel: Kernel, compiled: CompiledModel, index: int,
                     covered: str, stop_reason: str) -> PropertyResult:
    prop = compiled.model.properties[index]
    shrunk = walker.best.get(index)
    if shrunk is None:
        reason = covered + (f"; {stop_reason}" if stop_reason else "")
        return PropertyResult(prop.name, prop.description, Verdict.unknown(reason), None,
                              prop.kind)
    is_deadlock = index == walker.deadlock_index
    witness = polish(kernel, walker.inits, shrunk, index, walker.properties, is_deadlock)
    trace = replay(compiled, witness.init_index, witness.choices, violates=prop.name)
    first = walker.first[index]
    return PropertyResult(prop.name, prop.description, Verdict.violated(), trace, prop.kind,
                          first_found=Discovery(first.length, first.after_steps,
                                                first.after_seconds),
                          shrunk_length=len(shrunk.choices))


# -- one Hypothesis search ---------------------------------------------------------------
def _search(walker: Walker, compiled: CompiledModel, targets: list[int],
            options: Request, number: int) -> None:
    """One Hypothesis search for violations of `targets`; findings land in walker.best."""
    failures = {t: type(f"Violation{t}", (Violation,), {}) for t in targets}

    def explore_model(data: st.DataObject) -> None:
        found = walker.run(_integer_drawer(data), targets)
        if found is not None:
            raise failures[found]()

    test: Callable[..., Any] = given(st.data())(explore_model)
    test = settings(
        max_examples=options.max_examples,
        deadline=None,
        # A seeded search is meant to be the same run every time, so like
        # Hypothesis's own @seed it neither replays nor saves examples.
        database=None if options.seed is not None else _database(
            options.database, compiled, targets, options),
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
        report_multiple_bugs=True,
        print_blob=False,
    )(test)
    if options.seed is not None:
        # A different seed per search, so a later search does not retrace the
        # runs of the first one.
        test = hypothesis_seed(options.seed * 1009 + number)(test)
    try:
        test()
    except Violation:
        pass
    except ExceptionGroup as group:  # several properties failed: one bug each
        _, rest = group.split(Violation)
        if rest is not None:
            raise


def _integer_drawer(data: st.DataObject) -> Draw:
    raw = getattr(getattr(data, "conjecture_data", None), "draw_integer", None)
    if callable(raw):
        return raw  # type: ignore[no-any-return]
    cache: dict[tuple[int, int], st.SearchStrategy[int]] = {}

    def draw(lo: int, hi: int) -> int:
        strategy = cache.get((lo, hi))
        if strategy is None:
            strategy = cache[(lo, hi)] = st.integers(lo, hi)
        return data.draw(strategy)

    return draw


def _database(root: Path | None, compiled: CompiledModel, targets: list[int],
              options: Request) -> ExampleDatabase | None:
    """A directory per model, knobs, targets and encoding, so an example is only
    ever replayed where its choices mean the same run."""
    if root is None:
        return None
    model = compiled.model
    key = json.dumps({
        "model": model.name, "source": model.source_hash,
        "knobs": {k: v for k, v in sorted(model.knobs.items())},
        "targets": targets, "swarm": options.swarm, "steps": options.steps,
        "encoding": ENCODING_VERSION,
    }, sort_keys=True, default=str)
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    return DirectoryBasedExampleDatabase(str(root / "hypothesis" / digest))
