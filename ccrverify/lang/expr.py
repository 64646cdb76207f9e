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

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Union

from ccrverify.errors import SpecError, user_location

if TYPE_CHECKING:
    from ccrverify.lang.domain import Enum

BOOL = "bool"
INT = "int"

Value = Union["Expr", bool, int, str]

# op -> Python-independent meaning; the engines translate exactly these.
BOOL_OPS = {"not", "and", "or", "eq", "ne", "lt", "le"}
INT_OPS = {"add", "sub", "min", "max", "b2i"}


class Expr:
    """One node of an expression tree. Build with the helpers below, not directly."""

    __slots__ = ("op", "args", "sort", "enum")

    def __init__(self, op: str, args: tuple[Any, ...], sort: str, enum: Enum | None = None):
        self.op = op
        self.args = args
        self.sort = sort
        self.enum = enum

    # -- inspection ---------------------------------------------------------
    @property
    def is_const(self) -> bool:
        return self.op == "const"

    @property
    def value(self) -> int:
        assert self.op == "const"
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


# -- leaves -------------------------------------------------------------------
TRUE = Expr("const", (1,), BOOL)
FALSE = Expr("const", (0,), BOOL)


def const(value: int | bool, enum: Enum | None = None) -> Expr:
    if isinstance(value, bool):
        return TRUE if value else FALSE
    return Expr("const", (int(value),), INT, enum)


def slot_ref(slot: int, sort: str, enum: Enum | None = None) -> Expr:
    return Expr("var", (slot,), sort, enum)


def knob_ref(name: str, sort: str = INT) -> Expr:
    return Expr("knob", (name,), sort)


