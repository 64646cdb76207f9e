"""A last pass over a shrunk witness: delete steps the violation does not need.

Hypothesis shrinks the *drawn integers*, and a drawn integer that named a
disabled instance means "the (v mod n)-th enabled one", which changes when an
earlier step is deleted. Its shrinker therefore stops in local minima where
two independent steps (a Cut and its Heal, say) could both go. Here the
witness is a list of action instances, whose meaning does not depend on what
else is enabled, so deleting steps is safe to try: a candidate is kept when
every step is still enabled and the run still ends in the same violation (cut
at its first occurrence). This is delta debugging restricted to deletions of
runs of up to `WINDOW` consecutive steps (Zeller and Hildebrandt, "Simplifying
and isolating failure-inducing input", 2002), repeated to a fixed point under
a budget of kernel calls.

(A local breadth-first "shortcut" pass, replacing a segment by a shorter path
of up to three steps, was tried too: on CCR, small and large, it never
shortened a trace this pass had left, so it is not here.)
"""

from __future__ import annotations

from collections.abc import Sequence

from ccrverify.explicit.codegen import Kernel
from ccrverify.explore.walk import Witness

WINDOW = 6
STEP_BUDGET = 200_000  # kernel calls spent polishing one witness, at most


class _Replayer:
    def __init__(self, kernel: Kernel, inits: Sequence[int], target: int, properties: int,
                 deadlock: bool, budget: int) -> None:
        self.kernel = kernel
        self.inits = inits
        self.deadlock = deadlock
        self.pending = [i == target and not deadlock for i in range(properties)]
        self.budget = budget

    def length(self, init_index: int, choices: Sequence[int]) -> int | None:
        """Steps until the run first ends in the target violation, or None."""
        state = self.inits[init_index]
        if not self.deadlock and self.kernel.check([state], self.pending):
            return 0
        for done, choice in enumerate(choices):
            self.budget -= 1
            enabled = self.kernel.successors(state)
            if self.deadlock and not enabled:
                return done
            nxt = dict(enabled).get(choice)
            if nxt is None:
                return None
            state = nxt
            if not self.deadlock and self.kernel.check([state], self.pending):
                return done + 1
        if self.deadlock and not self.kernel.successors(state):
            return len(choices)
        return None


def polish(kernel: Kernel, inits: Sequence[int], witness: Witness, target: int,
           properties: int, deadlock: bool = False, budget: int = STEP_BUDGET) -> Witness:
    """A witness no longer than `witness` ending in the same violation of property
    `target` (a deadlock when `deadlock`)."""
    replayer = _Replayer(kernel, inits, target, properties, deadlock, budget)
    best = list(witness.choices)
    if replayer.length(witness.init_index, best) != len(best):
        return witness  # not ours to fix: replay() will report it
    changed = True
    while changed and replayer.budget > 0:
        changed = False
        for size in range(min(WINDOW, len(best)), 0, -1):
            start = 0
            while start + size <= len(best) and replayer.budget > 0:
                candidate = best[:start] + best[start + size:]
                length = replayer.length(witness.init_index, candidate)
                if length is None:
                    start += 1
                else:
                    best, changed = candidate[:length], True
    return Witness(witness.init_index, tuple(best))
