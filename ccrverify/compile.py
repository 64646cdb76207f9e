"""CompiledModel: a built model with its state layout, and a reference
interpreter of its expressions.

The interpreter is deliberately simple and independent of the generated
kernel: `replay()` runs every reported trace through it, so a codegen or
encoding bug shows up as a replay failure instead of a wrong answer.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ccrverify.defined import PARTIAL, first_undefined
from ccrverify.errors import EvaluationError, Location, ModelError
from ccrverify.expr import Expr, walk
from ccrverify.model import ActionInstance, Model
from ccrverify.ops import Op, exhaustive
from ccrverify.state import StateLayout, decode_variables


def evaluate(root: Expr, values: Sequence[int], knobs: Mapping[str, Any]) -> int:
    """The value of an expression in a state (booleans as 0/1). Partial operators
    give their value regardless; `Interpreter.checked` also checks definedness."""
    return Interpreter(knobs).values(root, values)[id(root)]


class Interpreter:
    """Evaluates expressions node by node; remembers each root's node order."""

    def __init__(self, knobs: Mapping[str, Any]) -> None:
        self.knobs = knobs
        self._order: dict[int, tuple[list[Expr], bool]] = {}  # root -> (nodes, has partial)

    def _nodes(self, root: Expr) -> tuple[list[Expr], bool]:
        found = self._order.get(id(root))
        if found is None:
            nodes = list(walk([root]))
            found = self._order[id(root)] = (nodes, any(n.op in PARTIAL for n in nodes))
        return found

    def values(self, root: Expr, values: Sequence[int]) -> dict[int, int]:
        """The value of every node under `root` (node id -> value)."""
        memo: dict[int, int] = {}
        knobs = self.knobs
        for node in self._nodes(root)[0]:
            memo[id(node)] = _EVAL[node.op](node, [memo[id(a)] for a in node.args
                                                   if isinstance(a, Expr)], values, knobs)
        return memo

    def checked(self, root: Expr, values: Sequence[int], context: str,
                location: Location | None) -> int:
        """The value of `root`, after checking that evaluating it left to right reads
        nothing undefined (else an `EvaluationError`)."""
        memo = self.values(root, values)
        if self._nodes(root)[1]:
            bad = first_undefined(root, memo)
            if bad is not None:
                hint = ("guard the read: check the key or the length first" if bad.op == Op.MUST
                        else "guard it so that the divisor is positive")
                raise EvaluationError(f"{context}: {undefined_message(bad, memo)}", location,
                                      hint)
        return memo[id(root)]


def _divide(a: int, b: int) -> int:
    return a // b if b > 0 else 0  # undefined for b <= 0: reported by check_defined


def _modulo(a: int, b: int) -> int:
    return a % b if b > 0 else 0


_Eval = Callable[[Expr, list[int], Sequence[int], Mapping[str, Any]], int]
_EVAL: dict[Op, _Eval] = exhaustive({
    Op.CONST: lambda n, a, v, k: int(n.args[0]),
    Op.VAR: lambda n, a, v, k: int(v[n.args[0]]),
    Op.KNOB: lambda n, a, v, k: int(k[n.args[0]]),
    Op.NOT: lambda n, a, v, k: int(not a[0]),
    Op.AND: lambda n, a, v, k: int(all(a)),
    Op.OR: lambda n, a, v, k: int(any(a)),
    Op.EQ: lambda n, a, v, k: int(a[0] == a[1]),
    Op.LT: lambda n, a, v, k: int(a[0] < a[1]),
    Op.LE: lambda n, a, v, k: int(a[0] <= a[1]),
    Op.ADD: lambda n, a, v, k: a[0] + a[1],
    Op.SUB: lambda n, a, v, k: a[0] - a[1],
    Op.MUL: lambda n, a, v, k: a[0] * a[1],
    Op.DIV: lambda n, a, v, k: _divide(a[0], a[1]),
    Op.MOD: lambda n, a, v, k: _modulo(a[0], a[1]),
    Op.MIN: lambda n, a, v, k: min(a),
    Op.MAX: lambda n, a, v, k: max(a),
    Op.ITE: lambda n, a, v, k: a[1] if a[0] else a[2],
    Op.B2I: lambda n, a, v, k: int(bool(a[0])),
    Op.MUST: lambda n, a, v, k: a[1],
}, "the reference interpreter")


def undefined_message(node: Expr, value: Mapping[int, int]) -> str:
    """What a failing partial node read, in words."""
    if node.op == Op.MUST:
        detail = node.args[3]
        shown: Any = value[id(detail)]
        if detail.enum is not None and 0 <= shown < len(detail.enum.values):
            shown = repr(detail.enum.values[shown])
        return str(node.args[2]).format(shown)
    verb = "division" if node.op == Op.DIV else "modulo"
    return f"{verb} by {value[id(node.args[1])]} (the divisor must be positive)"


