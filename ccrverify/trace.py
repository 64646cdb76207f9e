"""Traces: an initial state, then one (action, state) step per action.

Every engine reports its witness as *choices* (which initial state, then
which action instance at each step). `replay` re-runs them on the reference
interpreter of the compiled model, checks that every action was enabled and
that the trace really ends where the engine says, and only then builds the
`Trace`. An engine bug therefore surfaces as `ReplayError`, never as a wrong
counterexample.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ccrverify.errors import EvaluationError

if TYPE_CHECKING:
    from ccrverify.compile import CompiledModel


class ReplayError(Exception):
    """An engine produced a witness that the model does not confirm."""


@dataclass(frozen=True)
class Step:
    label: str | None  # None for the initial state
    state: dict[str, Any]  # decoded, named values
    values: tuple[int, ...]  # slot values


@dataclass(frozen=True)
class Trace:
    model: str
    steps: tuple[Step, ...]
    choices: tuple[int, ...]  # action instance per step
    init_index: int
    ends_in: str  # "violation of NAME", "deadlock", "evaluation error", or a lasso's story
    # A lasso (a counterexample to a liveness property): the behaviour goes on
    # from the last state as from step `loop`, forever (the last state equals the
    # state of step `loop`); loop == len(self) means it stutters in the last state.
    loop: int | None = None

    def __len__(self) -> int:
        """The number of actions."""
        return len(self.steps) - 1

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.steps[1:] if s.label is not None]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "length": len(self),
            "ends_in": self.ends_in,
            "steps": [{"action": s.label, "state": _jsonable(s.state)} for s in self.steps],
        }
        if self.loop is not None:
            out["loop"] = self.loop
        return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


def replay(
    compiled: CompiledModel,
    init_index: int,
    choices: Sequence[int],
    violates: str | None = None,
    deadlock: bool = False,
) -> Trace:
    """Run choices from initial state `init_index`; check the claimed ending (the
    violation of a property, or a deadlock, which `violates` may also name)."""
    from ccrverify.model import PropertyKind

    if violates is not None and compiled.model.property(violates).kind == \
            PropertyKind.DEADLOCK_FREE:
        violates, deadlock = None, True
    inits = compiled.init_values()
    if not 0 <= init_index < len(inits):
        raise ReplayError(f"no initial state #{init_index}")
    values = inits[init_index]
    steps = [Step(None, compiled.decode(compiled.layout.pack(values)), tuple(values))]
    for choice in choices:
        label = compiled.actions[choice].label
        nxt = compiled.next_values(values, choice)
        if nxt is None:
            raise ReplayError(f"step {len(steps)}: {label} is not enabled")
        values = nxt
        steps.append(Step(label, compiled.decode(compiled.layout.pack(values)), tuple(values)))
    ends_in = ""
    if violates is not None:
        index = [p.name for p in compiled.model.properties].index(violates)
        # A symbolic engine's witness may end where the property, or an action,
        # cannot be evaluated (it checks P and definedness together).
        error = compiled.evaluation_error(values, [index])
        if error is not None:
            error.trace = Trace(compiled.model.name, tuple(steps), tuple(choices), init_index,
                                "evaluation error")
            raise error
        if compiled.holds(values, index):
            raise ReplayError(f"the trace does not end in a violation of {violates}")
        ends_in = f"violation of {violates}"
    if deadlock:
        if any(compiled.next_values(values, i) is not None for i in range(len(compiled.actions))):
            raise ReplayError("the trace does not end in a deadlock")
        ends_in = "deadlock"
    return Trace(compiled.model.name, tuple(steps), tuple(choices), init_index, ends_in)


def evaluation_error(compiled: CompiledModel, init_index: int, choices: Sequence[int],
                     properties: Sequence[int] = ()) -> EvaluationError:
    """The error an engine met in the state these choices reach, confirmed on the
    reference interpreter, with the trace attached."""
    trace = replay(compiled, init_index, choices)
    error = compiled.evaluation_error(list(trace.steps[-1].values), properties)
    if error is None:
        raise ReplayError("an engine reported an evaluation error that the model does not "
                          "confirm in the state it reached")
    error.trace = Trace(trace.model, trace.steps, trace.choices, init_index, "evaluation error")
    return error