def lift(value: Value, like: Expr | None = None) -> Expr:
    """Turn a Python constant into an Expr; strings need an enum to compare with."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, str):
        if like is None or like.enum is None:
            raise SpecError(
                f"the string {value!r} is not a value here",
                user_location(),
                "strings are only enumeration values; compare them with an enum variable",
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
    return Expr("b2i", (e,), INT)


# -- boolean connectives ----------------------------------------------------------
def not_(a: Value) -> Expr:
    e = _as_bool(lift(a))
    if e.is_const:
        return FALSE if e.value else TRUE
    if e.op == "not":
        return e.args[0]  # type: ignore[no-any-return]
    return Expr("not", (e,), BOOL)


def and_(*parts: Value) -> Expr:
    return all_of(parts)


def or_(*parts: Value) -> Expr:
    return any_of(parts)


def all_of(parts: Iterable[Value]) -> Expr:
    """Conjunction of any number of conditions (true when empty)."""
    kept: list[Expr] = []
    for p in parts:
        e = _as_bool(lift(p))
        if e.is_const:
            if not e.value:
                return FALSE
            continue
        kept.extend(e.args if e.op == "and" else (e,))
    if not kept:
        return TRUE
    return kept[0] if len(kept) == 1 else Expr("and", tuple(kept), BOOL)


def any_of(parts: Iterable[Value]) -> Expr:
    """Disjunction of any number of conditions (false when empty)."""
    kept: list[Expr] = []
    for p in parts:
        e = _as_bool(lift(p))
        if e.is_const:
            if e.value:
                return TRUE
            continue
        kept.extend(e.args if e.op == "or" else (e,))
    if not kept:
        return FALSE
    return kept[0] if len(kept) == 1 else Expr("or", tuple(kept), BOOL)


# -- comparisons ---------------------------------------------------------------------
def eq(a: Value, b: Value) -> Expr:
    ea, eb = _pair(a, b)
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
    return Expr("eq", (ea, eb), BOOL)


def lt(a: Value, b: Value) -> Expr:
    ea, eb = _pair(a, b)
    ea, eb = _as_int(ea), _as_int(eb)
    if ea.is_const and eb.is_const:
        return const(ea.value < eb.value)
    return Expr("lt", (ea, eb), BOOL)


def le(a: Value, b: Value) -> Expr:
    ea, eb = _pair(a, b)
    ea, eb = _as_int(ea), _as_int(eb)
    if ea.is_const and eb.is_const:
        return const(ea.value <= eb.value)
    return Expr("le", (ea, eb), BOOL)


# -- arithmetic ------------------------------------------------------------------------
def add(a: Value, b: Value) -> Expr:
    ea, eb = _as_int(lift(a)), _as_int(lift(b))
    if ea.is_const and eb.is_const:
        return const(ea.value + eb.value)
    if eb.is_const and eb.value == 0:
        return ea
    if ea.is_const and ea.value == 0:
        return eb
    return Expr("add", (ea, eb), INT)


def sub(a: Value, b: Value) -> Expr:
    ea, eb = _as_int(lift(a)), _as_int(lift(b))
    if ea.is_const and eb.is_const:
        return const(ea.value - eb.value)
    if eb.is_const and eb.value == 0:
        return ea
    return Expr("sub", (ea, eb), INT)


def min_(a: Value, b: Value) -> Expr:
    ea, eb = _as_int(lift(a)), _as_int(lift(b))
    if ea.is_const and eb.is_const:
        return const(min(ea.value, eb.value))
    return Expr("min", (ea, eb), INT, ea.enum)


def max_(a: Value, b: Value) -> Expr:
    ea, eb = _as_int(lift(a)), _as_int(lift(b))
    if ea.is_const and eb.is_const:
        return const(max(ea.value, eb.value))
    return Expr("max", (ea, eb), INT, ea.enum)


def ite(cond: Value, then: Value, other: Value) -> Expr:
    """If-then-else on expressions: ``ite(c, a, b)`` is a when c holds, else b."""
    c = _as_bool(lift(cond))
    a, b = _pair(then, other)
    if a.sort != b.sort:
        a, b = _as_int(a), _as_int(b)
    if c.is_const:
        return a if c.value else b
    if a is b or (a.is_const and b.is_const and a.value == b.value):
        return a
    if a.sort == BOOL and a.is_const and b.is_const:
        return c if a.value else not_(c)
    return Expr("ite", (c, a, b), a.sort, a.enum or b.enum)


# -- traversal -------------------------------------------------------------------------
def walk(roots: Iterable[Expr]) -> Iterable[Expr]:
    """Every distinct node (by identity) under the roots, children first."""
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
        for child in node.args:
            if isinstance(child, Expr):
                stack.append((child, False))
    return order


def slots_used(roots: Iterable[Expr]) -> set[int]:
    return {n.args[0] for n in walk(roots) if n.op == "var"}


def knob_names(e: Expr) -> set[str]:
    return {n.args[0] for n in walk([e]) if n.op == "knob"}


def has_state(e: Expr) -> bool:
    return any(n.op == "var" for n in walk([e]))


def substitute(root: Expr, values: dict[int, int]) -> Expr:
    """The expression with some slots replaced by constants, folded again.

    The kernel uses it to specialise updates under their guard: inside
    ``if x == 0:`` an update ``x + 1`` is the constant 1."""
    if not values:
        return root
    memo: dict[int, Expr] = {}
    for node in walk([root]):
        memo[id(node)] = _rebuild(node, memo, values)
    return memo[id(root)]


def _rebuild(node: Expr, memo: dict[int, Expr], values: dict[int, int]) -> Expr:
    op = node.op
    if op == "var":
        slot = node.args[0]
        if slot in values:
            return const(bool(values[slot])) if node.sort == BOOL else const(values[slot])
        return node
    if op in ("const", "knob"):
        return node
    args = [memo[id(a)] for a in node.args]
    if all(a is b for a, b in zip(args, node.args, strict=True)):
        return node
    build = {"not": not_, "eq": eq, "lt": lt, "le": le, "add": add, "sub": sub, "min": min_,
             "max": max_, "ite": ite, "b2i": _as_int}
    if op == "and":
        return all_of(args)
    if op == "or":
        return any_of(args)
    return build[op](*args)  # type: ignore[operator, no-any-return]


def implied_values(guard: Expr) -> dict[int, int]:
    """Slot values that every state satisfying the guard has: its conjuncts
    of the form ``slot == constant``, ``flag`` and ``~flag``."""
    found: dict[int, int] = {}
    for part in guard.args if guard.op == "and" else (guard,):
        if part.op == "var":
            found[part.args[0]] = 1
        elif part.op == "not" and part.args[0].op == "var":
            found[part.args[0].args[0]] = 0
        elif part.op == "eq":
            a, b = part.args
            if a.op == "var" and b.is_const:
                found[a.args[0]] = b.value
            elif b.op == "var" and a.is_const:
                found[b.args[0]] = a.value
    return found
