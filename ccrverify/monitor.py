"""Response properties as invariants: a monitor in the state.

A response property (`PropertyKind.RESPONSE`, PROTOCOL.md's FailoverTime) says
that from a trigger state, with the `quiet` action classes not happening and
protocol actions prompt (the clock advances only where no protocol action is
enabled), the response comes within K clock ticks and cannot be avoided for
ever. Following Lamport ("Real Time is Really Simple", 2005), time is a
variable: the monitor adds a few slots to the state and turns the claim into
ordinary invariants, which every invariant engine (BMC, k-induction, PDR,
mined lemmas, the explicit engine, random exploration) decides unchanged.

The monitored model has the original slots, then:

- ``monitor.armed``: a run is being measured. The monitor action ``Arm``
  sets it in a state where the trigger holds and the response does not;
- ``monitor.ticks`` (0..K+1, saturating): clock ticks taken since arming;
- ``monitor.since`` (stretch checks only, 0..C+1): steps since arming or the
  last tick;
- ``monitor.saved``, ``monitor.moved`` and a copy of every slot (cycle checks
  only): ``Save`` records the current state; returning to it is a cycle.

While armed and the response does not hold (*measuring*), quiet actions are
disabled and the clock only runs where no protocol action is enabled; a step
taken where the response holds disarms (so a tick that brings the response
is still counted, as the explicit engine counts it). The invariants, one
property each (their names are the response's plus a suffix):

- ``:ticks``     ticks <= K: no run counts more than K ticks before the response;
- ``:dead-end``  no measured state without an allowed action (the run stops short);
- ``:stretch``   since <= C: no run goes more than C steps without a tick. With
  no tick-free cycle this holds for C large enough, and it is how a proof rules
  such cycles out (the k-liveness argument of Claessen and Sörensson 2012, with
  "a step without a tick" as the event counted). A violation is not a
  counterexample by itself: `lift` accepts it only when the run repeats a state;
- ``:cycle``     the run never comes back to the saved state (liveness-to-safety,
  Biere, Artho and Schuppan 2002): a violation is a lasso that avoids the
  response for ever. Finds cycles with or without ticks.

The response holds within K exactly when ``:ticks`` and ``:dead-end`` hold and
no cycle avoids the response (``:cycle``, or ``:stretch`` for some C). The
original actions keep their indices; ``Arm`` and ``Save`` come after them,
so a monitored witness maps back to the original model by dropping them, and
`lift` replays it there with `ccrverify.trace.replay_lasso`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ccrverify.expr import (
    BOOL,
    INT,
    TRUE,
    Expr,
    all_of,
    any_of,
    const,
    eq,
    ite,
    le,
    min_,
    not_,
    slot_ref,
)
from ccrverify.lang.domain import Bool, IntRange
from ccrverify.model import (
    ActionClass,
    ActionInstance,
    InitGroup,
    Model,
    Property,
    PropertyKind,
    Slot,
    Variable,
)

if TYPE_CHECKING:
    from ccrverify.compile import CompiledModel
    from ccrverify.lang.domain import Enum
    from ccrverify.trace import Trace

TICKS, DEAD_END, STRETCH, CYCLE = "ticks", "dead-end", "stretch", "cycle"
PARTS = (TICKS, DEAD_END, STRETCH, CYCLE)
ARM, SAVE = "Arm", "Save"  # the monitor's own actions (dropped when lifting)
PREFIX = "monitor."


@dataclass(frozen=True)
class Monitor:
    """A model with a response property's monitor, and how to read its witnesses."""

    original: Model
    model: Model  # the monitored model: its properties are the monitor's invariants
    prop: Property  # the response property of the original model
    bound: int | None  # K of the ticks check (None: no ticks check)
    stretch: int | None  # C of the stretch check (None: no stretch check)
    parts: tuple[str, ...]

    def name(self, part: str) -> str:
        """The monitored model's property for one part of the check."""
        return f"{self.prop.name}:{part}"

    def part_of(self, name: str) -> str:
        return name.rpartition(":")[2]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.name(p) for p in self.parts)

    @property
    def actions(self) -> int:
        """How many actions of the monitored model are the original's."""
        return len(self.original.actions)

    def lift(self, original: CompiledModel, init_index: int, choices: Sequence[int],
             part: str) -> Trace | None:
        """The counterexample to the response property that a monitored witness of a
        violated `part` shows, replayed on the original model; None when the witness
        shows none (a stretch without a repeated state)."""
        from ccrverify.trace import replay, replay_lasso

        arms = [i for i, c in enumerate(choices) if c == self.actions]
        if not arms:
            raise ValueError("a monitor witness without an Arm step")
        kept = [c for c in choices if c < self.actions]
        trigger_at = sum(1 for c in choices[:arms[-1]] if c < self.actions)
        if part == TICKS:
            return replay_lasso(original, init_index, kept, None, self.prop.name,
                                trigger_at=trigger_at, bound=self.bound)
        if part == DEAD_END:
            return replay_lasso(original, init_index, kept, len(kept), self.prop.name,
                                trigger_at=trigger_at)
        if part == CYCLE:
            saves = [i for i, c in enumerate(choices) if c == self.actions + 1]
            loop = sum(1 for c in choices[:saves[-1]] if c < self.actions)
            return replay_lasso(original, init_index, kept, loop, self.prop.name,
                                trigger_at=trigger_at)
        # A stretch: a counterexample only if the measured part repeats a state.
        states = [list(s.values) for s in replay(original, init_index, kept).steps]
        seen: dict[tuple[int, ...], int] = {}
        for i in range(trigger_at, len(states)):
            key = tuple(states[i])
            if key in seen:
                return replay_lasso(original, init_index, kept[:i], seen[key],
                                    self.prop.name, trigger_at=trigger_at)
            seen[key] = i
        return None


