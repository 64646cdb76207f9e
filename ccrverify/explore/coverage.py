"""What an exploration covered: steps, distinct states, and how often each
action fired.

Random exploration proves nothing, so its `unknown` verdicts are only worth
what they covered: a model whose runs never fire Failover says nothing about
failover. `Coverage` is the running tally the walker updates in its hot loop
(plain counters and one set of packed states); `CoverageReport` is the frozen
summary that goes into the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ccrverify.model import ActionInstance


class Coverage:
    """The mutable tally of one exploration (never shared between runs of the CLI)."""

    __slots__ = ("runs", "steps", "longest", "seen", "counts")

    def __init__(self, instances: int) -> None:
        self.runs = 0
        self.steps = 0
        self.longest = 0
        self.seen: set[int] = set()
        self.counts = [0] * instances  # firings per action instance

    def report(self, actions: Sequence[ActionInstance], seconds: float, swarm: bool,
               seed: int | None, searches: int) -> CoverageReport:
        kinds: dict[str, int] = {}
        for action, count in zip(actions, self.counts, strict=True):
            kinds[action.name] = kinds.get(action.name, 0) + count
        return CoverageReport(
            runs=self.runs, steps=self.steps, seconds=seconds,
            distinct_states=len(self.seen), longest_run=self.longest,
            action_counts=tuple(kinds.items()),
            never_fired_instances=tuple(a.label for a, c in zip(actions, self.counts,
                                                                strict=True) if c == 0),
            swarm=swarm, seed=seed, searches=searches)


@dataclass(frozen=True)
class CoverageReport:
    runs: int
    steps: int
    seconds: float
    distinct_states: int
    longest_run: int
    action_counts: tuple[tuple[str, int], ...]  # per action kind, in model order
    never_fired_instances: tuple[str, ...]
    swarm: bool
    seed: int | None
    searches: int  # Hypothesis searches: one per batch of still-undecided properties

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.seconds if self.seconds > 0 else 0.0

    @property
    def never_fired(self) -> tuple[str, ...]:
        return tuple(name for name, count in self.action_counts if count == 0)

    def describe(self) -> str:
        """One line for an `unknown` verdict: what the runs covered."""
        text = (f"no violation in {self.runs:,} random runs ({self.steps:,} steps, "
                f"{self.distinct_states:,} distinct states)")
        if self.never_fired:
            text += "; never fired: " + ", ".join(self.never_fired)
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "steps": self.steps,
            "seconds": round(self.seconds, 4),
            "steps_per_second": round(self.steps_per_second, 1),
            "distinct_states": self.distinct_states,
            "longest_run": self.longest_run,
            "action_counts": dict(self.action_counts),
            "never_fired": list(self.never_fired),
            "never_fired_instances": list(self.never_fired_instances),
            "swarm": self.swarm,
            "seed": self.seed,
            "searches": self.searches,
        }


@dataclass(frozen=True)
class Progress:
    runs: int
    steps: int
    distinct_states: int
    found: int  # properties found violated so far
    seconds: float

    @property
    def rate(self) -> float:
        return self.steps / self.seconds if self.seconds > 0 else 0.0
