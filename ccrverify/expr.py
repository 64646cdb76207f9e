"""Expression trees: the inert representation of everything a model says
about the state (guards, updates, initial values, properties).

An `Expr` is a frozen node `(op, args)` with a sort, ``bool`` or ``int``.
State is referred to by *slot* number (every scalar of the flattened state has
one), knobs by name. Enumerations are ints with an `Enum` attached so that
``role == "active"`` reads naturally. Constructors fold constants, which
matters: knobs are usually concrete, and sequence operations expand into many
small comparisons of which most are decided at build time.

Python's ``if``, ``and``, ``or`` and ``not`` cannot be overloaded; calling
`bool()` on a state expression raises a `SpecError` pointing at the spec line.
Use ``&``, ``|``, ``~``, `ite` and ``s.require(...)`` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Union

from ccrverify.errors import SpecError, user_location
from ccrverify.ops import BOOL_OPS, INT_OPS, LEAVES, Op, exhaustive

if TYPE_CHECKING:
    from ccrverify.lang.domain import Enum

BOOL = "bool"
INT = "int"

Value = Union["Expr", bool, int, str]

__all__ = ["BOOL", "BOOL_OPS", "INT", "INT_OPS", "Expr", "Op", "Value"]


class Expr:
    """One node of an expression tree. Build with the helpers below, not directly."""

    __slots__ = ("op", "args", "sort", "enum")

    def __init__(self, op: Op, args: tuple[Any, ...], sort: str, enum: Enum | None = None):
        self.op = op
        self.args = args
        self.sort = sort
        self.enum = enum

    # -- inspection ---------------------------------------------------------
    @property
    def is_const(self) -> bool:
        return self.op == Op.CONST

    @property
    def value(self) -> int:
        assert self.op == Op.CONST
        return int(self.args[0])

    def __repr__(self) -> str:
        return f"Expr({self.op}, {self.args!r})"

    # -- misuse --------------------------------------------------------------
    def __bool__(self) -> bool:
        if self.is_const:
            return bool(self.value)
        knobs = knob_names(self)
        if knobs and not has_state(self):
            raise SpecError(
                f"knob {', '.join(sorted(knobs))} is used where a concrete value is needed",
                user_location(),
                "it shapes the model, so it cannot be symbolic",
            )
        raise SpecError(
            "a Python `if`, `and`, `or` or `not` was used on a state expression",
            user_location(),
            "use ite(cond, a, b), &, |, ~ or s.require(cond)",
        )

    def __index__(self) -> int:
        if self.is_const and self.sort == INT:
            return self.value
        raise SpecError(
            "a state or symbolic expression was used where Python needs an int "
            "(range(), indexing, len())",
            user_location(),
            "only knobs with concrete values and action parameters can be used so",
        )

    __int__ = __index__

    def __iter__(self) -> Any:
        raise SpecError("an expression is not iterable", user_location())

    __hash__ = object.__hash__

    # -- operators -------------------------------------------------------------
    def __and__(self, other: Value) -> Expr:
        return and_(self, other)

    __rand__ = __and__

    def __or__(self, other: Value) -> Expr:
        return or_(self, other)

    __ror__ = __or__

    def __invert__(self) -> Expr:
        return not_(self)

    def implies(self, other: Value) -> Expr:
        return or_(not_(self), other)

    def __eq__(self, other: object) -> Expr:  # type: ignore[override]
        return eq(self, other)  # type: ignore[arg-type]

    def __ne__(self, other: object) -> Expr:  # type: ignore[override]
        return not_(eq(self, other))  # type: ignore[arg-type]

    def __lt__(self, other: Value) -> Expr:
        return lt(self, other)

    def __le__(self, other: Value) -> Expr:
        return le(self, other)

    def __gt__(self, other: Value) -> Expr:
        return lt(other, self)

    def __ge__(self, other: Value) -> Expr:
        return le(other, self)

    def __add__(self, other: Value) -> Expr:
        return add(self, other)

    __radd__ = __add__

    def __sub__(self, other: Value) -> Expr:
        return sub(self, other)

    def __rsub__(self, other: Value) -> Expr:
        return sub(other, self)

    def __neg__(self) -> Expr:
        return sub(0, self)

    def __mul__(self, other: Value) -> Expr:
        return mul(self, other)

    __rmul__ = __mul__

    def __floordiv__(self, other: Value) -> Expr:
        return div(self, other)

    def __rfloordiv__(self, other: Value) -> Expr:
        return div(other, self)

    def __mod__(self, other: Value) -> Expr:
        return mod(self, other)

    def __rmod__(self, other: Value) -> Expr:
        return mod(other, self)

    def __truediv__(self, other: Value) -> Expr:
        raise SpecError("`/` is not an operator on integers", user_location(),
                        "use // for division rounding down")

    __rtruediv__ = __truediv__


# -- leaves -------------------------------------------------------------------
TRUE = Expr(Op.CONST, (1,), BOOL)
FALSE = Expr(Op.CONST, (0,), BOOL)


def const(value: int | bool, enum: Enum | None = None) -> Expr:
    if isinstance(value, bool):
        return TRUE if value else FALSE
    return Expr(Op.CONST, (int(value),), INT, enum)


def slot_ref(slot: int, sort: str, enum: Enum | None = None) -> Expr:
    return Expr(Op.VAR, (slot,), sort, enum)


def knob_ref(name: str, sort: str = INT) -> Expr:
    return Expr(Op.KNOB, (name,), sort)


def lift(value: Value, like: Expr | None = None) -> Expr:
    """Turn a Python constant into an Expr; strings need an enum to compare with."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, str):
        if like is None or like.enum is None:
            raise SpecError(
                f"the string {value!r} is not a value here",
                user_location(),
                "strings are only enumeration values: compare them with an enum variable, "
                "or name the enumeration, e.g. ROLE('active')",
            )
        return const(like.enum.code(value), like.enum)
    if isinstance(value, bool | int):
        return const(value)
    raise SpecError(f"{value!r} cannot be used in a model expression", user_location())


