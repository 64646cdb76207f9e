"""An exact set of states in numpy: open addressing with linear probing,
operated a whole batch at a time.

A state is W non-negative int64 words (`ccrverify.explicit.words`); the table
is a (W, capacity) array whose word 0 is -1 in an empty slot. Stored states
are exact, never fingerprints: a lookup compares every word. A batch is
probed in rounds: each round gathers one slot per pending state (independent
random reads, which the memory system overlaps, where a binary search in a
sorted array waits on each of its ~25 dependent reads), settles the states
that found themselves or an empty slot, and moves the others one slot on.

`add` gives each state of a batch an id and keeps, of several copies of a new
state, the one with the smallest id: the breadth-first search numbers its
transitions (parent, action) so that the first in BFS order wins, whatever
the order of the batch, the number of workers or the split into batches.
Copies of a state probe the same slots in the same rounds, so they meet at
the first empty slot, where the smallest id's claim stands.

A set may keep a value per state (the state graph's ids, `stategraph.py`):
`add` stores a new state's value and reports, for every state of the batch,
the value of the copy it met or became.

`VisitedSet` splits the states into regions by the top bits of their hash:
a region is one `RowSet`, so threads can fill different regions at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

EMPTY = -1
CLAIMED = np.iinfo(np.int64).max
MAX_LOAD = 0.5  # grow past this load factor: a hit then costs ~1.5 probes, a miss ~2.5
REHASH_SLICE = 1 << 20  # old-table slots moved per step when the table grows
_M1 = np.uint64(0x9E3779B97F4A7C15)  # odd multipliers (golden ratio, splitmix64)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)

Map = Callable[[Callable[[Any], Any], list[Any]], list[Any]]


def hash_rows(rows: Any) -> Any:
    """A well-mixed uint64 per state (splitmix64's finaliser over the words)."""
    with np.errstate(over="ignore"):
        h = rows[0].astype(np.uint64) * _M1
        for j in range(1, rows.shape[0]):
            h ^= h >> np.uint64(31)
            h = (h ^ rows[j].astype(np.uint64)) * _M2
        h ^= h >> np.uint64(30)
        h *= _M3
        h ^= h >> np.uint64(31)
    return h


class RowSet:
    """A set of W-word states. `find` only reads, so threads may share it."""

    def __init__(self, words: int, capacity: int = 1 << 12, keep_values: bool = False) -> None:
        self.words = words
        self.bits = max(4, (max(capacity, 16) - 1).bit_length())
        self.table = np.full((words, 1 << self.bits), EMPTY, dtype=np.int64)
        # int32 values, widened when a caller needs more (`widen`): 4 bytes a slot
        self.values = np.zeros(1 << self.bits, dtype=np.int32) if keep_values else None
        self.size = 0

    def __len__(self) -> int:
        return self.size

    @property
    def capacity(self) -> int:
        return 1 << self.bits

    @property
    def nbytes(self) -> int:
        return int(self.table.nbytes) + (0 if self.values is None else int(self.values.nbytes))

    def _home(self, hashes: Any) -> Any:
        return (hashes & np.uint64(self.capacity - 1)).astype(np.int64)

    def _equal(self, slots: Any, probe: Any, head: Any) -> Any:
        same = head == probe[0]
        for j in range(1, self.words):
            where = np.flatnonzero(same)
            if not where.size:
                break
            same[where] = self.table[j].take(slots[where]) == probe[j].take(where)
        return same

    def find(self, rows: Any, hashes: Any | None = None) -> Any:
        """The table slot of each state of the (W, n) batch, or -1 where it is absent."""
        hashes = hash_rows(rows) if hashes is None else hashes
        n = rows.shape[1]
        found = np.full(n, -1, dtype=np.int64)
        pending = np.arange(n)
        slots = self._home(hashes)
        mask = self.capacity - 1
        probe = rows
        while pending.size:
            head = self.table[0].take(slots)
            hit = self._equal(slots, probe, head)
            found[pending[hit]] = slots[hit]
            go_on = ~hit & (head != EMPTY)
            pending, slots = pending[go_on], (slots[go_on] + 1) & mask
            probe = rows[:, pending]
        return found

    def contains(self, rows: Any, hashes: Any | None = None) -> Any:
        return self.find(rows, hashes) >= 0

    def add(self, rows: Any, hashes: Any | None = None, ids: Any | None = None,
            values: Any | None = None, met: Any | None = None) -> Any:
        """Insert a (W, n) batch; True for each state that was not in the set, at the
        copy with the smallest id (default: the first in the batch). A set that keeps
        values stores `values[i]` with a new state i and writes into `met[i]` the
        value stored with state i (found there, or its own)."""
        hashes = hash_rows(rows) if hashes is None else hashes
        n = rows.shape[1]
        # The canonical int64 dtype: np.minimum.at below is 15x slower on an equal
        # dtype that is another object (as unpickled arrays carry).
        ids = np.arange(n) if ids is None else np.asarray(ids, dtype=np.int64)
        new = np.zeros(n, dtype=bool)
        pending = np.arange(n)
        slots = self._home(hashes)
        probe = rows
        while pending.size:
            head = self.table[0].take(slots)
            taken = np.flatnonzero(head == EMPTY)
            if taken.size:
                # Claim the empty slots: the smallest id among their claimants wins.
                head_row = self.table[0]
                where, claimants = slots[taken], ids[pending[taken]]
                head_row[where] = CLAIMED
                np.minimum.at(head_row, where, claimants)
                won = taken[head_row.take(where) == claimants]
                self.table[:, slots[won]] = probe[:, won]
                if self.values is not None and values is not None:
                    self.values[slots[won]] = values[pending[won]]
                new[pending[won]] = True
                self.size += won.size
                head[taken] = head_row.take(slots[taken])  # the losers see the winner
            # A loser of a claim is settled if it is a copy of the winner, else it
            # moves on like any state that met another one.
            settled = self._equal(slots, probe, head)
            go_on = ~settled
            if met is not None and self.values is not None:
                met[pending[settled]] = self.values.take(slots[settled])
            pending = pending[go_on]
            if self.size > MAX_LOAD * self.capacity:
                # Grow once the claims are in (a claim only takes an empty slot, so
                # the table never overflows, and copies of a new state count once);
                # the pending states start again from home.
                self.reserve(0)
                slots = self._home(hashes[pending])
            else:
                slots = (slots[go_on] + 1) & (self.capacity - 1)
            probe = rows[:, pending]
        return new

    def widen(self) -> None:
        """Values of 64 bits from now on."""
        if self.values is not None:
            self.values = self.values.astype(np.int64)

    def set_values(self, rows: Any, values: Any, hashes: Any | None = None) -> None:
        """Store new values with states of the set."""
        assert self.values is not None
        slots = self.find(rows, hashes)
        assert (slots >= 0).all(), "a value for a state outside the set"
        self.values[slots] = values

    def reserve(self, extra: int) -> None:
        """Grow (rehash, doubling at least) so that `extra` more states keep the load
        under MAX_LOAD."""
        self.make_room(self.size + extra)

    def make_room(self, need: int) -> None:
        """Grow (rehash, doubling at least) so that `need` states in all keep the load
        under MAX_LOAD."""
        if need <= MAX_LOAD * self.capacity:
            return
        bits = self.bits + 1
        while need > MAX_LOAD * (1 << bits):
            bits += 1
        self.rehash(bits)

    def rehash(self, bits: int) -> None:
        # Moved a slice of the old table at a time: the peak is the two tables and
        # a slice's temporaries, not a copy of every member as well.
        old, old_values = self.table, self.values
        self.bits = bits
        self.table = np.full((self.words, 1 << bits), EMPTY, dtype=np.int64)
        if old_values is not None:
            self.values = np.zeros(1 << bits, dtype=old_values.dtype)
        self.size = 0
        step = REHASH_SLICE
        for start in range(0, old.shape[1], step):
            part = old[:, start:start + step]
            used = part[0] != EMPTY
            if used.any():
                self._place(part[:, used], None if old_values is None
                            else old_values[start:start + step][used])
        del old, old_values

    def _place(self, rows: Any, values: Any) -> None:
        """Insert distinct states that are not in the set (a rehash's): no state to
        compare with and no smallest id to keep, only free slots to share out."""
        n = rows.shape[1]
        pending = np.arange(n)
        slots = self._home(hash_rows(rows))
        head_row = self.table[0]
        while pending.size:
            free = np.flatnonzero(head_row.take(slots) == EMPTY)
            where = slots[free]
            head_row[where] = pending[free]  # a claim: the last writer of a slot wins
            won = free[head_row.take(where) == pending[free]]
            self.table[:, slots[won]] = rows[:, pending[won]]
            if values is not None and self.values is not None:
                self.values[slots[won]] = values[pending[won]]
            self.size += won.size
            go_on = np.ones(pending.size, dtype=bool)
            go_on[won] = False
            pending = pending[go_on]
            slots = (slots[go_on] + 1) & (self.capacity - 1)

    def rows(self) -> Any:
        """Every member as a (W, n) batch (in table order)."""
        return self.table[:, self.table[0] != EMPTY]


class VisitedSet:
    """The visited states, in 2**k regions chosen by the top bits of the hash."""

    def __init__(self, words: int, region_bits: int = 0, keep_values: bool = False) -> None:
        self.words = words
        self.region_bits = region_bits
        self.regions = [RowSet(words, keep_values=keep_values) for _ in range(1 << region_bits)]

    def __len__(self) -> int:
        return sum(len(r) for r in self.regions)

    @property
    def nbytes(self) -> int:
        return sum(r.nbytes for r in self.regions)

    def region_of(self, hashes: Any) -> Any:
        return (hashes >> np.uint64(64 - self.region_bits)).astype(np.int64) \
            if self.region_bits else np.zeros(hashes.shape, dtype=np.int64)

    def add(self, rows: Any, hashes: Any, ids: Any, pmap: Map, values: Any | None = None,
            met: Any | None = None) -> Any:
        """`RowSet.add` over every region, the regions in parallel through `pmap`."""
        if not self.region_bits:
            return self.regions[0].add(rows, hashes, ids, values, met)
        new = np.zeros(rows.shape[1], dtype=bool)
        parts = split_by_region(self.region_of(hashes), len(self.regions))

        def fill(region: int) -> None:
            sel = parts[region]
            if sel.size:
                found = None if met is None else np.empty(sel.size, dtype=np.int64)
                got = self.regions[region].add(rows[:, sel], hashes[sel], ids[sel],
                                               None if values is None else values[sel], found)
                new[sel[got]] = True
                if met is not None:
                    met[sel] = found

        pmap(fill, list(range(len(self.regions))))
        return new

    def widen(self) -> None:
        for region in self.regions:
            region.widen()

    def set_values(self, rows: Any, values: Any) -> None:
        hashes = hash_rows(rows)
        for region, sel in enumerate(split_by_region(self.region_of(hashes),
                                                     len(self.regions))):
            if sel.size:
                self.regions[region].set_values(rows[:, sel], values[sel], hashes[sel])


def split_by_region(region: Any, count: int) -> list[Any]:
    """The positions of each region's members, in batch order."""
    order = np.argsort(region.astype(np.uint8 if count <= 256 else np.uint16), kind="stable")
    bounds = np.searchsorted(region[order], np.arange(count + 1))
    return [order[bounds[r]:bounds[r + 1]] for r in range(count)]
