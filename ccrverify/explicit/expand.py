"""Expanding one chunk of a BFS level: the work that runs in parallel.

A chunk is a run of consecutive states of the level. Its candidates come out
action by action, each action's successors in level order, self-loops left
out (they are transitions, never new states). Each candidate carries the
hash of what the visited set stores (the state, or its orbit's
representative) and an id that orders transitions as a one-at-a-time
breadth-first search meets them: ``parent position * actions + action``. The
visited set keeps, of several candidates for one new state, the smallest id,
so the search's choice of parents depends on nothing but the level's order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ccrverify.explicit.rowset import hash_rows
from ccrverify.explicit.vector import RowError, VectorKernel


@dataclass
class Candidates:
    """A chunk's successors, in the order the kernel produced them."""

    start: int  # the chunk's first position in the level
    states: Any  # (W, m) the real states
    keys: Any  # (W, m) what the visited set stores: orbit representatives, or `states`
    hashes: Any  # uint64 per candidate, of its key
    ids: Any  # int64 per candidate: parent position * actions + action
    transitions: int = 0  # every successor, self-loops included
    # The first positions (in the level) with no enabled action: one, or up to
    # --counterexamples of them.
    dead: tuple[int, ...] = ()
    loops: Any = None  # int64 ids of the self-loops left out (when the graph is recorded)

    @property
    def size(self) -> int:
        return int(self.ids.size)

    @staticmethod
    def concat(parts: Sequence[Candidates]) -> Candidates:
        def cat(arrays: list[Any], axis: int = 0) -> Any:
            return arrays[0] if len(arrays) == 1 else np.concatenate(arrays, axis=axis)

        states = cat([p.states for p in parts], 1)
        keys = states if all(p.keys is p.states for p in parts) else cat(
            [p.keys for p in parts], 1)
        loops = None if parts[0].loops is None else cat([p.loops for p in parts])
        return Candidates(parts[0].start, states, keys, cat([p.hashes for p in parts]),
                          cat([p.ids for p in parts]), sum(p.transitions for p in parts),
                          loops=loops)


class Expander:
    """Turns chunks of a level into candidates (no shared state is written)."""

    def __init__(self, kernel: VectorKernel, canon: Callable[[Any], Any] | None,
                 deadlock: bool, wanted: int = 1, loops: bool = False) -> None:
        self.kernel = kernel
        self.canon = canon
        self.deadlock = deadlock
        self.wanted = wanted
        # keep the self-loops' ids: the state graph's edges (its kernel must leave
        # out nothing else: built without twins)
        self.loops = loops
        assert not loops or all(kernel.exact), "the state graph needs an exact kernel"
        self.actions = len(kernel.expand)

    def chunk(self, job: tuple[Callable[[int, int], Any], int, int]) -> Candidates:
        """The candidates of states start..stop of the level `read(start, stop)` gives."""
        read, start, stop = job
        try:
            return self._chunk(read(start, stop), start)
        except RowError as err:
            err.row += start
            raise

    def _chunk(self, states: Any, start: int, positions: Any = None) -> Candidates:
        """`positions`: each state's position in the level, where the chunk is not a
        run of consecutive states (a worker process's share, `owners.py`)."""
        n = states.shape[1]
        enabled = np.zeros(n, dtype=bool) if self.deadlock else None
        transitions = 0
        found: list[Any] = []
        ids: list[Any] = []
        loops: list[Any] = []
        for index, expand in enumerate(self.kernel.expand):
            idx, succ, moved = expand(states)
            if not idx.size:
                continue
            transitions += idx.size
            if enabled is not None:
                enabled[idx] = True
            if moved is not None:
                if self.loops:
                    loops.append((idx[~moved] + start) * self.actions + index)
                idx, succ = idx[moved], succ[:, moved]
                if not idx.size:
                    continue
            found.append(succ)
            ids.append(((idx + start) if positions is None else positions[idx])
                       * self.actions + index)
        dead: tuple[int, ...] = ()
        if enabled is not None and not enabled.all():
            first = np.flatnonzero(~enabled)[:self.wanted]
            dead = tuple(int(i) for i in (first + start if positions is None
                                          else positions[first]))
        loop_ids = None
        if self.loops:
            loop_ids = np.concatenate(loops) if loops else np.zeros(0, np.int64)
        if not found:
            empty = np.zeros((states.shape[0], 0), dtype=np.int64)
            return Candidates(start, empty, empty, np.zeros(0, np.uint64),
                              np.zeros(0, np.int64), transitions, dead, loop_ids)
        succ = found[0] if len(found) == 1 else np.concatenate(found, axis=1)
        keys = succ if self.canon is None else self.canon(succ)
        return Candidates(start, succ, keys, hash_rows(keys),
                          ids[0] if len(ids) == 1 else np.concatenate(ids), transitions, dead,
                          loop_ids)


def in_bfs_order(ids: Any, count: int) -> Any:
    """The permutation that sorts unique ids (sorting packed (id, position) pairs
    when they fit one word: numpy sorts ints far faster than it argsorts them)."""
    if not count:
        return np.zeros(0, dtype=np.int64)
    low, high = int(ids.min()), int(ids.max())
    span_bits = (high - low).bit_length()
    pos_bits = max(1, (count - 1).bit_length())
    if span_bits + pos_bits > 63:
        return np.argsort(ids)
    packed = ((ids - low) << pos_bits) | np.arange(count)
    packed.sort()
    return packed & ((1 << pos_bits) - 1)