def _pair(a: Value, b: Value) -> tuple[Expr, Expr]:
    ea = lift(a) if not isinstance(a, str) else None
    eb = lift(b) if not isinstance(b, str) else None
    if ea is None:
        ea = lift(a, eb)
    if eb is None:
        eb = lift(b, ea)
    return ea, eb


def _as_bool(e: Expr) -> Expr:
    if e.sort == BOOL:
        return e
    raise SpecError("an integer expression was used as a condition", user_location(),
                    "compare it, e.g. x > 0")


def _as_int(e: Expr) -> Expr:
    if e.sort == INT:
        return e
    if e.is_const:
        return const(e.value)
    return Expr(Op.B2I, (e,), INT)


# -- boolean connectives ----------------------------------------------------------
def not_(a: Value) -> Expr:
    e = _as_bool(lift(a))
    if e.is_const:
        return FALSE if e.value else TRUE
    if e.op == Op.NOT:
        return e.args[0]  # type: ignore[no-any-return]
    return Expr(Op.NOT, (e,), BOOL)


def and_(*parts: Value) -> Expr:
    return all_of(parts)


def or_(*parts: Value) -> Expr:
    return any_of(parts)


def implies(a: Value, b: Value) -> Expr:
    return or_(not_(a), b)


def all_of(parts: Iterable[Value]) -> Expr:
    """Conjunction of any number of conditions (true when empty)."""
    kept: list[Expr] = []
    for p in parts:
        e = _as_bool(lift(p))
        if e.is_const:
            if not e.value:
                return FALSE
            continue
        kept.extend(e.args if e.op == Op.AND else (e,))
    if not kept:
        return TRUE
    return kept[0] if len(kept) == 1 else Expr(Op.AND, tuple(kept), BOOL)


def any_of(parts: Iterable[Value]) -> Expr:
    """Disjunction of any number of conditions (false when empty)."""
    kept: list[Expr] = []
    for p in parts:
        e = _as_bool(lift(p))
        if e.is_const:
            if e.value:
                return TRUE
            continue
        kept.extend(e.args if e.op == Op.OR else (e,))
    if not kept:
        return FALSE
    return kept[0] if len(kept) == 1 else Expr(Op.OR, tuple(kept), BOOL)


# -- comparisons ---------------------------------------------------------------------
def _comparable(ea: Expr, eb: Expr) -> None:
    """Values of an enumeration compare only with values of the same enumeration:
    comparing with an integer would compare the value's internal code."""
    if ea.enum == eb.enum:
        return
    if ea.enum is not None and eb.enum is not None:
        raise SpecError(f"a {ea.enum.name} value is compared with a {eb.enum.name} value",
                        user_location(), "compare values of the same enumeration")
    enum, other = (ea.enum, eb) if ea.enum is not None else (eb.enum, ea)
    assert enum is not None
    got = f"the integer {other.value}" if other.is_const else "an integer expression"
    raise SpecError(f"a {enum.name} value is compared with {got}", user_location(),
                    "use one of its names: " + ", ".join(enum.values))


