"""CompiledModel: a built model with its state layout, and a reference
interpreter of its expressions.

The interpreter is deliberately simple and independent of the generated
kernel: `replay()` runs every reported trace through it, so a codegen or
encoding bug shows up as a replay failure instead of a wrong answer.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ccrverify.errors import ModelError
from ccrverify.lang.expr import Expr, walk
from ccrverify.model import ActionInstance, Model
from ccrverify.state import StateLayout, decode_variables


def evaluate(root: Expr, values: Sequence[int], knobs: Mapping[str, Any]) -> int:
    """The value of an expression in a state (booleans as 0/1)."""
    memo: dict[int, int] = {}
    for node in walk([root]):
        memo[id(node)] = _eval_node(node, memo, values, knobs)
    return memo[id(root)]


def _eval_node(node: Expr, memo: dict[int, int], values: Sequence[int],
               knobs: Mapping[str, Any]) -> int:
    op, args = node.op, node.args
    if op == "const":
        return int(args[0])
    if op == "var":
        return int(values[args[0]])
    if op == "knob":
        return int(knobs[args[0]])
    a = [memo[id(x)] for x in args]
    if op == "not":
        return int(not a[0])
    if op == "and":
        return int(all(a))
    if op == "or":
        return int(any(a))
    if op == "eq":
        return int(a[0] == a[1])
    if op == "lt":
        return int(a[0] < a[1])
    if op == "le":
        return int(a[0] <= a[1])
    if op == "add":
        return a[0] + a[1]
    if op == "sub":
        return a[0] - a[1]
    if op == "min":
        return min(a)
    if op == "max":
        return max(a)
    if op == "ite":
        return a[1] if a[0] else a[2]
    if op == "b2i":
        return int(bool(a[0]))
    raise ValueError(f"unknown operator {op}")


def out_of_domain(model: Model, action: int, slot: int, value: int) -> ModelError:
    """The error for an update that leaves its slot's domain (every engine raises it)."""
    instance, meta = model.actions[action], model.slots[slot]
    return ModelError(f"in action {instance.label}: {meta.name} would become {value}, "
                      f"outside {meta.lo}..{meta.hi}", instance.location_of_update(slot),
                      "guard the action or saturate the value")


@dataclass(frozen=True)
class CompiledModel:
    model: Model
    layout: StateLayout

    @property
    def actions(self) -> tuple[ActionInstance, ...]:
        return self.model.actions

    def init_values(self) -> list[list[int]]:
        """Every initial state as a list of slot values, in a stable order."""
        rows_per_group = []
        for group in self.model.init:
            rows_per_group.append([
                [evaluate(e, [], self.model.knobs) for e in row] for row in group.alternatives])
        states = []
        for combo in itertools.product(*rows_per_group):
            values = [0] * len(self.model.slots)
            for group, row in zip(self.model.init, combo, strict=True):
                for slot, v in zip(group.slots, row, strict=True):
                    values[slot] = v
            states.append(values)
        return states

    def init_states(self) -> list[int]:
        return [self.layout.pack(v) for v in self.init_values()]

    def next_values(self, values: Sequence[int], action: int) -> list[int] | None:
        """The successor by one action instance, or None when it is disabled."""
        instance = self.model.actions[action]
        knobs = self.model.knobs
        if not evaluate(instance.guard, values, knobs):
            return None
        new = list(values)
        for slot, e in instance.updates:
            v = evaluate(e, values, knobs)
            meta = self.model.slots[slot]
            if not meta.lo <= v <= meta.hi:
                raise out_of_domain(self.model, action, slot, v)
            new[slot] = v
        return new

    def holds(self, values: Sequence[int], prop: int) -> bool:
        return bool(evaluate(self.model.properties[prop].predicate, values, self.model.knobs))

    def decode(self, state: int) -> dict[str, Any]:
        return decode_variables(self.model, self.layout.unpack(state))


def compile_model(model: Model) -> CompiledModel:
    return CompiledModel(model, StateLayout.of(model))
