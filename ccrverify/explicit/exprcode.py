"""Expressions as source code: plain Python for the per-state kernel, numpy
for the vectorised frontier. Shared subexpressions (sequence operations build
DAGs) become temporaries, so code size stays linear in the DAG; so do deeply
nested ones, because Python's parser refuses ~200 nested parentheses.

Generated code is total: a partial operator (`ccrverify.ops`) gives some value
everywhere (a division by a non-positive number gives 0), because temporaries
are evaluated eagerly; the kernels check definedness separately.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ccrverify.expr import Expr, walk
from ccrverify.ops import Op, exhaustive

MAX_NESTING = 40  # parenthesised levels before a subexpression becomes a temporary

_Code = Callable[[Expr, list[str], dict[str, Any]], str]


def _infix(symbol: str) -> _Code:
    return lambda n, a, k: f"({a[0]} {symbol} {a[1]})"


def _knob(n: Expr, a: list[str], knobs: dict[str, Any]) -> str:
    return str(int(knobs[n.args[0]]))


PYTHON: dict[Op, _Code] = exhaustive({
    Op.CONST: lambda n, a, k: str(n.value),
    Op.VAR: lambda n, a, k: f"v{n.args[0]}",
    Op.KNOB: _knob,
    Op.NOT: lambda n, a, k: f"(not {a[0]})",
    Op.AND: lambda n, a, k: "(" + " and ".join(a) + ")",
    Op.OR: lambda n, a, k: "(" + " or ".join(a) + ")",
    Op.EQ: _infix("=="), Op.LT: _infix("<"), Op.LE: _infix("<="),
    Op.ADD: _infix("+"), Op.SUB: _infix("-"), Op.MUL: _infix("*"),
    Op.DIV: lambda n, a, k: f"(({a[0]}) // ({a[1]}) if ({a[1]}) > 0 else 0)",
    Op.MOD: lambda n, a, k: f"(({a[0]}) % ({a[1]}) if ({a[1]}) > 0 else 0)",
    Op.MIN: lambda n, a, k: f"min({a[0]}, {a[1]})",
    Op.MAX: lambda n, a, k: f"max({a[0]}, {a[1]})",
    Op.ITE: lambda n, a, k: f"({a[1]} if {a[0]} else {a[2]})",
    Op.B2I: lambda n, a, k: f"(1 if {a[0]} else 0)",
    Op.MUST: lambda n, a, k: a[1],
}, "the Python kernel")

# Booleans are bool arrays, integers int64 arrays; `b<i>` is a boolean slot.
NUMPY: dict[Op, _Code] = exhaustive({
    Op.CONST: lambda n, a, k: ("np.True_" if n.value else "np.False_") if n.sort == "bool"
    else str(n.value),
    Op.VAR: lambda n, a, k: f"b{n.args[0]}" if n.sort == "bool" else f"v{n.args[0]}",
    Op.KNOB: _knob,
    # Not `~`: on a Python bool (a comparison of two constants, say) it gives -2 or -1.
    Op.NOT: lambda n, a, k: f"np.logical_not({a[0]})",
    Op.AND: lambda n, a, k: "(" + " & ".join(a) + ")",
    Op.OR: lambda n, a, k: "(" + " | ".join(a) + ")",
    Op.EQ: _infix("=="), Op.LT: _infix("<"), Op.LE: _infix("<="),
    Op.ADD: _infix("+"), Op.SUB: _infix("-"), Op.MUL: _infix("*"),
    Op.DIV: lambda n, a, k: f"np.floor_divide({a[0]}, np.maximum({a[1]}, 1))",
    Op.MOD: lambda n, a, k: f"np.mod({a[0]}, np.maximum({a[1]}, 1))",
    Op.MIN: lambda n, a, k: f"np.minimum({a[0]}, {a[1]})",
    Op.MAX: lambda n, a, k: f"np.maximum({a[0]}, {a[1]})",
    Op.ITE: lambda n, a, k: f"np.where({a[0]}, {a[1]}, {a[2]})",
    Op.B2I: lambda n, a, k: f"np.asarray({a[0]}, dtype=np.int64)",
    Op.MUST: lambda n, a, k: a[1],
}, "the numpy kernel")


class PythonWriter:
    """Python source for expressions over decoded slot locals ``v<i>``."""

    table = PYTHON

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
        nesting: dict[int, int] = {}
        lines: list[str] = []
        for node in nodes:
            if id(node) in bound:
                code[id(node)] = bound[id(node)]
                nesting[id(node)] = 0
                continue
            children = [a for a in node.args if isinstance(a, Expr)]
            text = self.table[node.op](node, [code[id(a)] for a in children], self.knobs)
            depth = 1 + max((nesting[id(a)] for a in children), default=0)
            shared = parents.get(id(node), 0) > 1
            if (shared or depth > MAX_NESTING) and node.op not in (Op.CONST, Op.VAR, Op.KNOB):
                name = f"{self.prefix}{self.counter}"
                self.counter += 1
                lines.append(f"{name} = {text}")
                bound[id(node)] = name
                text, depth = name, 0
            code[id(node)] = text
            nesting[id(node)] = depth
        return lines, [code[id(r)] for r in roots]


class NumpyWriter(PythonWriter):
    """The same expressions over numpy arrays, one element per state."""

    table = NUMPY