def eq(a: Value, b: Value) -> Expr:
    ea, eb = _pair(a, b)
    _comparable(ea, eb)
    if ea.sort != eb.sort:
        ea, eb = _as_int(ea), _as_int(eb)
    if ea.is_const and eb.is_const:
        return const(ea.value == eb.value)
    if ea is eb:
        return TRUE
    if ea.sort == BOOL:
        if eb.is_const:
            return ea if eb.value else not_(ea)
        if ea.is_const:
            return eb if ea.value else not_(eb)
    return Expr(Op.EQ, (ea, eb), BOOL)


def lt(a: Value, b: Value) -> Expr:
    ea, eb = _pair(a, b)
    _comparable(ea, eb)
    ea, eb = _as_int(ea), _as_int(eb)
    if ea.is_const and eb.is_const:
        return const(ea.value < eb.value)
    return Expr(Op.LT, (ea, eb), BOOL)


def le(a: Value, b: Value) -> Expr:
    ea, eb = _pair(a, b)
    _comparable(ea, eb)
    ea, eb = _as_int(ea), _as_int(eb)
    if ea.is_const and eb.is_const:
        return const(ea.value <= eb.value)
    return Expr(Op.LE, (ea, eb), BOOL)


# -- arithmetic ------------------------------------------------------------------------
def add(a: Value, b: Value) -> Expr:
    ea, eb = _as_int(lift(a)), _as_int(lift(b))
    if ea.is_const and eb.is_const:
        return const(ea.value + eb.value)
    if eb.is_const and eb.value == 0:
        return ea
    if ea.is_const and ea.value == 0:
        return eb
    return Expr(Op.ADD, (ea, eb), INT)


def sub(a: Value, b: Value) -> Expr:
    ea, eb = _as_int(lift(a)), _as_int(lift(b))
    if ea.is_const and eb.is_const:
        return const(ea.value - eb.value)
    if eb.is_const and eb.value == 0:
        return ea
    return Expr(Op.SUB, (ea, eb), INT)


def min_(a: Value, b: Value) -> Expr:
    ea, eb = _as_int(lift(a)), _as_int(lift(b))
    if ea.is_const and eb.is_const:
        return const(min(ea.value, eb.value))
    return Expr(Op.MIN, (ea, eb), INT, ea.enum)


def max_(a: Value, b: Value) -> Expr:
    ea, eb = _as_int(lift(a)), _as_int(lift(b))
    if ea.is_const and eb.is_const:
        return const(max(ea.value, eb.value))
    return Expr(Op.MAX, (ea, eb), INT, ea.enum)


def mul(a: Value, b: Value) -> Expr:
    ea, eb = _as_int(lift(a)), _as_int(lift(b))
    if ea.is_const and eb.is_const:
        return const(ea.value * eb.value)
    for x, y in ((ea, eb), (eb, ea)):
        if x.is_const and x.value == 1:
            return y
        if x.is_const and x.value == 0:
            return const(0)
    return Expr(Op.MUL, (ea, eb), INT)


