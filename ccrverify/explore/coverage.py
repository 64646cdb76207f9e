"""What an exploration covered: steps, distinct states, and how often each
action fired.

Random exploration proves nothing, so its `unknown` verdicts are only worth
what they covered: a model whose runs never fire Failover says nothing about
failover. `Coverage` is the running tally the walker updates in its hot loop
(plain counters and one set of packed states); `ccrverify.result.Coverage` is
the frozen summary that goes into the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ccrverify.model import ActionInstance
from ccrverify.result import Coverage


class Tally:
    """The mutable tally of one exploration (never shared between runs of the CLI)."""

    __slots__ = ("runs", "steps", "longest", "seen", "counts")

    def __init__(self, instances: int) -> None:
        self.runs = 0
        self.steps = 0
        self.longest = 0
        self.seen: set[int] = set()
        self.counts = [0] * instances  # firings per action instance

    def report(self, actions: Sequence[ActionInstance], seconds: float, swarm: bool,
               seed: int | None, searches: int) -> Coverage:
        kinds: dict[str, int] = {}
        for action, count in zip(actions, self.counts, strict=True):
            kinds[action.name] = kinds.get(action.name, 0) + count
        return Coverage(
            runs=self.runs, steps=self.steps, seconds=seconds,
            distinct_states=len(self.seen), longest_run=self.longest,
            action_counts=tuple(kinds.items()),
            never_fired_instances=tuple(a.label for a, c in zip(actions, self.counts,
                                                                strict=True) if c == 0),
            swarm=swarm, seed=seed, searches=searches)


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