def monitor(model: Model, prop_name: str, bound: int | None,
            parts: Sequence[str] = (TICKS, DEAD_END, CYCLE), stretch: int = 32) -> Monitor:
    """The model with a monitor for the response property `prop_name`: the parts
    asked for (see the module docstring), ticks against `bound` (the property's
    own `within` when the caller passes it; no ticks check when None)."""
    prop = model.property(prop_name)
    if prop.kind != PropertyKind.RESPONSE or prop.trigger is None:
        raise ValueError(f"{prop_name} is not a response property")
    parts = tuple(p for p in PARTS if p in parts and (p != TICKS or bound is not None))
    return _Builder(model, prop, bound, parts, stretch).build()


class Extension:
    """A model's state with slots of a monitor's own after the model's: each a
    plain variable named `prefix` + its name (apart from the model's names) with
    a constant initial value. `model` puts them, new actions and properties in place."""

    def __init__(self, model: Model, prefix: str = PREFIX) -> None:
        self.original, self.prefix = model, prefix
        self.slots: list[Slot] = list(model.slots)
        self.variables: list[Variable] = list(model.variables)
        self.init: list[tuple[int, Expr]] = []

    def add(self, name: str, domain: Bool | IntRange, sort: str, initial: int,
            enum: Enum | None = None) -> Expr:
        name = self.prefix + name
        taken = {v.name for v in self.variables} | {s.name for s in self.slots}
        while name in taken:  # a model of its own with such a name: keep both
            name += "_"
        index = len(self.slots)
        hi = domain.hi if isinstance(domain.hi, int) else 1
        self.slots.append(Slot(name, name, domain.lo, hi, sort, enum))
        self.variables.append(Variable(name, enum or domain, None, {None: (index,)}))
        self.init.append((index, const(bool(initial)) if sort == BOOL else const(initial, enum)))
        return slot_ref(index, sort, enum)

    def model(self, actions: Sequence[ActionInstance], properties: Sequence[Property]
              ) -> Model:
        groups = list(self.original.init)
        if self.init:
            groups.append(InitGroup(tuple(s for s, _ in self.init),
                                    (tuple(e for _, e in self.init),)))
        return replace(self.original, slots=tuple(self.slots),
                       variables=tuple(self.variables), init=tuple(groups),
                       actions=tuple(actions), properties=tuple(properties),
                       terminal_states=True)