def out_of_domain(model: Model, action: int, slot: int, value: int) -> ModelError:
    """The error for an update that leaves its slot's domain (every engine raises it)."""
    instance, meta = model.actions[action], model.slots[slot]
    return EvaluationError(f"in action {instance.label}: {meta.name} would become {value}, "
                           f"outside {meta.lo}..{meta.hi}", instance.location_of_update(slot),
                           "guard the action or saturate the value")


@dataclass(frozen=True)
class CompiledModel:
    model: Model
    layout: StateLayout
    interpreter: Interpreter = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "interpreter", Interpreter(self.model.knobs))

    @property
    def actions(self) -> tuple[ActionInstance, ...]:
        return self.model.actions

    def init_values(self) -> list[list[int]]:
        """Every initial state as a list of slot values, in a stable order: the
        product of the init groups, the first group varying slowest."""
        groups = self._init_rows()
        states = []
        for combo in itertools.product(*groups):
            values = [0] * len(self.model.slots)
            for group, row in zip(self.model.init, combo, strict=True):
                for slot, v in zip(group.slots, row, strict=True):
                    values[slot] = v
            states.append(values)
        return states

    def init_count(self) -> int:
        """How many entries `init_values` has (repeats included), without building or
        evaluating them."""
        self._check_init()
        return math.prod(len(group.alternatives) for group in self.model.init)

    def init_value(self, index: int) -> list[int]:
        """Entry `index` of `init_values`, without building the others: a model with
        ``ANY`` over several maps has millions of initial states, and a trace needs one."""
        groups = self._init_rows()
        if not 0 <= index < math.prod(len(rows) for rows in groups):
            raise IndexError(f"no initial state #{index}")
        values = [0] * len(self.model.slots)
        for group, rows in zip(reversed(self.model.init), reversed(groups), strict=True):
            index, pick = divmod(index, len(rows))  # the last group varies fastest
            for slot, v in zip(group.slots, rows[pick], strict=True):
                values[slot] = v
        return values

    def init_index(self, values: Sequence[int]) -> int | None:
        """The first position of this state in `init_values`, or None when it is not an
        initial state (the first matching row of every group gives the first position)."""
        index = 0
        for group, rows in zip(self.model.init, self._init_rows(), strict=True):
            mine = [values[slot] for slot in group.slots]
            pick = next((i for i, row in enumerate(rows) if row == mine), None)
            if pick is None:
                return None
            index = index * len(rows) + pick
        return index

    def _init_rows(self) -> list[list[list[int]]]:
        """Per init group, its alternatives' slot values."""
        self._check_init()
        return [[[evaluate(e, [], self.model.knobs) for e in row] for row in group.alternatives]
                for group in self.model.init]

    def _check_init(self) -> None:
        if any(not group.alternatives for group in self.model.init):
            raise ModelError(f"model {self.model.name} has no initial state",
                             hint="every variable needs at least one initial value")

    def init_states(self) -> list[int]:
        """Every initial state packed, in `init_values` order; built group by group
        without a list of values per state (there may be millions)."""
        layout = self.layout
        states = [0]
        for group, rows in zip(self.model.init, self._init_rows(), strict=True):
            parts = [sum((int(v) - layout.slots[slot].lo) << layout.offsets[slot]
                         for slot, v in zip(group.slots, row, strict=True)) for row in rows]
            states = [state | part for state in states for part in parts]
        return states

    def next_values(self, values: Sequence[int], action: int) -> list[int] | None:
        """The successor by one action instance, or None when it is disabled.
        Raises `EvaluationError` where the action reads something undefined or
        an update leaves its domain."""
        instance = self.model.actions[action]
        run = self.interpreter
        context = f"in action {instance.label}"
        if not run.checked(instance.guard, values, context, instance.location):
            return None
        new = list(values)
        for slot, e in instance.updates:
            v = run.checked(e, values, context, instance.location_of_update(slot))
            meta = self.model.slots[slot]
            if not meta.lo <= v <= meta.hi:
                raise out_of_domain(self.model, action, slot, v)
            new[slot] = v
        return new

    def holds(self, values: Sequence[int], prop: int) -> bool:
        p = self.model.properties[prop]
        return bool(self.interpreter.checked(p.predicate, values, f"in property {p.name}",
                                             p.location))

    def evaluation_error(self, values: Sequence[int], properties: Sequence[int] = ()
                         ) -> EvaluationError | None:
        """The error met in this state by some action or by one of these properties
        (every engine's witness of an undefined read ends in such a state)."""
        try:
            for index in properties:
                self.holds(values, index)
                p = self.model.properties[index]
                if p.trigger is not None:
                    self.interpreter.checked(p.trigger, values, f"in property {p.name}",
                                             p.location)
            for index in range(len(self.model.actions)):
                self.next_values(values, index)
        except EvaluationError as err:
            return err
        return None

    def decode(self, state: int) -> dict[str, Any]:
        return decode_variables(self.model, self.layout.unpack(state))


def compile_model(model: Model) -> CompiledModel:
    return CompiledModel(model, StateLayout.of(model))
