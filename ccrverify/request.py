"""What an engine is asked: which properties, within which limits, how.

One frozen request type for every engine (Stateright's one options builder):
each engine reads the fields it understands and ignores the rest, so one
request can be sent to any engine and a sweep can vary only the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccrverify.errors import UsageError
from ccrverify.model import DEADLOCK, Model, Property

if TYPE_CHECKING:
    from ccrverify.compile import CompiledModel

# The most steps one random run may take: Hypothesis caps a test case at
# 8 * 1024 choices and each step is one choice, plus the swarm draws.
MAX_STEPS = 8000


@dataclass(frozen=True)
class Request:
    # What to decide: these properties (DeadlockFree among them only when named),
    # or None: every property of the model, deadlock freedom included unless
    # `check_deadlock` is off (or the model declares terminal states).
    properties: tuple[str, ...] | None = None
    check_deadlock: bool = True
    # Limits. A limit that stops an engine turns undecided verdicts into unknown.
    max_states: int | None = None  # explicit: distinct states
    fail_fast: bool = False  # explicit: stop at the first violation
    # Up to this many distinct shortest counterexamples per violated property
    # (explicit and bmc: distinct final states at the shortest length).
    counterexamples: int = 1
    workers: int = 1  # explicit (numpy): processes sharing out the states (owners.py)
    checkpoint: Path | None = None  # explicit (numpy): save the search here, level by level
    resume: bool = False  # explicit (numpy): continue the search saved in `checkpoint`
    memory: int | None = None  # explicit (numpy): bytes; keep the states on disk beyond it
    symmetry: bool = True  # explicit (numpy): reduce by the indexes declared symmetric
    time_limit: float | None = None  # seconds: explore overall, symbolic per property
    depth: int = 20  # bmc: unrolling bound
    max_k: int = 12  # kind: largest k
    # Random exploration.
    max_examples: int = 1000  # runs per Hypothesis search
    steps: int = 100  # most steps of one run
    seed: int | None = None  # None: a fresh random search
    swarm: bool = True
    database: Path | None = None  # Hypothesis's example database (None: keep nothing)
    # Symbolic knobs: solver-chosen knob values -> the model compiled with them.
    concretize: Callable[[Mapping[str, int]], CompiledModel] | None = None
    # Progress reports on long runs (the CLI prints them on a terminal).
    progress: Callable[[Any], None] | None = None
    progress_every: float = 2.0

    def validate(self) -> Request:
        """The request, or a one-line UsageError naming the bad limit."""
        if self.counterexamples < 1:
            raise UsageError("--counterexamples must be at least 1")
        if self.max_states is not None and self.max_states < 1:
            raise UsageError("--max-states must be at least 1")
        if self.counterexamples > 1 and self.checkpoint is not None:
            raise UsageError("--counterexamples above 1 cannot be combined with --checkpoint "
                             "or --resume (a checkpoint keeps one counterexample a property)")
        if self.workers < 1:
            raise UsageError("--workers must be at least 1")
        if self.memory is not None and self.memory < 64 * 2**20:
            raise UsageError("--memory must be at least 64MiB",
                             hint="the budget covers the visited set and a level's batch")
        if self.time_limit is not None and self.time_limit <= 0:
            raise UsageError("--timeout (--time-limit) must be a positive number of seconds")
        if self.depth < 0:
            raise UsageError("--depth must be at least 0")
        if self.max_k < 1:
            raise UsageError("--max-k must be at least 1")
        if self.max_examples < 1:
            raise UsageError("--max-examples must be at least 1")
        if not 1 <= self.steps <= MAX_STEPS:
            raise UsageError(f"--steps must be between 1 and {MAX_STEPS}")
        if self.seed is not None and self.seed < 0:
            raise UsageError("--seed must not be negative")
        return self

    def selected(self, model: Model) -> list[Property]:
        """The properties to decide, in the model's order."""
        if self.properties is not None:
            return [p for p in model.properties if p.name in self.properties]
        return [p for p in model.properties if self.check_deadlock or p.name != DEADLOCK]