class _Builder:
    def __init__(self, model: Model, prop: Property, bound: int | None,
                 parts: tuple[str, ...], stretch: int) -> None:
        self.model, self.prop, self.bound, self.parts = model, prop, bound, parts
        self.stretch = stretch if STRETCH in parts else None
        self.state = Extension(model)
        self.add = self.state.add

    def build(self) -> Monitor:
        model, prop = self.model, self.prop
        assert prop.trigger is not None
        response = prop.predicate
        armed = self.add("armed", Bool(), BOOL, 0)
        measuring = all_of([armed, not_(response)])
        ticks = since = saved = moved = None
        if self.bound is not None:
            ticks = self.add("ticks", IntRange(0, self.bound + 1), INT, 0)
        if self.stretch is not None:
            since = self.add("since", IntRange(0, self.stretch + 1), INT, 0)
        copies: list[Expr] = []
        if CYCLE in self.parts:
            saved = self.add("saved", Bool(), BOOL, 0)
            moved = self.add("moved", Bool(), BOOL, 0)
            for slot in model.slots:
                domain = Bool() if slot.sort == BOOL else IntRange(slot.lo, slot.hi)
                copies.append(self.add(f"copy.{slot.name}", domain, slot.sort, slot.lo,
                                       slot.enum))
        busy = any_of(a.guard for a in model.actions if a.cls == ActionClass.PROTOCOL)

        def allowed(action: ActionInstance) -> Expr:
            if action.cls in prop.quiet:
                return const(False)
            return not_(busy) if action.cls == ActionClass.CLOCK else TRUE

        tick_cap = (self.bound or 0) + 1
        stretch_cap = (self.stretch or 0) + 1
        actions = []
        for action in model.actions:
            updates = dict(action.updates)
            updates[armed.args[0]] = measuring
            if ticks is not None:
                step = ticks + 1 if action.cls == ActionClass.CLOCK else ticks
                updates[ticks.args[0]] = ite(measuring, min_(step, tick_cap), 0)
            if since is not None:
                updates[since.args[0]] = (const(0) if action.cls == ActionClass.CLOCK else
                                          ite(measuring, min_(since + 1, stretch_cap), 0))
            if saved is not None and moved is not None:
                keep = all_of([measuring, saved])
                updates[saved.args[0]] = keep
                updates[moved.args[0]] = keep
                for slot, copy in zip(model.slots, copies, strict=True):
                    updates[copy.args[0]] = ite(keep, copy, _filler(slot))
            actions.append(replace(
                action, guard=all_of([action.guard, any_of([not_(measuring),
                                                            allowed(action)])]),
                updates=tuple(sorted(updates.items())),
                defined_guard=both_defined(action.defined_guard, prop.defined),
                defined_updates=both_defined(action.defined_updates, prop.defined)))
        arm_updates = [(armed.args[0], const(True))]
        arm_updates += [(x.args[0], const(0)) for x in (ticks, since) if x is not None]
        actions.append(ActionInstance(
            ARM, (), all_of([not_(armed), prop.trigger, not_(response)]),
            tuple(arm_updates), prop.location, f"the monitor starts measuring {prop.name}",
            defined_guard=prop.defined, cls=ActionClass.PROTOCOL))
        if saved is not None and moved is not None:
            save_updates = [(saved.args[0], const(True)), (moved.args[0], const(False))]
            save_updates += [(c.args[0], slot_ref(i, s.sort, s.enum))
                             for i, (s, c) in enumerate(zip(model.slots, copies, strict=True))]
            actions.append(ActionInstance(
                SAVE, (), all_of([measuring, not_(saved)]), tuple(sorted(save_updates)),
                prop.location, "the monitor remembers this state", defined_guard=prop.defined,
                cls=ActionClass.PROTOCOL))
        checks = []
        stuck = not_(any_of(all_of([a.guard, allowed(a)]) for a in model.actions))
        for part in self.parts:
            if part == TICKS:
                assert ticks is not None and self.bound is not None
                claim = le(ticks, self.bound)
                text = f"no measured run counts more than {self.bound} ticks"
            elif part == DEAD_END:
                claim = not_(all_of([measuring, stuck]))
                text = "no measured run stops where no allowed action is enabled"
            elif part == STRETCH:
                assert since is not None and self.stretch is not None
                claim = le(since, self.stretch)
                text = f"no measured run takes more than {self.stretch} steps without a tick"
            else:
                assert saved is not None and moved is not None
                claim = not_(all_of([armed, saved, moved] + [
                    eq(c, slot_ref(i, s.sort, s.enum))
                    for i, (s, c) in enumerate(zip(model.slots, copies, strict=True))]))
                text = "no measured run comes back to the state it was in"
            checks.append(Property(f"{prop.name}:{part}", f"{prop.name}: {text}", claim,
                                   prop.location, prop.defined))
        monitored = self.state.model(actions, checks)
        return Monitor(model, monitored, prop, self.bound, self.stretch, self.parts)


def _filler(slot: Slot) -> Expr:
    return const(bool(slot.lo)) if slot.sort == BOOL else const(slot.lo, slot.enum)


def both_defined(a: Expr | None, b: Expr | None) -> Expr | None:
    """Defined where both are (None: everywhere)."""
    if a is None or b is None:
        return a if b is None else b
    return all_of([a, b])
