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

    if violates is not None:
        claimed = compiled.model.property(violates)
        if not claimed.is_safety:  # a finite trace cannot violate a temporal property
            raise ReplayError(f"{violates} is a {claimed.kind} property: a violation of "
                              "it is a lasso (replay_lasso), not a finite trace")
        if claimed.kind == PropertyKind.DEADLOCK_FREE:
            violates, deadlock = None, True
    try:
        values = compiled.init_value(init_index)
    except IndexError:
        raise ReplayError(f"no initial state #{init_index}") from None
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


def replay_lasso(compiled: CompiledModel, init_index: int, choices: Sequence[int],
                 loop: int | None, prop_name: str, trigger_at: int | None = None,
                 bound: int | None = None) -> Trace:
    """Replay a counterexample to a temporal property and check that it is one.

    With `loop`, the choices form a lasso: the last state equals the state of step
    `loop`, and the behaviour repeats the steps after it forever (or, when `loop`
    is the last step, stutters there). Its fairness is checked on that cycle alone:
    each weakly fair group is taken on it or disabled in one of its states, each
    strongly fair group taken or disabled in all of them; stuttering only where no
    fair group is enabled. Without `loop` (a response that comes too late), the
    run from `trigger_at` counts more ticks than the bound (`bound`, by default the
    property's own `within`) before the response; a tick that brings the response
    counts, so only the last state may hold it."""
    from ccrverify.model import Fairness, PropertyKind, fairness_groups

    trace = replay(compiled, init_index, choices)
    model = compiled.model
    prop = model.property(prop_name)
    states = [list(step.values) for step in trace.steps]
    n = len(choices)
    if loop is not None and not 0 <= loop <= n:
        raise ReplayError(f"loop start {loop} is not a step of the trace")
    if loop is not None and loop < n and states[-1] != states[loop]:
        raise ReplayError(f"the lasso does not close: the last state is not step {loop}'s")

    def holds(e: Any, i: int) -> bool:
        return bool(compiled.interpreter.checked(e, states[i], f"in property {prop_name}",
                                                 prop.location))

    def enabled(i: int) -> set[int]:
        return {a for a in range(len(compiled.actions))
                if compiled.next_values(states[i], a) is not None}

    if prop.kind == PropertyKind.RESPONSE:
        return _replay_response(trace, compiled, prop, choices, loop, trigger_at, holds,
                                enabled, prop.within if bound is None else bound)
    assert loop is not None, "a liveness counterexample is a lasso"
    cycle_states = range(loop, n) if loop < n else range(n, n + 1)
    cycle_actions = set(choices[loop:])
    on_cycle = [enabled(i) for i in cycle_states]
    for key, (kind, members) in fairness_groups(compiled.actions).items():
        if cycle_actions.intersection(members):
            continue
        disabled = [e.isdisjoint(members) for e in on_cycle]
        if (kind == Fairness.WEAK and not any(disabled)) or (
                kind == Fairness.STRONG and not all(disabled)):
            raise ReplayError(f"the lasso's cycle is not fair to {key} ({kind.value})")
    goal = prop.predicate
    if prop.kind == PropertyKind.LEADS_TO:
        assert prop.trigger is not None
        ok = any(holds(prop.trigger, j) and not any(holds(goal, i)
                                                    for i in range(min(j, loop), n + 1))
                 for j in range(n + 1))
        story = "the trigger holds and then the goal never does"
    elif prop.kind == PropertyKind.EVENTUALLY:
        ok = not any(holds(goal, i) for i in range(n + 1))
        story = "the goal never holds"
    elif prop.kind == PropertyKind.ALWAYS_EVENTUALLY:
        ok = not any(holds(goal, i) for i in cycle_states)
        story = "from the cycle on the condition never holds again"
    else:
        ok = any(not holds(goal, i) for i in cycle_states)
        story = "the condition keeps failing on the cycle"
    if not ok:
        raise ReplayError(f"the lasso does not violate {prop_name}")
    how = (f"a fair cycle back to step {loop}" if loop < n else
           "stuttering forever in the last state, where no fair action is enabled")
    return Trace(trace.model, trace.steps, trace.choices, init_index, f"{how}: {story}", loop)


def _replay_response(trace: Trace, compiled: CompiledModel, prop: Any, choices: Sequence[int],
                     loop: int | None, trigger_at: int | None, holds: Any, enabled: Any,
                     bound: int | None) -> Trace:
    """A response that never comes (a cycle or dead end) or comes too late."""
    from ccrverify.model import ActionClass

    actions = compiled.actions
    n = len(choices)

    def allowed(i: int, a: int) -> bool:
        cls = actions[a].cls
        if cls in prop.quiet:
            return False
        if cls == ActionClass.CLOCK:
            return not any(actions[b].cls == ActionClass.PROTOCOL for b in enabled(i))
        return True

    # A run that comes too late may end where the response holds (its last tick
    # brought it); a run that never answers avoids it in every state.
    last = n if loop is None else n + 1

    def measured_from(j: int) -> bool:
        return (holds(prop.trigger, j) and all(not holds(prop.predicate, i)
                                               for i in range(j, last))
                and all(allowed(i, choices[i]) for i in range(j, n)))

    candidates = [trigger_at] if trigger_at is not None else range((loop or n) + 1)
    # On a lasso the measured run must contain the whole cycle.
    start = next((j for j in candidates if (loop is None or j <= loop) and measured_from(j)),
                 None)
    if start is None:
        raise ReplayError(f"no trigger of {prop.name} starts this run without a response")
    ticks = sum(1 for a in choices[start:] if actions[a].cls == ActionClass.CLOCK)
    if loop is None:
        if bound is None or ticks <= bound:
            raise ReplayError(f"the run counts {ticks} ticks, not more than the bound")
        story = (f"{ticks} ticks after the trigger at step {start}, "
                 + ("still no response" if not holds(prop.predicate, n) else
                    "and only then the response"))
    elif loop < n:
        story = f"the response never comes: a cycle back to step {loop}"
    else:
        if any(allowed(n, a) for a in enabled(n)):
            raise ReplayError("the run stops where an allowed action is enabled")
        story = "the response never comes: a dead end"
    return Trace(trace.model, trace.steps, trace.choices, trace.init_index, story, loop)
