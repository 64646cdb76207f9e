"""Static value ranges of expressions (interval arithmetic).

Used to size symbolic domains and to decide which updates need a run-time
domain check: an update whose range lies inside its slot's domain cannot
leave it, so the generated code skips the check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ccrverify.expr import Expr, walk
from ccrverify.ops import Op, exhaustive

Bounds = tuple[int, int]


def interval(
    root: Expr,
    slot_bounds: Callable[[int], Bounds],
    knob_bounds: Mapping[str, Bounds],
) -> Bounds:
    memo: dict[int, Bounds] = {}
    for node in walk([root]):
        memo[id(node)] = _node_interval(node, memo, slot_bounds, knob_bounds)
    return memo[id(root)]


def _node_interval(
    node: Expr,
    memo: dict[int, Bounds],
    slot_bounds: Callable[[int], Bounds],
    knob_bounds: Mapping[str, Bounds],
) -> Bounds:
    args = [memo[id(a)] for a in node.args if isinstance(a, Expr)]
    return _RULES[node.op](node, args, slot_bounds, knob_bounds)


def _products(a: Bounds, b: Bounds) -> Bounds:
    corners = [x * y for x in a for y in b]
    return min(corners), max(corners)


def _quotients(a: Bounds, b: Bounds) -> Bounds:
    """a // b for a positive divisor (elsewhere the division is undefined)."""
    lo, hi = max(1, b[0]), max(1, b[1])
    corners = [x // y for x in a for y in (lo, hi)]
    return min(corners), max(corners)


def _remainders(a: Bounds, b: Bounds) -> Bounds:
    if a[0] >= 0 and a[1] < max(1, b[0]):
        return a  # a % b = a when 0 <= a < b
    return 0, max(0, b[1] - 1)


_Rule = Callable[[Expr, list[Bounds], Callable[[int], Bounds], Mapping[str, Bounds]], Bounds]
_BOOLEAN: _Rule = lambda n, a, s, k: (0, 1)  # noqa: E731
_RULES: dict[Op, _Rule] = exhaustive({
    Op.CONST: lambda n, a, s, k: (n.value, n.value),
    Op.VAR: lambda n, a, s, k: s(n.args[0]),
    Op.KNOB: lambda n, a, s, k: k[n.args[0]],
    Op.NOT: _BOOLEAN, Op.AND: _BOOLEAN, Op.OR: _BOOLEAN, Op.EQ: _BOOLEAN, Op.LT: _BOOLEAN,
    Op.LE: _BOOLEAN, Op.B2I: _BOOLEAN,
    Op.ADD: lambda n, a, s, k: (a[0][0] + a[1][0], a[0][1] + a[1][1]),
    Op.SUB: lambda n, a, s, k: (a[0][0] - a[1][1], a[0][1] - a[1][0]),
    Op.MUL: lambda n, a, s, k: _products(a[0], a[1]),
    Op.DIV: lambda n, a, s, k: _quotients(a[0], a[1]),
    Op.MOD: lambda n, a, s, k: _remainders(a[0], a[1]),
    Op.MIN: lambda n, a, s, k: (min(a[0][0], a[1][0]), min(a[0][1], a[1][1])),
    Op.MAX: lambda n, a, s, k: (max(a[0][0], a[1][0]), max(a[0][1], a[1][1])),
    Op.ITE: lambda n, a, s, k: (min(a[1][0], a[2][0]), max(a[1][1], a[2][1])),
    Op.MUST: lambda n, a, s, k: a[1],
}, "interval analysis")