def div(a: Value, b: Value) -> Expr:
    """``a // b``, rounding down; defined only for a positive divisor."""
    ea, eb = _as_int(lift(a)), _as_int(lift(b))
    _positive_divisor(eb, "//")
    if ea.is_const and eb.is_const:
        return const(ea.value // eb.value)
    if eb.is_const and eb.value == 1:
        return ea
    return Expr(Op.DIV, (ea, eb), INT)


def mod(a: Value, b: Value) -> Expr:
    """``a % b``, in 0..b-1; defined only for a positive divisor."""
    ea, eb = _as_int(lift(a)), _as_int(lift(b))
    _positive_divisor(eb, "%")
    if ea.is_const and eb.is_const:
        return const(ea.value % eb.value)
    return Expr(Op.MOD, (ea, eb), INT)


def _positive_divisor(divisor: Expr, operator: str) -> None:
    if divisor.is_const and divisor.value <= 0:
        raise SpecError(f"{operator} by {divisor.value}: the divisor must be positive",
                        user_location())


def must(cond: Value, value: Expr, what: str, detail: Expr | None = None) -> Expr:
    """`value`, defined only where `cond` holds; elsewhere reading it is an error
    in the model. ``what`` names the read for the message, with ``{}`` standing
    for the value of `detail` (the key or position read). Engines compute the
    value regardless and check definedness apart (`ccrverify.defined`)."""
    c = _as_bool(lift(cond))
    if c.is_const and c.value:
        return value
    return Expr(Op.MUST, (c, value, what, detail if detail is not None else const(0)),
                value.sort, value.enum)


def ite(cond: Value, then: Value, other: Value) -> Expr:
    """If-then-else on expressions: ``ite(c, a, b)`` is a when c holds, else b."""
    c = _as_bool(lift(cond))
    a, b = _pair(then, other)
    if a.sort != b.sort:
        a, b = _as_int(a), _as_int(b)
    _comparable(a, b)
    if c.is_const:
        return a if c.value else b
    if a is b or (a.is_const and b.is_const and a.value == b.value):
        return a
    if a.sort == BOOL and a.is_const and b.is_const:
        return c if a.value else not_(c)
    return Expr(Op.ITE, (c, a, b), a.sort, a.enum or b.enum)


# -- traversal -------------------------------------------------------------------------
def walk(roots: Iterable[Expr],
         children: Callable[[Expr], Iterable[object]] | None = None) -> list[Expr]:
    """Every distinct node (by identity) under the roots, children first (`children`:
    which of a node's arguments to descend into, in the order they are pushed;
    default its args, read without a call: every engine walks its expressions)."""
    seen: set[int] = set()
    order: list[Expr] = []
    stack: list[tuple[Expr, bool]] = [(r, False) for r in roots]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for child in node.args if children is None else children(node):
            if isinstance(child, Expr):
                stack.append((child, False))
    return order


def slots_used(roots: Iterable[Expr]) -> set[int]:
    return {n.args[0] for n in walk(roots) if n.op == Op.VAR}


def knob_names(e: Expr) -> set[str]:
    return {n.args[0] for n in walk([e]) if n.op == Op.KNOB}


def has_state(e: Expr) -> bool:
    return any(n.op == Op.VAR for n in walk([e]))


def substitute(root: Expr, values: dict[int, int]) -> Expr:
    """The expression with some slots replaced by constants, folded again.

    The kernel uses it to specialise updates under their guard: inside
    ``if x == 0:`` an update ``x + 1`` is the constant 1."""
    if not values:
        return root

    def replace(node: Expr) -> Expr | None:
        if node.op == Op.VAR and node.args[0] in values:
            value = values[node.args[0]]
            return const(bool(value)) if node.sort == BOOL else const(value, node.enum)
        return None

    return transform(root, replace)


def transform(root: Expr, replace: Callable[[Expr], Expr | None]) -> Expr:
    """The expression rebuilt bottom-up (folding constants again), with every node
    for which `replace` gives an expression replaced by it."""
    memo: dict[int, Expr] = {}
    for node in walk([root]):
        new = replace(node)
        if new is None:
            new = _rebuild(node, memo)
        memo[id(node)] = new
    return memo[id(root)]


def _rebuild(node: Expr, memo: dict[int, Expr]) -> Expr:
    if node.op in LEAVES:
        return node
    args = [memo[id(a)] if isinstance(a, Expr) else a for a in node.args]
    if all(a is b for a, b in zip(args, node.args, strict=True)):
        return node
    return _BUILD[node.op](*args)  # type: ignore[no-any-return]


def _rebuild_b2i(e: Expr) -> Expr:
    return _as_int(e)


# How each operator is built again from its (rebuilt) arguments, folding as it goes.
_BUILD: dict[Op, Any] = exhaustive({
    Op.CONST: const, Op.VAR: slot_ref, Op.KNOB: knob_ref,
    Op.NOT: not_, Op.AND: and_, Op.OR: or_, Op.EQ: eq, Op.LT: lt, Op.LE: le,
    Op.ADD: add, Op.SUB: sub, Op.MUL: mul, Op.DIV: div, Op.MOD: mod,
    Op.MIN: min_, Op.MAX: max_, Op.ITE: ite, Op.B2I: _rebuild_b2i, Op.MUST: must,
}, "the expression rebuilder")


def implied_values(guard: Expr) -> dict[int, int]:
    """Slot values that every state satisfying the guard has: its conjuncts
    of the form ``slot == constant``, ``flag`` and ``~flag``."""
    found: dict[int, int] = {}
    for part in guard.args if guard.op == Op.AND else (guard,):
        if part.op == Op.VAR:
            found[part.args[0]] = 1
        elif part.op == Op.NOT and part.args[0].op == Op.VAR:
            found[part.args[0].args[0]] = 0
        elif part.op == Op.EQ:
            a, b = part.args
            if a.op == Op.VAR and b.is_const:
                found[a.args[0]] = b.value
            elif b.op == Op.VAR and a.is_const:
                found[b.args[0]] = a.value
    return found
