"""State predicates evaluated on every state of a graph at once: one bool per state.

Liveness and response times need the trigger and the goal of a property in
every reachable state. On the numpy backend's graph this is one generated
numpy function over the (W, n) batch of states (`words.py`'s layout); the
python backend's states (packed ints) go one at a time through generated
Python. Partial operators give some value everywhere here:
definedness is checked by the search that built the graph and by `check` below.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ccrverify.compile import CompiledModel
from ccrverify.explicit.exprcode import NumpyWriter, PythonWriter
from ccrverify.explicit.words import WordLayout
from ccrverify.expr import Expr, slots_used

Mask = Callable[[Any], Any]


def masks(compiled: CompiledModel, exprs: Sequence[Expr], packed: bool) -> list[Mask]:
    """One function per expression: states (a (W, n) int64 batch, or a list of
    packed ints) -> a bool array."""
    return [_python(compiled, e) if packed else _numpy(compiled, e) for e in exprs]


def _numpy(compiled: CompiledModel, e: Expr) -> Mask:
    model, layout = compiled.model, WordLayout.of(compiled)
    lines = ["def mask(F):"]
    for i in sorted(slots_used([e])):
        slot, off, width = model.slots[i], layout.offset[i], layout.width[i]
        word = f"F[{layout.word[i]}]"
        text = f"({word} >> {off}) & {(1 << width) - 1}" if width else f"np.zeros_like({word})"
        lines.append(f"    v{i} = ({text}) + {slot.lo}" if slot.lo else f"    v{i} = {text}")
        lines.append(f"    b{i} = v{i} != 0")
    temps, (code,) = NumpyWriter(dict(model.knobs), "t").write([e], {})
    lines += [f"    {t}" for t in temps]
    lines.append(f"    return np.broadcast_to({code}, F.shape[1:])")
    return _compile(lines, {"np": np}, f"<ccrverify-mask {model.name}>")


def _python(compiled: CompiledModel, e: Expr) -> Mask:
    model, layout = compiled.model, compiled.layout
    lines = ["def one(st):"]
    for i in sorted(slots_used([e])):
        slot, off, width = model.slots[i], layout.offsets[i], layout.widths[i]
        lines.append(f"    v{i} = ((st >> {off}) & {(1 << width) - 1}) + {slot.lo}")
    temps, (code,) = PythonWriter(dict(model.knobs), "t").write([e], {})
    lines += [f"    {t}" for t in temps]
    lines.append(f"    return bool({code})")
    one = _compile(lines, {}, f"<ccrverify-mask {model.name}>", "one")
    return lambda states: np.fromiter((one(s) for s in states), dtype=bool,
                                      count=len(states))


def _compile(lines: list[str], namespace: dict[str, Any], filename: str,
             name: str = "mask") -> Mask:
    source = "\n".join(lines) + "\n"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)  # our own generated source
    return namespace[name]  # type: ignore[no-any-return]
