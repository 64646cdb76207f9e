"""Expressions as source code: plain Python for the per-state kernel, numpy
for the vectorised frontier. Shared subexpressions (sequence operations build
DAGs) become temporaries, so code size stays linear in the DAG."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ccrverify.lang.expr import Expr, walk

_BINARY = {"eq": "==", "lt": "<", "le": "<=", "add": "+", "sub": "-"}


class PythonWriter:
    """Python source for expressions over decoded slot locals ``v<i>``."""

    def __init__(self, knobs: dict[str, Any], temp_prefix: str) -> None:
        self.knobs = knobs
        self.prefix = temp_prefix
        self.counter = 0

    def write(self, roots: Sequence[Expr], bound: dict[int, str]) -> tuple[list[str], list[str]]:
        """Lines defining temporaries, then the code of each root. `bound` maps
        node ids already available as names (and is extended)."""
        parents: dict[int, int] = {}
        nodes = list(walk(roots))
        for node in nodes:
            for child in node.args:
                if isinstance(child, Expr):
                    parents[id(child)] = parents.get(id(child), 0) + 1
        code: dict[int, str] = {}
        lines: list[str] = []
        for node in nodes:
            if id(node) in bound:
                code[id(node)] = bound[id(node)]
                continue
            text = self._node(node, code)
            if parents.get(id(node), 0) > 1 and node.op not in ("const", "var", "knob"):
                name = f"{self.prefix}{self.counter}"
                self.counter += 1
                lines.append(f"{name} = {text}")
                bound[id(node)] = name
                text = name
            code[id(node)] = text
        return lines, [code[id(r)] for r in roots]

    def _node(self, node: Expr, code: dict[int, str]) -> str:
        op = node.op
        if op == "const":
            return str(node.value)
        if op == "var":
            return f"v{node.args[0]}"
        if op == "knob":
            return str(int(self.knobs[node.args[0]]))
        a = [code[id(x)] for x in node.args]
        if op == "not":
            return f"(not {a[0]})"
        if op == "and":
            return "(" + " and ".join(a) + ")"
        if op == "or":
            return "(" + " or ".join(a) + ")"
        if op in _BINARY:
            return f"({a[0]} {_BINARY[op]} {a[1]})"
        if op in ("min", "max"):
            return f"{op}({a[0]}, {a[1]})"
        if op == "ite":
            return f"({a[1]} if {a[0]} else {a[2]})"
        if op == "b2i":
            return f"(1 if {a[0]} else 0)"
        raise ValueError(f"unknown operator {op}")




class NumpyWriter(PythonWriter):
    """The same expressions over numpy arrays, one element per state: booleans
    are bool arrays, integers int64 arrays; slot locals are ``v<i>`` (int64) and
    ``b<i>`` (bool, for boolean slots)."""

    def _node(self, node: Expr, code: dict[int, str]) -> str:
        op = node.op
        if op == "const":
            if node.sort == "bool":
                return "np.True_" if node.value else "np.False_"
            return str(node.value)
        if op == "var":
            return f"b{node.args[0]}" if node.sort == "bool" else f"v{node.args[0]}"
        if op == "knob":
            return str(int(self.knobs[node.args[0]]))
        a = [code[id(x)] for x in node.args]
        if op == "not":
            return f"(~{a[0]})"
        if op == "and":
            return "(" + " & ".join(a) + ")"
        if op == "or":
            return "(" + " | ".join(a) + ")"
        if op in _BINARY:
            return f"({a[0]} {_BINARY[op]} {a[1]})"
        if op == "min":
            return f"np.minimum({a[0]}, {a[1]})"
        if op == "max":
            return f"np.maximum({a[0]}, {a[1]})"
        if op == "ite":
            return f"np.where({a[0]}, {a[1]}, {a[2]})"
        if op == "b2i":
            return f"np.asarray({a[0]}, dtype=np.int64)"
        raise ValueError(f"unknown operator {op}")
