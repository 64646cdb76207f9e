"""The one vocabulary of expression operators.

Every `Expr` node carries one of these. Each translator (the reference
interpreter, the two generated kernels, the Z3 encoding, interval analysis,
the rebuilder, the exporters) is a table from operator to translation, made
with `exhaustive`, so a translator that misses an operator fails when its
module is imported, not when a model happens to use the operator
(Quint's ``builtinOpCodes`` is the model: one list, every backend walks it).

Semantics, shared by every engine:
- booleans are 0/1 where an integer is needed (``B2I``);
- ``AND``/``OR`` and ``ITE`` evaluate left to right and short-circuit, which
  matters only for definedness (`ccrverify.defined`): ``x < n & a[x] == 0``
  never reads ``a`` out of range;
- ``DIV``/``MOD`` round towards minus infinity (Python's ``//`` and ``%``, and
  Z3's ``div``/``mod`` for a positive divisor) and are defined only for a
  positive divisor;
- ``MUST(cond, value, what)`` is ``value``, defined only where ``cond`` holds
  (a map read at a key outside its index, a sequence read past its length);
  ``what`` says what was read, for the error message.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar


class Op(StrEnum):
    CONST = "const"
    VAR = "var"
    KNOB = "knob"
    NOT = "not"
    AND = "and"
    OR = "or"
    EQ = "eq"
    LT = "lt"
    LE = "le"
    ADD = "add"
    SUB = "sub"
    MUL = "mul"
    DIV = "div"
    MOD = "mod"
    MIN = "min"
    MAX = "max"
    ITE = "ite"
    B2I = "b2i"
    MUST = "must"


LEAVES = frozenset({Op.CONST, Op.VAR, Op.KNOB})
BOOL_OPS = frozenset({Op.NOT, Op.AND, Op.OR, Op.EQ, Op.LT, Op.LE})
INT_OPS = frozenset({Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MOD, Op.MIN, Op.MAX, Op.B2I})

T = TypeVar("T")


class MissingOperator(Exception):
    """A translator table does not cover the whole vocabulary (a ccrverify bug)."""


def exhaustive(table: Mapping[Op, T], translator: str) -> dict[Op, T]:
    """The table, checked to translate every operator exactly once."""
    missing = [op.value for op in Op if op not in table]
    if missing:
        raise MissingOperator(f"{translator} has no translation for {', '.join(missing)}")
    return dict(table)
