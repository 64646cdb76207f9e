"""One random run of the generated kernel, with its choices drawn from outside.

The walker knows nothing of Hypothesis: it asks a `draw(lo, hi)` function for
every decision, so the same run can be driven by Hypothesis (which then
shrinks the drawn integers) or replayed from a list. A run is

1. which initial state (only drawn when there are several);
2. with swarm testing, which action kinds this run may use: a disable rate,
   then one draw per kind (Groce et al., "Swarm testing", ISSTA 2012; the
   same scheme as Hypothesis's own rule swarming). When none of the allowed
   kinds is enabled the run falls back to every enabled instance, so a run
   without Tick still goes on;
3. per step, one integer v in 0..instances-1. If instance v is enabled (and
   allowed) it is taken, else the (v mod n)-th of the n candidates. Naming
   the instance keeps a choice meaning the same action when the shrinker
   deletes earlier steps, and the fixed range keeps every recorded choice
   valid; the wrap keeps the pick close to uniform over enabled instances.

Every targeted property is checked on the initial state and after each step;
a state with no enabled instance is a deadlock. The first violation ends the
run. The walker keeps, per property, the shortest witness any run produced
(including the shrinker's runs), so nothing found is lost when the search is
interrupted or runs out of time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ccrverify.compile import CompiledModel
from ccrverify.explicit.codegen import Kernel, StateError
from ccrverify.explore.coverage import Progress, Tally
from ccrverify.model import PropertyKind
from ccrverify.request import Request

Draw = Callable[[int, int], int]

# Disable rates are drawn in 0..SWARM_LEVELS-1, as are the per-kind draws: a
# kind is allowed when its draw plus the rate stays below SWARM_LEVELS, so the
# simplest choices (all zero) allow every kind.
SWARM_LEVELS = 255
TIME_CHECK_EVERY = 256  # steps between clock readings inside one run


class OutOfTime(KeyboardInterrupt):
    """Raised inside a run when the time budget is spent.

    A KeyboardInterrupt on purpose: Hypothesis shrinks an `Exception` from the
    test as a failure, and on any other BaseException it records the
    half-finished run (then reports the shorter run as flaky data generation
    and saves it to the database); a KeyboardInterrupt alone passes straight
    through, leaving its state untouched. `explore` catches this class first.
    """


@dataclass(frozen=True)
class Witness:
    init_index: int
    choices: tuple[int, ...]

    def key(self) -> tuple[int, tuple[int, ...]]:
        return len(self.choices), self.choices


@dataclass(frozen=True)
class Discovery:
    """When a property was first found violated, and by how long a run."""

    length: int
    after_steps: int
    after_seconds: float


class Walker:
    def __init__(self, compiled: CompiledModel, kernel: Kernel, options: Request,
                 deadline: float | None = None) -> None:
        model = compiled.model
        self.successors = kernel.successors
        self.check = kernel.check
        # Not deduplicated: a witness's initial index must be the one replay() uses.
        self.inits = compiled.init_states()
        self.instances = len(model.actions)
        kinds = list(dict.fromkeys(a.name for a in model.actions))
        self.kind_of = tuple(kinds.index(a.name) for a in model.actions)
        self.kinds = len(kinds)
        self.properties = len(model.properties)
        # Deadlock freedom is found by the walk (a state with no enabled action),
        # the other properties by the kernel's checks after each step.
        self.deadlock_index = next((i for i, p in enumerate(model.properties)
                                    if p.kind == PropertyKind.DEADLOCK_FREE), -1)
        self.error_index = self.properties  # "no evaluation error": always a target
        self.options = options
        self.deadline = deadline
        self.coverage = Tally(self.instances)
        self.best: dict[int, Witness] = {}
        self.first: dict[int, Discovery] = {}
        self.started = time.monotonic()
        self._last_progress = self.started
        # Set by the SIGINT handler of `explore`: a Ctrl-C that lands inside a
        # Hypothesis callback (a gc hook) would be swallowed there, so the walker
        # raises KeyboardInterrupt itself at its next check.
        self.interrupted = False

    # -- one run ---------------------------------------------------------------------
    def run(self, draw: Draw, targets: Sequence[int]) -> int | None:
        """Walk one run; the target violated at its end, or None."""
        pending = [i in targets and i != self.deadlock_index for i in range(self.properties)]
        any_property = any(pending)
        deadlock = self.deadlock_index in targets
        self._tick()
        init_index = draw(0, len(self.inits) - 1) if len(self.inits) > 1 else 0
        allowed = self._draw_allowed(draw) if self.options.swarm else None
        state = self.inits[init_index]
        cov = self.coverage
        cov.seen.add(state)
        choices: list[int] = []
        try:
            if any_property:
                bad = self.check([state], pending)
                if bad:
                    return self._found([i for i, _ in bad], init_index, choices)
            return self._steps(draw, state, allowed, pending if any_property else None,
                               deadlock, init_index, choices)
        except StateError:  # the last state reached reads something undefined
            return self._found([self.error_index], init_index, choices)
        finally:
            cov.runs += 1
            cov.steps += len(choices)
            cov.longest = max(cov.longest, len(choices))

    def _steps(self, draw: Draw, state: int, allowed: list[bool] | None,
               pending: list[bool] | None, deadlock: bool, init_index: int,
               choices: list[int]) -> int | None:
        # The hot loop: locals only, one kernel call and one draw per step.
        successors, check = self.successors, self.check
        seen_add, counts = self.coverage.seen.add, self.coverage.counts
        record = choices.append
        top = self.instances - 1
        deadline = self.deadline
        for step in range(self.options.steps):
            enabled = successors(state)
            if not enabled:
                if deadlock:
                    return self._found([self.deadlock_index], init_index, choices)
                return None
            pool = enabled
            if allowed is not None:
                pool = [pair for pair in enabled if allowed[pair[0]]] or enabled
            v = draw(0, top)
            for pair in pool:  # in instance order: stop at v or just past it
                if pair[0] >= v:
                    break
            if pair[0] != v:
                pair = pool[v % len(pool)]
            index, state = pair
            record(index)
            counts[index] += 1
            seen_add(state)
            if pending is not None:
                bad = check([state], pending)
                if bad:
                    return self._found([i for i, _ in bad], init_index, choices)
            if step % TIME_CHECK_EVERY == TIME_CHECK_EVERY - 1:
                if self.interrupted:
                    raise KeyboardInterrupt
                if deadline is not None and time.monotonic() > deadline:
                    raise OutOfTime
        return None

    def _draw_allowed(self, draw: Draw) -> list[bool]:
        """Swarm: which action instances this run may use, by kind."""
        rate = draw(0, SWARM_LEVELS - 1)
        kinds = [draw(0, SWARM_LEVELS - 1) + rate < SWARM_LEVELS for _ in range(self.kinds)]
        return [kinds[k] for k in self.kind_of]

    def _found(self, violated: list[int], init_index: int, choices: list[int]) -> int:
        witness = Witness(init_index, tuple(choices))
        for index in violated:
            old = self.best.get(index)
            if old is None:
                self.first[index] = Discovery(len(choices), self.coverage.steps + len(choices),
                                              time.monotonic() - self.started)
            if old is None or witness.key() < old.key():
                self.best[index] = witness
        return min(violated)

    def _tick(self) -> None:
        """Between runs: enforce the time budget and report progress."""
        if self.interrupted:
            raise KeyboardInterrupt
        now = time.monotonic()
        if self.deadline is not None and now > self.deadline:
            raise OutOfTime
        progress = self.options.progress
        if progress is not None and now - self._last_progress >= self.options.progress_every:
            self._last_progress = now
            cov = self.coverage
            progress(Progress(cov.runs, cov.steps, len(cov.seen), len(self.best),
                              now - self.started))
