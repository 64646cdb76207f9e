"""Definedness: where evaluating an expression reads nothing undefined.

Some operators are partial (`ccrverify.ops`): ``MUST`` (a map read at a key
outside its index, a sequence read past its length) and ``DIV``/``MOD`` (a
divisor that is not positive). Engines compute every value regardless, and
check, per state, the condition `definedness` builds; a reachable state where
it fails is an error in the model, reported with the trace that reaches it
(as TLC reports an evaluation error), never a silent default.

Evaluation is left to right and short-circuits (``AND``, ``OR``, ``ITE``), so
``x < 2 & v[x] == 0`` is defined everywhere. `first_undefined` is the
reference interpreter's own, independent reading of the same rules: it finds
the partial node that fails in a concrete state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from ccrverify.expr import (
    BOOL,
    FALSE,
    TRUE,
    Expr,
    all_of,
    const,
    implies,
    lt,
    not_,
    transform,
    walk,
)
from ccrverify.intervals import Bounds, interval
from ccrverify.ops import Op

PARTIAL = frozenset({Op.MUST, Op.DIV, Op.MOD})


def has_partial(roots: Iterable[Expr]) -> bool:
    return any(n.op in PARTIAL for n in walk(roots))


def definedness(root: Expr) -> Expr:
    """The condition under which evaluating `root` is defined (TRUE when it has no
    partial operator)."""
    nodes = walk([root])
    partial_below: set[int] = set()
    for node in nodes:
        if node.op in PARTIAL or any(id(a) in partial_below for a in node.args
                                     if isinstance(a, Expr)):
            partial_below.add(id(node))
    if id(root) not in partial_below:
        return TRUE
    defined: dict[int, Expr] = {}
    for node in nodes:
        if id(node) in partial_below:
            defined[id(node)] = _rule(node, lambda e: defined.get(id(e), TRUE))
    return defined[id(root)]


def _rule(node: Expr, d: Callable[[Expr], Expr]) -> Expr:
    op, args = node.op, node.args
    if op == Op.MUST:
        cond, value = args[0], args[1]
        return all_of([d(cond), cond, d(value)])
    if op in (Op.DIV, Op.MOD):
        return all_of([d(args[0]), d(args[1]), lt(const(0), args[1])])
    if op in (Op.AND, Op.OR):
        parts: list[Expr] = []
        earlier: list[Expr] = []
        for a in args:
            parts.append(implies(all_of(earlier), d(a)))
            earlier.append(a if op == Op.AND else not_(a))
        return all_of(parts)
    if op == Op.ITE:
        c, a, b = args
        return all_of([d(c), implies(c, d(a)), implies(not_(c), d(b))])
    return all_of(d(a) for a in args if isinstance(a, Expr))


def simplify(cond: Expr, facts: Iterable[Expr], slot_bounds: Callable[[int], Bounds]
             ) -> Expr:
    """`cond` with what holds anyway folded away: the facts (the guard's
    conjuncts, under the guard) and comparisons that interval analysis decides
    (``0 <= log[A].len``)."""
    memo: dict[int, object] = {}
    known = {structure(f, memo) for f in facts}

    def replace(node: Expr) -> Expr | None:
        if node.sort != BOOL or node.op in (Op.CONST, Op.VAR, Op.KNOB):
            return None
        if structure(node, memo) in known:
            return TRUE
        if node.op in (Op.LT, Op.LE) and not any(n.op == Op.KNOB for n in walk([node])):
            (a_lo, a_hi), (b_lo, b_hi) = (interval(x, slot_bounds, {}) for x in node.args)
            strict = node.op == Op.LT
            if (a_hi < b_lo) if strict else (a_hi <= b_lo):
                return TRUE
            if (a_lo >= b_hi) if strict else (a_lo > b_hi):
                return FALSE
        return None

    return transform(cond, replace)


def conjuncts(e: Expr) -> tuple[Expr, ...]:
    return e.args if e.op == Op.AND else (e,)


def structure(e: Expr, memo: dict[int, object] | None = None) -> object:
    """A hashable key equal for structurally equal expressions."""
    memo = {} if memo is None else memo
    for node in walk([e]):
        if id(node) not in memo:
            memo[id(node)] = (node.op, node.sort, tuple(
                memo[id(a)] if isinstance(a, Expr) else a for a in node.args))
    return memo[id(e)]


# -- the interpreter's reading ------------------------------------------------------
def first_undefined(root: Expr, value: Mapping[int, int]) -> Expr | None:
    """The partial node whose condition fails when `root` is evaluated left to right
    in a state (`value`: node id -> its value there, for every node), or None."""
    stack: list[Expr] = [root]
    while stack:
        node = stack.pop()
        op, args = node.op, node.args
        if op == Op.MUST:
            if not value[id(args[0])]:
                inner = first_undefined(args[0], value)
                return node if inner is None else inner
            stack.append(args[1])
            stack.append(args[0])
        elif op in (Op.DIV, Op.MOD):
            for part in args[:2]:
                inner = first_undefined(part, value)
                if inner is not None:
                    return inner
            if value[id(args[1])] <= 0:
                return node
        elif op in (Op.AND, Op.OR):
            for a in args:
                inner = first_undefined(a, value)
                if inner is not None:
                    return inner
                if bool(value[id(a)]) == (op == Op.OR):
                    break
        elif op == Op.ITE:
            c, a, b = args
            inner = first_undefined(c, value)
            if inner is not None:
                return inner
            stack.append(a if value[id(c)] else b)
        else:
            stack.extend(reversed([a for a in args if isinstance(a, Expr)]))
    return None
