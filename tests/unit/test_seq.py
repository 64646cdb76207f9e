"""Sequence expressions mean what Python lists mean (property-based)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ccrverify.compile import evaluate
from ccrverify.lang.domain import IntRange
from ccrverify.lang.seq import SeqExpr

ITEM = IntRange(1, 4)
CAP = 4
seqs = st.lists(st.integers(1, 4), max_size=CAP)


def value(seq: SeqExpr) -> list[int]:
    length = evaluate(seq.length, [], {})
    items = [evaluate(x, [], {}) for x in seq.items]
    assert all(x == ITEM.lo for x in items[length:]), "positions past the length hold the filler"
    return items[:length]


def lit(xs: list[int]) -> SeqExpr:
    return SeqExpr.of(xs, ITEM, CAP)


@given(seqs, st.integers(1, 4), st.booleans())
def test_append_if(xs: list[int], x: int, cond: bool) -> None:
    assert value(lit(xs).append_if(cond, x)) == (xs + [x] if cond else xs)


@given(seqs, st.booleans())
def test_drop_first_if(xs: list[int], cond: bool) -> None:
    assert value(lit(xs).drop_first_if(cond)) == (xs[1:] if cond and xs else xs)


@given(seqs, st.integers(1, 4))
def test_contains(xs: list[int], x: int) -> None:
    assert evaluate(lit(xs).contains(x), [], {}) == (x in xs)


@given(seqs, seqs)
def test_prefix_and_equality(xs: list[int], ys: list[int]) -> None:
    assert evaluate(lit(xs).is_prefix_of(lit(ys)), [], {}) == (ys[:len(xs)] == xs)
    assert evaluate(lit(xs) == lit(ys), [], {}) == (xs == ys)


@given(seqs, st.lists(st.booleans(), min_size=CAP, max_size=CAP))
def test_keep_where_and_map(xs: list[int], keep: list[bool]) -> None:
    kept = lit(xs).keep_where(keep)
    assert value(kept) == [x for x, k in zip(xs, keep, strict=False) if k]
    assert value(lit(xs).map(lambda e: e - 0)) == xs


@given(seqs, st.integers(0, CAP - 1))
def test_indexing_by_expression(xs: list[int], i: int) -> None:
    from ccrverify.expr import const

    got = evaluate(lit(xs)[const(i)], [], {})
    assert got == (xs[i] if i < len(xs) else ITEM.lo)
