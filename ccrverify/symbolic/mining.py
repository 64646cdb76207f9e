"""Candidate lemmas mined from reachable states (data-driven invariant inference).

The explicit engine enumerates every reachable state of a sample knob point
in a fraction of a second. Every fact of a few fixed shapes that is true in
all those states is a *candidate* lemma:

- bounds and excluded values of one slot: ``lease >= 1``, ``owner != none``;
- combinations of values of two or three slots never seen together:
  ``¬holds[A] ∨ owner = A``;
- bounds on the sum or difference of two counters, alone or under one
  boolean or enumeration literal: ``¬holds[A] ∨ lease + rfail[A] >= 2``.

Each constant is offered twice when a knob of the box bounds the slot: as a
number, and as that knob plus an offset (``lease + rfail[A] >= witness_lease``),
so that one candidate can speak for every knob value at once. A candidate
survives only if it holds in every sample. Houdini (`houdini.py`) then keeps
the largest inductive subset over a whole region of knob values: the data
only proposes, the solver decides (the Daikon / ICE line of work: Ernst et
al. 2001, Garg et al. 2014).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ccrverify.expr import BOOL, walk
from ccrverify.model import Model
from ccrverify.symbolic.encode import Encoding, StateVars
from ccrverify.symbolic.z3api import Term

# Value combinations of three slots are mined only while the product of their
# observed value counts stays below this (beyond it they are rarely the point).
TRIPLE_CELLS = 4096


@dataclass(frozen=True)
class Bound:
    """A constant of a lemma: `offset`, plus the value of `knob` when it is set."""

    knob: str | None
    offset: int

    def value(self, knobs: Mapping[str, int]) -> int:
        return self.offset + (knobs[self.knob] if self.knob else 0)


@dataclass(frozen=True)
class Atom:
    """``Σ coefficient·slot  op  bound``; op is one of == != <= >=."""

    terms: tuple[tuple[int, int], ...]  # (coefficient, slot index)
    op: str
    bound: Bound


Lemma = tuple[Atom, ...]  # a disjunction of atoms


class Sample:
    """All reachable states of one knob point: a row a state, a column a slot."""

    def __init__(self, knobs: Mapping[str, int], states: Any) -> None:
        self.knobs = dict(knobs)
        self.states = states  # numpy int64 matrix
        lo = states.min(axis=0) if len(states) else np.zeros(states.shape[1], np.int64)
        hi = states.max(axis=0) if len(states) else lo
        self._lo = [int(v) for v in lo]
        self._span = [int(v) + 1 for v in hi - lo]
        # Contiguous small columns, offset to 0: combination codes are cheap on them.
        self._columns = [np.ascontiguousarray(states[:, i] - lo[i], dtype=np.int32)
                         for i in range(states.shape[1])]
        self._combos: dict[tuple[int, ...], Any] = {}

    def combos(self, slots: tuple[int, ...]) -> Any:
        """The distinct value combinations of these slots (a row each)."""
        if slots not in self._combos:
            # One integer code per state (mixed radix over the slots' value spans):
            # counting codes is much faster than finding unique rows.
            cells = 1
            for s in slots:
                cells *= self._span[s]
            dtype = np.int32 if cells < 1 << 30 else np.int64
            code: Any = self._columns[slots[0]].astype(dtype)
            for s in slots[1:]:
                code = code * self._span[s] + self._columns[s]
            present = (np.flatnonzero(np.bincount(code, minlength=1)) if cells < 1 << 22
                       else np.unique(code))
            rows = np.zeros((len(present), len(slots)), dtype=np.int64)
            for i in reversed(range(len(slots))):
                rows[:, i] = present % self._span[slots[i]] + self._lo[slots[i]]
                present = present // self._span[slots[i]]
            self._combos[slots] = rows
        return self._combos[slots]


def slots_of(lemma: Lemma) -> tuple[int, ...]:
    return tuple(sorted({s for atom in lemma for _, s in atom.terms}))


def lemma_holds(lemma: Lemma, sample: Sample) -> bool:
    """True when the lemma holds in every state of the sample (checked on the
    distinct combinations of the slots it reads, not on every state)."""
    slots = slots_of(lemma)
    rows = sample.combos(slots)
    column = {s: rows[:, i] for i, s in enumerate(slots)}
    where = np.zeros(len(rows), dtype=bool)
    for atom in lemma:
        lhs = sum(c * column[s] for c, s in atom.terms)
        rhs = atom.bound.value(sample.knobs)
        where |= {"==": lhs == rhs, "!=": lhs != rhs,
                  "<=": lhs <= rhs, ">=": lhs >= rhs}[atom.op]
    return bool(where.all())


# -- translating to z3 ------------------------------------------------------------------
def to_term(enc: Encoding, lemma: Lemma, s: StateVars) -> Term:
    return enc.z.or_(_atom_term(enc, a, s) for a in lemma)


def _atom_term(enc: Encoding, atom: Atom, s: StateVars) -> Term:
    z = enc.z
    offset = atom.bound.offset
    if len(atom.terms) == 1 and enc.model.slots[atom.terms[0][1]].sort == BOOL:
        term = s.terms[atom.terms[0][1]]  # a boolean slot: only == and != 0 or 1
        return term if (offset == 1) == (atom.op == "==") else z.not_(term)
    lhs = None
    for c, slot in atom.terms:
        part = s.terms[slot] if c == 1 else s.terms[slot] * c
        lhs = part if lhs is None else lhs + part
    rhs = z.int_val(offset)
    if atom.bound.knob is not None:
        rhs = _knob(enc, atom.bound.knob) + offset
    if atom.op == "==":
        return lhs == rhs
    if atom.op == "!=":
        return lhs != rhs
    return lhs <= rhs if atom.op == "<=" else lhs >= rhs


def _knob(enc: Encoding, name: str) -> Term:
    if name in enc.knobs:
        return enc.knobs[name]
    return enc.z.int_val(int(enc.model.knobs[name]))


# -- mining ---------------------------------------------------------------------------
class Miner:
    """Proposes candidate lemmas for one model. It reads the symbolic form of the
    model: a slot whose upper bound is a knob (``lease`` in 0..witness_lease) has
    its constants offered relative to that knob too."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.anchor = {i: _bounding_knob(slot.hi_expr, model)
                       for i, slot in enumerate(model.slots)}
        self.literals = [i for i, s in enumerate(model.slots)
                         if s.sort == BOOL or s.enum is not None]
        items = {i for v in model.variables if v.is_seq()
                 for slots in v.slots.values() for i in slots[1:]}
        # Counters: integers that are not sequence items (message ids are names, not
        # quantities; sums of them mean nothing).
        self.counters = [i for i, s in enumerate(model.slots)
                         if s.sort != BOOL and s.enum is None and i not in items]

    def mine(self, sample: Sample) -> Iterator[Lemma]:
        observed = [np.unique(sample.states[:, i]) for i in range(sample.states.shape[1])]
        yield from self._unary(observed, sample.knobs)
        yield from self._combinations(sample, observed)
        yield from self._linear(sample)

    def _variants(self, slot: int, value: int, knobs: Mapping[str, int],
                  other: int | None = None) -> list[Bound]:
        """`value` as a number, and relative to the knob bounding the slot(s)."""
        out = [Bound(None, value)]
        for s in (slot, other):
            knob = self.anchor.get(s) if s is not None else None
            if knob is not None and Bound(knob, value - knobs[knob]) not in out:
                out.append(Bound(knob, value - knobs[knob]))
        return out

    def _unary(self, observed: list[Any], knobs: Mapping[str, int]) -> Iterator[Lemma]:
        for i, values in enumerate(observed):
            if len(values) == 1:
                for b in self._variants(i, int(values[0]), knobs):
                    yield (Atom(((1, i),), "==", b),)
                continue
            if self.model.slots[i].sort == BOOL:
                continue
            lo, hi = int(values[0]), int(values[-1])
            for op, v in ((">=", lo), ("<=", hi)):
                for b in self._variants(i, v, knobs):
                    yield (Atom(((1, i),), op, b),)
            for v in sorted(set(range(lo, hi + 1)) - {int(x) for x in values}):
                for b in self._variants(i, v, knobs):
                    yield (Atom(((1, i),), "!=", b),)

    def _combinations(self, sample: Sample, observed: list[Any]) -> Iterator[Lemma]:
        """``x != a ∨ y != b [∨ z != c]`` for each combination of values never seen
        together whose smaller combinations were all seen (else a shorter lemma
        already says it)."""
        varying = [i for i, v in enumerate(observed) if len(v) > 1]
        states = sample.states
        index = {i: np.searchsorted(observed[i], states[:, i]) for i in varying}
        size = {i: len(observed[i]) for i in varying}
        seen2: dict[tuple[int, int], Any] = {}
        for x, y in itertools.combinations(varying, 2):
            seen = np.zeros(size[x] * size[y], dtype=bool)
            seen[index[x] * size[y] + index[y]] = True
            seen2[x, y] = seen.reshape(size[x], size[y])
            for a, b in np.argwhere(~seen2[x, y]):
                yield from self._excluded(sample, observed, ((x, a), (y, b)))
        for x, y, w in itertools.combinations(varying, 3):
            if size[x] * size[y] * size[w] > TRIPLE_CELLS:
                continue
            seen = np.zeros(size[x] * size[y] * size[w], dtype=bool)
            seen[(index[x] * size[y] + index[y]) * size[w] + index[w]] = True
            unseen = (~seen.reshape(size[x], size[y], size[w]) & seen2[x, y][:, :, None]
                      & seen2[x, w][:, None, :] & seen2[y, w][None, :, :])
            for a, b, c in np.argwhere(unseen):
                yield from self._excluded(sample, observed, ((x, a), (y, b), (w, c)))

    def _excluded(self, sample: Sample, observed: list[Any],
                  cells: tuple[tuple[int, int], ...]) -> Iterator[Lemma]:
        """The lemma excluding one combination (every variant of its constants)."""
        options = []
        for slot, position in cells:
            value = int(observed[slot][position])
            if self.model.slots[slot].sort == BOOL:
                options.append([Atom(((1, slot),), "!=", Bound(None, value))])
            else:
                options.append([Atom(((1, slot),), "!=", b)
                                for b in self._variants(slot, value, sample.knobs)])
        for atoms in itertools.product(*options):
            yield tuple(atoms)

    def _linear(self, sample: Sample) -> Iterator[Lemma]:
        """Bounds on x + y and x - y for counters x, y, alone or under one literal,
        when tighter than the bounds of x and y under that literal give."""
        states, knobs = sample.states, sample.knobs
        guards: list[tuple[int, int] | None] = [None]
        for i in self.literals:
            guards += [(i, int(v)) for v in np.unique(states[:, i])]
        for guard in guards:
            rows = states if guard is None else states[states[:, guard[0]] == guard[1]]
            for x, y in itertools.combinations(self.counters, 2):
                lo_x, hi_x = int(rows[:, x].min()), int(rows[:, x].max())
                lo_y, hi_y = int(rows[:, y].min()), int(rows[:, y].max())
                if lo_x == hi_x or lo_y == hi_y:
                    continue
                for sign in (1, -1):
                    f = rows[:, x] + sign * rows[:, y]
                    bounds = ((">=", int(f.min()), lo_x + (lo_y if sign == 1 else -hi_y)),
                              ("<=", int(f.max()), hi_x + (hi_y if sign == 1 else -lo_y)))
                    for op, value, implied in bounds:
                        if value == implied:
                            continue
                        for b in self._variants(x, value, knobs, other=y):
                            atom = Atom(((1, x), (sign, y)), op, b)
                            if guard is None:
                                yield (atom,)
                            else:
                                slot, v = guard
                                yield (Atom(((1, slot),), "!=", Bound(None, v)), atom)


def _bounding_knob(hi_expr: Any, model: Model) -> str | None:
    """The one symbolic knob a slot's upper bound depends on, if any."""
    if hi_expr is None:
        return None
    knobs = {n.args[0] for n in walk([hi_expr]) if n.op == "knob"}
    knobs &= set(model.symbolic_knobs)
    return next(iter(knobs)) if len(knobs) == 1 else None


def candidates(miner: Miner, samples: Sequence[Sample]) -> list[Lemma]:
    """Every lemma mined from some sample that holds in all of them."""
    found: dict[Lemma, None] = {}
    for sample in samples:
        for lemma in miner.mine(sample):
            found.setdefault(lemma)
    return [lemma for lemma in found if all(lemma_holds(lemma, s) for s in samples)]
