"""Options of one exploration: budgets, reproducibility, swarm testing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ccrverify.explore.coverage import Progress

# The most steps one run may take. Hypothesis caps a test case at 8 * 1024
# choices and each step is one choice, plus the swarm draws.
MAX_STEPS = 8000


@dataclass(frozen=True)
class ExploreOptions:
    """How long and how to explore.

    `max_examples` is Hypothesis's budget of generated test cases for one
    search; a search is repeated for the properties still undecided after a
    violation is found, so every property gets its own chance (and its own
    shrunk trace). `time_limit` bounds the whole exploration, shrinking
    included. `database` is the directory under which Hypothesis keeps
    failing examples (``.ccrverify`` in the working directory for the CLI);
    None keeps nothing.
    """

    max_examples: int = 1000
    steps: int = 100
    seed: int | None = None
    time_limit: float | None = None
    swarm: bool = True
    database: Path | None = None
    check_deadlock: bool = True
    progress: Callable[[Progress], None] | None = None
    progress_every: float = 2.0

    def validate(self) -> None:
        from ccrverify.errors import UsageError

        if self.max_examples < 1:
            raise UsageError("--max-examples must be at least 1")
        if not 1 <= self.steps <= MAX_STEPS:
            raise UsageError(f"--steps must be between 1 and {MAX_STEPS}")
        if self.time_limit is not None and self.time_limit <= 0:
            raise UsageError("--time-limit must be positive")
        if self.seed is not None and self.seed < 0:
            raise UsageError("--seed must not be negative")
