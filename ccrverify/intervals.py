"""Static value ranges of expressions (interval arithmetic).

Used to size symbolic domains and to decide which updates need a run-time
domain check: an update whose range lies inside its slot's domain cannot
leave it, so the generated code skips the check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ccrverify.lang.expr import Expr, walk

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
    op = node.op
    if op == "const":
        return node.value, node.value
    if op == "var":
        return slot_bounds(node.args[0])
    if op == "knob":
        return knob_bounds[node.args[0]]
    if node.sort == "bool" or op == "b2i":
        return 0, 1
    (alo, ahi), (blo, bhi) = (memo[id(a)] for a in node.args[-2:])
    if op == "add":
        return alo + blo, ahi + bhi
    if op == "sub":
        return alo - bhi, ahi - blo
    if op == "min":
        return min(alo, blo), min(ahi, bhi)
    if op == "max":
        return max(alo, blo), max(ahi, bhi)
    if op == "ite":
        return min(alo, blo), max(ahi, bhi)
    raise ValueError(f"no interval rule for {op}")
