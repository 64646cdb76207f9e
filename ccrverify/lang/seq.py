"""Bounded sequences as expressions: a length and a fixed row of items.

A `SeqExpr` is what reading a sequence variable gives and what assigning one
takes. Every operation expands, at build time, into scalar expressions over
the length and item slots, so engines never see a sequence. Items at or past
the length are always the item domain's ``lo`` (the *filler*): sequences that
are equal are equal slot for slot. Positions are 0-based, as in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ccrverify.errors import SpecError, user_location
from ccrverify.expr import (
    INT,
    Expr,
    Value,
    add,
    all_of,
    any_of,
    const,
    eq,
    ite,
    le,
    lift,
    lt,
    must,
    sub,
)
from ccrverify.lang.domain import Scalar


@dataclass(frozen=True, eq=False)
class SeqExpr:
    length: Expr
    items: tuple[Expr, ...]
    item: Scalar
    name: str = "a sequence"  # the variable read, for messages

    # -- construction ---------------------------------------------------------
    @staticmethod
    def of(values: Sequence[Value], item: Scalar, capacity: int | None = None) -> SeqExpr:
        cap = len(values) if capacity is None else capacity
        if len(values) > cap:
            raise SpecError(f"{len(values)} items do not fit in capacity {cap}", user_location())
        filler = const(item.lo, item.enum)
        like = filler
        items = [_coerce(v, like) for v in values] + [filler] * (cap - len(values))
        return SeqExpr(const(len(values)), tuple(items), item)

    @property
    def capacity(self) -> int:
        return len(self.items)

    @property
    def filler(self) -> Expr:
        return const(self.item.lo, self.item.enum)

    # -- reading --------------------------------------------------------------
    @property
    def len(self) -> Expr:
        return self.length

    def is_empty(self) -> Expr:
        return eq(self.length, 0)

    def present(self, i: int) -> Expr:
        """Whether position i holds an item."""
        return lt(i, self.length)

    def entries(self) -> Iterator[tuple[Expr, Expr]]:
        """(present, item) for every position: for build-time folds over the sequence."""
        for i, x in enumerate(self.items):
            yield self.present(i), x

    def __getitem__(self, index: Value) -> Expr:
        """The item at a position (0-based); reading at or past the length is an
        error in the model, as in TLA+."""
        what = f"{self.name}[{{0}}] is read past the sequence's length"
        if isinstance(index, int) and not isinstance(index, bool):
            if not 0 <= index < self.capacity:
                raise SpecError(f"position {index} is past capacity {self.capacity}",
                                user_location())
            return must(lt(index, self.length), self.items[index], what, const(index))
        idx = lift(index)
        if idx.sort != INT or idx.enum is not None:
            raise SpecError("a sequence position must be an integer", user_location())
        result = self.filler
        for i in reversed(range(self.capacity)):
            result = ite(eq(idx, i), self.items[i], result)
        return must(le(0, idx) & lt(idx, self.length), result, what, idx)

    def contains(self, x: Value) -> Expr:
        e = _coerce(x, self.filler)
        return any_of(p & eq(item, e) for p, item in self.entries())

    def is_prefix_of(self, other: SeqExpr) -> Expr:
        parts = [le(self.length, other.length)]
        for i, (p, item) in enumerate(self.entries()):
            theirs = other.items[i] if i < other.capacity else other.filler
            parts.append(p.implies(eq(item, theirs)))
        return all_of(parts)

    def equals(self, other: SeqExpr) -> Expr:
        cap = max(self.capacity, other.capacity)
        mine = self._padded(cap)
        theirs = other._padded(cap)
        return all_of([eq(self.length, other.length)] +
                      [eq(a, b) for a, b in zip(mine.items, theirs.items, strict=True)])

    # -- new sequences -----------------------------------------------------------
    def append(self, x: Value) -> SeqExpr:
        return self.append_if(True, x)

    def append_if(self, cond: Value, x: Value) -> SeqExpr:
        """The sequence with x appended when cond holds, else unchanged."""
        c = lift(cond)
        e = _coerce(x, self.filler)
        grown = self._padded(self.capacity + 1)
        items = tuple(ite(c & eq(self.length, i), e, item) for i, item in enumerate(grown.items))
        return SeqExpr(ite(c, add(self.length, 1), self.length), items, self.item)

    def drop_first_if(self, cond: Value) -> SeqExpr:
        """The sequence without its first item when cond holds (and it is not empty)."""
        c = lift(cond) & lt(0, self.length)
        shifted = self.items[1:] + (self.filler,)
        items = tuple(ite(c, s, x) for s, x in zip(shifted, self.items, strict=True))
        return SeqExpr(ite(c, sub(self.length, 1), self.length), items, self.item)

    def map(self, f: Callable[[Expr], Value]) -> SeqExpr:
        """Apply f to every present item (the filler stays)."""
        items = tuple(ite(p, _coerce(f(x), self.filler), self.filler) for p, x in self.entries())
        return SeqExpr(self.length, items, self.item)

    def keep_where(self, keep: Sequence[Value]) -> SeqExpr:
        """The present items whose flag in `keep` (one per position) holds, in order."""
        out = SeqExpr.of([], self.item, 0)
        for (p, x), k in zip(self.entries(), keep, strict=True):
            out = out.append_if(p & lift(k), x)
        return out

    def fit(self, capacity: int) -> tuple[SeqExpr, Expr]:
        """This sequence in `capacity` slots, and the condition that it fits."""
        if capacity >= self.capacity:
            return self._padded(capacity), lift(True)
        return SeqExpr(self.length, self.items[:capacity], self.item), le(self.length, capacity)

    def _padded(self, capacity: int) -> SeqExpr:
        extra = (self.filler,) * (capacity - self.capacity)
        return SeqExpr(self.length, self.items + extra, self.item)

    def __eq__(self, other: object) -> Expr:  # type: ignore[override]
        if not isinstance(other, SeqExpr):
            raise SpecError("a sequence can only be compared with a sequence", user_location())
        return self.equals(other)

    def __ne__(self, other: object) -> Expr:  # type: ignore[override]
        return ~self.__eq__(other)

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise SpecError("a sequence was used as a condition", user_location(),
                        "test s.len, s.is_empty() or s.contains(x)")


def _coerce(x: Value, like: Expr) -> Expr:
    """An item for a sequence whose filler is `like`: same sort, same enumeration."""
    e = lift(x, like) if isinstance(x, str) else lift(x)
    if e.sort != like.sort:
        kinds = {"bool": "booleans", "int": "integers"}
        raise SpecError(f"the sequence holds {kinds[like.sort]}; got "
                        f"{'a condition' if e.sort == 'bool' else 'an integer'}", user_location())
    if e.enum != like.enum:
        expected = like.enum.name + " values" if like.enum is not None else "integers"
        got = f"a {e.enum.name} value" if e.enum is not None else "an integer"
        raise SpecError(f"the sequence holds {expected}; got {got}", user_location())
    return e
