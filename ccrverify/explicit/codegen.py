"""Generate the explicit-state kernel as Python source.

For a compiled model with concrete knobs this writes straight-line code: a
state is one packed int; each used slot is decoded once per state into a
local; each action instance is an ``if guard:`` block that builds the
successor by adding per-slot deltas, ``st + ((new - old) << offset)``. The
BFS expansion loop is generated around those blocks, because a Python call
per successor costs 25-45% (DESIGN.md). Shared subexpressions (sequence
operations build DAGs) become temporaries so code size stays linear.
The source is registered in `linecache`, so tracebacks show it.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ccrverify.compile import CompiledModel
from ccrverify.errors import ModelError
from ccrverify.explicit.exprcode import PythonWriter
from ccrverify.expr import Expr, implied_values, slots_used, substitute
from ccrverify.intervals import interval
from ccrverify.model import PropertyKind
from ccrverify.ops import Op


@dataclass(frozen=True)
class KernelSource:
    source: str
    filename: str


class _Generator:
    def __init__(self, compiled: CompiledModel) -> None:
        self.compiled = compiled
        self.model = compiled.model
        self.layout = compiled.layout
        self.knobs = dict(self.model.knobs)
        self.lines: list[str] = []

    def emit(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)

    def decode(self, indent: int, slots: Iterable[int]) -> None:
        for i in sorted(slots):
            meta, off, width = self.model.slots[i], self.layout.offsets[i], self.layout.widths[i]
            if width == 0:
                self.emit(indent, f"v{i} = {meta.lo}")
                continue
            shifted = f"(st >> {off})" if off else "st"
            text = f"{shifted} & {(1 << width) - 1}"
            if off + width == self.layout.bits:
                text = f"st >> {off}"
            self.emit(indent, f"v{i} = ({text}) + {meta.lo}" if meta.lo else f"v{i} = {text}")

    def slots_of_actions(self) -> set[int]:
        """Slots read by a guard or an update, or written (their delta needs the old value)."""
        roots: list[Expr] = []
        written: set[int] = set()
        for a in self.model.actions:
            roots.append(a.guard)
            roots.extend(e for _, e in a.updates)
            written.update(s for s, _ in a.updates)
        return slots_used(roots) | written

    def action_block(self, indent: int, index: int, on_successor: Callable[[int], None]) -> None:
        """``if guard:`` then ``n = successor``, then whatever on_successor emits."""
        action = self.model.actions[index]
        loc = action.location
        self.emit(indent, f"# [{index}] {action.label}" + (f"  ({loc})" if loc else ""))
        writer = PythonWriter(self.knobs, f"g{index}_")
        bound: dict[int, str] = {}
        if action.defined_guard is not None:
            self.check_defined(indent, writer, action.defined_guard, bound)
        temps, (guard,) = writer.write([action.guard], bound)
        for line in temps:
            self.emit(indent, line)
        self.emit(indent, f"if {guard}:")
        # Under the guard some slots are known constants: fold them into the
        # updates, so most successors are `st` plus one constant.
        known = implied_values(action.guard)
        if action.defined_updates is not None:
            self.check_defined(indent + 1, writer, substitute(action.defined_updates, known),
                               bound)
        updates = [(s, substitute(e, known)) for s, e in action.updates
                   if not (e.op == Op.VAR and e.args[0] == s)]
        temps, values = writer.write([e for _, e in updates], bound)
        for line in temps:
            self.emit(indent + 1, line)
        constant_delta = 0
        deltas = []
        for (slot, e), value in zip(updates, values, strict=True):
            meta, off = self.model.slots[slot], self.layout.offsets[slot]
            lo, hi = interval(e, self._slot_bounds, {})
            if lo < meta.lo or hi > meta.hi:
                name = f"u{index}_{slot}"
                self.emit(indent + 1, f"{name} = {value}")
                self.emit(indent + 1, f"if {name} < {meta.lo} or {name} > {meta.hi}: "
                                      "_state_error(st)")
                value = name
            if self.layout.widths[slot] == 0:
                continue
            if e.is_const and slot in known:
                constant_delta += (e.value - known[slot]) << off
                continue
            shift = f" << {off}" if off else ""
            deltas.append(f"(({value} - v{slot}){shift})")
        if constant_delta:
            deltas.append(str(constant_delta) if constant_delta > 0 else f"({constant_delta})")
        self.emit(indent + 1, "n = st" + "".join(f" + {d}" for d in deltas))
        on_successor(indent + 1)

    def check_defined(self, indent: int, writer: PythonWriter, condition: Expr,
                      bound: dict[int, str]) -> None:
        """Stop with the state where evaluating something is undefined."""
        temps, (code,) = writer.write([condition], bound)
        for line in temps:
            self.emit(indent, line)
        self.emit(indent, f"if not {code}: _state_error(st)")

    def _slot_bounds(self, slot: int) -> tuple[int, int]:
        meta = self.model.slots[slot]
        return meta.lo, meta.hi

    # -- the functions ---------------------------------------------------------------
    def expand(self) -> None:
        self.emit(0, "def expand(frontier, seen, out):")
        self.emit(1, '"""Successors of every state in frontier; new ones go to seen and out."""')
        self.emit(1, "ntrans = 0")
        self.emit(1, "dead = []")
        self.emit(1, "push = out.append")
        self.emit(1, "for st in frontier:")
        self.decode(2, self.slots_of_actions())
        self.emit(2, "before = ntrans")

        def record(indent: int) -> None:
            self.emit(indent, "ntrans += 1")
            self.emit(indent, "if n not in seen:")
            self.emit(indent + 1, "seen[n] = st")
            self.emit(indent + 1, "push(n)")

        for i in range(len(self.model.actions)):
            self.action_block(2, i, record)
        self.emit(2, "if ntrans == before:")
        self.emit(3, "dead.append(st)")
        self.emit(1, "return ntrans, dead")
        self.emit(0, "")

    def successors(self) -> None:
        self.emit(0, "def successors(st):")
        self.emit(1, '"""Every enabled action instance with its successor: [(index, state)]."""')
        self.emit(1, "result = []")
        self.decode(1, self.slots_of_actions())
        for i in range(len(self.model.actions)):
            def collect(indent: int, i: int = i) -> None:
                self.emit(indent, f"result.append(({i}, n))")

            self.action_block(1, i, collect)
        self.emit(1, "return result")
        self.emit(0, "")

    def check(self) -> None:
        props = self.model.properties
        self.emit(0, "def check(states, pending):")
        self.emit(1, '"""The first state violating each pending property: [(index, state)]."""')
        self.emit(1, "found = []")
        if not props:
            self.emit(1, "return found")
            return
        names = [f"p{i}" for i in range(len(props))]
        invariants = [i for i, p in enumerate(props) if p.kind == PropertyKind.INVARIANT]
        self.emit(1, f"{', '.join(names)}, = pending")
        if not invariants:  # deadlocks are found by expansion, not here
            self.emit(1, "return found")
            return
        self.emit(1, "for st in states:")
        self.decode(2, slots_used([props[i].predicate for i in invariants]))
        writer = PythonWriter(self.knobs, "c")
        for i in invariants:
            prop = props[i]
            temps, (code,) = writer.write([prop.predicate], {})
            self.emit(2, f"# {prop.name}")
            self.emit(2, f"if p{i}:")
            if prop.defined is not None:
                self.check_defined(3, writer, prop.defined, {})
            for line in temps:
                self.emit(3, line)
            self.emit(3, f"if not {code}:")
            self.emit(4, f"found.append(({i}, st))")
            self.emit(4, f"p{i} = False")
        self.emit(2, f"if not ({' or '.join(names[i] for i in invariants)}):")
        self.emit(3, "break")
        self.emit(1, "return found")
        self.emit(0, "")


def generate(compiled: CompiledModel) -> KernelSource:
    model = compiled.model
    if model.symbolic_knobs:
        raise ModelError("the explicit engine needs concrete knobs; "
                         f"{', '.join(model.symbolic_knobs)} are symbolic")
    gen = _Generator(compiled)
    gen.emit(0, f"# Kernel generated by ccrverify for model {model.name}, knobs "
                f"{dict(sorted(model.knobs.items()))}")
    gen.emit(0, f"# State: {compiled.layout.bits} bits in one int; v<i> is slot i.")
    for i, slot in enumerate(model.slots):
        gen.emit(0, f"#   v{i}: {slot.name} "
                    f"(bits {compiled.layout.offsets[i]}..+{compiled.layout.widths[i]})")
    gen.emit(0, "")
    gen.expand()
    gen.successors()
    gen.check()
    filename = f"<ccrverify-kernel {model.name} {model.source_hash}>"
    return KernelSource("\n".join(gen.lines) + "\n", filename)


@dataclass(frozen=True)
class Kernel:
    """The generated functions of one compiled model."""

    source: KernelSource
    expand: Callable[[list[int], dict[int, Any], list[int]], tuple[int, list[int]]]
    successors: Callable[[int], list[tuple[int, int]]]
    check: Callable[[list[int], list[bool]], list[tuple[int, int]]]


class StateError(Exception):
    """Raised by generated code: evaluating something in `state` is undefined, or an
    update leaves its domain. The engine turns it into an `EvaluationError` with
    the trace that reaches the state (`ccrverify.trace.evaluation_error`)."""

    def __init__(self, state: int) -> None:
        super().__init__(state)
        self.state = state


def _state_error(state: int) -> None:
    raise StateError(state)


def build_kernel(compiled: CompiledModel) -> Kernel:
    source = generate(compiled)
    namespace: dict[str, Any] = {"_state_error": _state_error}
    code = compile(source.source, source.filename, "exec")
    linecache.cache[source.filename] = (len(source.source), None,
                                        source.source.splitlines(True), source.filename)
    exec(code, namespace)  # our own generated source, never user data
    return Kernel(source, namespace["expand"], namespace["successors"], namespace["check"])
