"""Formulas in the model's own vocabulary.

An invariant found by Spacer is a z3 formula over the constants named after
slots (``role[A]``, ``log[B].len``) and knobs. `show` prints it with the
model's names: comparisons of an enumeration slot with a constant become its
value names (``role[A] = active``, ``role[B] ∈ {passive, offline}``), booleans
read as conditions, and linear arithmetic as ``a - b <= 1``. Top-level
conjuncts are returned one per line, which is how an inductive invariant
reads best: a list of lemmas.
"""

from __future__ import annotations

from collections.abc import Mapping

from ccrverify.model import Model, Slot
from ccrverify.symbolic.z3api import Node

_CMP = {"=": "=", "<=": "<=", "<": "<", ">=": ">=", ">": ">", "distinct": "≠"}
_FLIP = {"<=": ">=", "<": ">", ">=": "<=", ">": "<", "=": "=", "distinct": "distinct"}
_TEST = {"=": lambda a, b: a == b, "<=": lambda a, b: a <= b, "<": lambda a, b: a < b,
         ">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "distinct": lambda a, b: a != b}


class Printer:
    def __init__(self, model: Model, symbols: Mapping[str, str] | None = None) -> None:
        self.slots: dict[str, Slot] = {s.name: s for s in model.slots}
        # z3 symbol -> name to print (knobs renamed to avoid a slot's name)
        self.names = {sym: name for name, sym in (symbols or {}).items()}

    def lemmas(self, node: Node) -> list[str]:
        """The formula as a list of conjuncts, each printed on its own."""
        parts = node.args if node.op == "and" else (node,)
        return [self.show(p) for p in parts]

    def show(self, node: Node, parent: str = "") -> str:
        op = node.op
        if op == "var":
            return self.names.get(node.name, node.name)
        if op == "int":
            return str(node.value)
        if op == "bool":
            return "true" if node.value else "false"
        if op == "not":
            return self._not(node.args[0])
        if op in ("and", "or", "=>"):
            joiner = {"and": " ∧ ", "or": " ∨ ", "=>": " ⇒ "}[op]
            text = joiner.join(self.show(a, op) for a in node.args)
            return f"({text})" if parent else text
        if op in _CMP and len(node.args) == 2:
            return self._compare(op, node.args[0], node.args[1])
        if op == "+":
            return self._sum(node, parent)
        if op == "*" and len(node.args) == 2 and node.args[0].op == "int":
            coefficient, x = node.args[0].value, self.show(node.args[1], "*")
            return f"-{x}" if coefficient == -1 else f"{coefficient}·{x}"
        if op == "-" and len(node.args) == 1:
            return f"-{self.show(node.args[0], '-')}"
        if op == "if":
            cond, then, other = (self.show(x, "if") for x in node.args)
            return f"(if {cond} then {then} else {other})"
        args = ", ".join(self.show(a) for a in node.args)
        return f"{op}({args})"

    def _not(self, inner: Node) -> str:
        if inner.op == "=" and len(inner.args) == 2:
            return self._compare("distinct", inner.args[0], inner.args[1])
        if inner.op in ("<=", "<", ">=", ">") and len(inner.args) == 2:
            negated = {"<=": ">", "<": ">=", ">=": "<", ">": "<="}[inner.op]
            return self._compare(negated, inner.args[0], inner.args[1])
        return "¬" + self.show(inner, "not")

    def _compare(self, op: str, a: Node, b: Node) -> str:
        if b.op == "var" and a.op == "int":
            a, b, op = b, a, _FLIP[op]
        slot = self.slots.get(a.name) if a.op == "var" else None
        if slot is not None and slot.enum is not None and b.op == "int":
            values = [v for code, v in enumerate(slot.enum.values) if _TEST[op](code, b.value)]
            name = self.show(a)
            if len(values) == 1:
                return f"{name} = {values[0]}"
            rest = [v for v in slot.enum.values if v not in values]
            if len(rest) == 1:
                return f"{name} ≠ {rest[0]}"
            return f"{name} ∈ {{{', '.join(values)}}}"
        if slot is not None and slot.sort == "bool" and b.op == "bool":
            return self.show(a) if (b.value == 1) == (op == "=") else f"¬{self.show(a)}"
        return f"{self.show(a, op)} {_CMP[op]} {self.show(b, op)}"

    def _sum(self, node: Node, parent: str) -> str:
        text = ""
        for i, term in enumerate(node.args):
            shown = self.show(term, "+")
            if i and shown.startswith("-"):
                text += f" - {shown[1:]}"
            else:
                text += (" + " if i else "") + shown
        return f"({text})" if parent in ("*", "-") else text
