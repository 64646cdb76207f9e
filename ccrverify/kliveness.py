"""Liveness as an invariant: the k-liveness monitor (Claessen and Sörensson, FMCAD 2012).

A fair behaviour violates ``P ~> Q`` exactly when from some point on it is
*pending* for ever: P held, and Q has not held since. Under weak fairness
(`ccrverify.explicit.liveness`: a group is taken, or disabled, infinitely
often) such a behaviour completes infinitely many *rounds*. A round waits for
each fairness group in a fixed order: it moves past a group on a step that
takes it or leaves from a state where it is disabled (past several at once when
one step satisfies them all), and is complete past the last one (the counter
of the classic reduction of generalised Büchi acceptance to plain Büchi). The
monitor counts the rounds of the current pending stretch, and "no pending state
has counted more than k rounds" is an ordinary invariant:

- proved for some k, no fair behaviour violates the property (one would count
  k + 1 rounds in a reachable pending state): the property **holds**, and the
  certificate is the invariant's, on the monitored model;
- on a finite model where the property holds some k suffices (k-liveness is
  complete there): more rounds than states repeat a state at two round
  boundaries, and the cycle between them is fair and pending throughout;
- a violation for one k is no counterexample by itself: `Rounds.lift` accepts
  it only when the run repeats a state (or stutters) in a way that
  `trace.replay_lasso` confirms is a fair lasso violating the property.

One position in the round, rather than a "satisfied" bit per group: the
monitored state space grows by the number of groups instead of two to its
power, which made the mined proofs 4-7x faster (CCR's Recovers at k = 2: 11 s
instead of 73 s; PDR's times moved both ways).

Stuttering (TLA+'s: for ever only where no fair group is enabled) is the
monitor's own action ``Stutter``, enabled exactly there; every group counts as
satisfied on it (disabled). The other kinds are special cases: eventually Q is
leads-to from the initial state alone, always eventually Q is TRUE ~> Q, and
eventually always P counts, over the whole behaviour (never reset), the rounds
that also pass through a state where P fails.

Strong fairness is counted like weak (a group taken or disabled somewhere in the
round). Every strongly fair behaviour is weakly fair, so a proof for the weaker
assumption covers the model's behaviours: sound, but a property that needs
the strong assumption cannot be proved (`Rounds.weakened` names those groups).

The monitored model has the original slots, then ``live.seen`` (leads-to and
eventually: a trigger held in an earlier state of the pending stretch),
``live.next`` (the round's position: the group it waits for; eventually always
adds a last position, a state where P fails) and ``live.rounds`` (0..k+1,
saturating). Actions keep their indices; ``Stutter`` comes after them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ccrverify.expr import (
    BOOL,
    FALSE,
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
)
from ccrverify.lang.domain import Bool, IntRange
from ccrverify.model import (
    LIVENESS_KINDS,
    ActionInstance,
    Fairness,
    Model,
    Property,
    PropertyKind,
    fairness_groups,
)
from ccrverify.monitor import Extension, both_defined

if TYPE_CHECKING:
    from ccrverify.compile import CompiledModel
    from ccrverify.trace import Trace

STUTTER = "Stutter"  # the monitor's own action (dropped when lifting)
PREFIX = "live."
LIFT_TRIES = 64  # candidate lassos a witness is searched for, shortest first


@dataclass(frozen=True)
class Rounds:
    """A model with a liveness property's round counter, and how to read its witnesses."""

    original: Model
    model: Model  # the monitored model: its one property is `name`
    prop: Property  # the liveness property of the original model
    k: int
    groups: tuple[str, ...]  # the fairness groups, by key
    weakened: tuple[str, ...]  # the strong ones, counted as weak

    @property
    def name(self) -> str:
        return rounds_name(self.prop.name)

    @property
    def stutter(self) -> int:
        """The index of the Stutter action (the original actions come first)."""
        return len(self.original.actions)

    def original_choices(self, choices: Sequence[int]) -> list[int]:
        return [c for c in choices if c != self.stutter]

    def lift(self, original: CompiledModel, init_index: int, choices: Sequence[int]
             ) -> Trace | None:
        """A fair lasso violating the property that a monitored witness shows (a
        stutter, or a state it repeats), replayed on the original model; None when
        the witness shows none."""
        from ccrverify.trace import ReplayError, replay, replay_lasso

        kept = self.original_choices(choices)
        states = [tuple(s.values) for s in replay(original, init_index, kept).steps]
        candidates: set[tuple[int, int]] = set()  # (end, loop start): kept[:end]
        position = 0
        for c in choices:
            if c == self.stutter:
                candidates.add((position, position))
            else:
                position += 1
        first: dict[tuple[int, ...], list[int]] = {}
        for j, state in enumerate(states):
            candidates.update((j, i) for i in first.get(state, []))
            first.setdefault(state, []).append(j)
        for end, loop in sorted(candidates)[:LIFT_TRIES]:
            try:
                return replay_lasso(original, init_index, kept[:end], loop, self.prop.name)
            except ReplayError:
                continue
        return None


def rounds(model: Model, prop_name: str, k: int) -> Rounds:
    """The model with a round counter for the liveness property `prop_name`, whose
    invariant says that no pending state has counted more than `k` rounds."""
    prop = model.property(prop_name)
    if prop.kind not in LIVENESS_KINDS:
        raise ValueError(f"{prop_name} is not a leads-to or eventually property")
    groups = fairness_groups(model.actions)
    state = Extension(model, PREFIX)
    seen = None
    if prop.kind in (PropertyKind.LEADS_TO, PropertyKind.EVENTUALLY):
        seen = state.add("seen", Bool(), BOOL, int(prop.kind == PropertyKind.EVENTUALLY))
    # The round's conditions, in order: each fairness group taken or disabled, and
    # (eventually always) a state where P fails.
    disabled = [not_(any_of(model.actions[a].guard for a in members))
                for _, members in groups.values()]
    conditions = disabled + ([not_(prop.predicate)]
                             if prop.kind == PropertyKind.EVENTUALLY_ALWAYS else [])
    waits = (state.add("next", IntRange(0, len(conditions) - 1), INT, 0) if conditions
             else None)
    counter = _Counter(conditions, waits, state.add("rounds", IntRange(0, k + 1), INT, 0),
                       _pending(prop, seen), seen, k)
    group_of = {a: g for g, (_, members) in enumerate(groups.values()) for a in members}
    # The counter's updates depend only on the group an action takes: built once per
    # group (and once for all the unfair actions and Stutter), shared by its actions.
    updates_of: dict[int | None, list[tuple[int, Expr]]] = {}
    for group in {*group_of.values(), None}:
        updates_of[group] = counter.updates(set() if group is None else {group})
    actions = []
    for index, action in enumerate(model.actions):
        actions.append(replace(
            action, updates=tuple(sorted([*action.updates,
                                          *updates_of[group_of.get(index)]])),
            defined_guard=both_defined(action.defined_guard, prop.defined),
            defined_updates=both_defined(action.defined_updates, prop.defined)))
    actions.append(ActionInstance(
        STUTTER, (), all_of(disabled), tuple(sorted(updates_of[None])), prop.location,
        "nothing happens (allowed for ever only where no fair action is enabled)",
        defined_guard=prop.defined))
    claim = any_of([not_(counter.pending), le(counter.count, k)])
    text = (f"no pending state has seen more than {k} round{'s' if k != 1 else ''} in "
            "which every fair action was taken or disabled")
    check = Property(rounds_name(prop.name), f"{prop.name}: {text}", claim, prop.location,
                     prop.defined)
    weakened = tuple(key for key, (fairness, _) in groups.items()
                     if fairness == Fairness.STRONG)
    return Rounds(model, state.model(actions, [check]), prop, k, tuple(groups), weakened)


def rounds_name(prop: str) -> str:
    """The monitored model's one property: the round counter's bound."""
    return f"{prop}:rounds"


def _pending(prop: Property, seen: Expr | None) -> Expr:
    """Where the property waits for its goal: P held in this state or earlier in the
    stretch, and Q does not hold (eventually: from the start; always eventually:
    wherever Q does not hold; eventually always: everywhere, the round asks for ¬P)."""
    if prop.kind == PropertyKind.EVENTUALLY_ALWAYS:
        return TRUE
    trigger = {PropertyKind.LEADS_TO: prop.trigger, PropertyKind.EVENTUALLY: FALSE,
               PropertyKind.ALWAYS_EVENTUALLY: TRUE}[prop.kind]
    assert trigger is not None
    return all_of([any_of([seen if seen is not None else FALSE, trigger]),
                   not_(prop.predicate)])


@dataclass(frozen=True)
class _Counter:
    """The monitor's slots and how a step changes them."""

    conditions: list[Expr]  # the round's, in order (over the state a step leaves)
    waits: Expr | None  # the position: the condition the round waits for
    count: Expr  # rounds completed in this pending stretch (saturating at k + 1)
    pending: Expr
    seen: Expr | None
    k: int

    def updates(self, taken: set[int]) -> list[tuple[int, Expr]]:
        """The monitor's slots after a step that takes the groups `taken` (indices)."""
        met = [TRUE if g in taken else c for g, c in enumerate(self.conditions)]
        # past[j]: where a round waiting at j stands after this step (past every
        # condition this step meets, in order).
        past: list[Expr] = [const(len(met))]
        for j in reversed(range(len(met))):
            past.insert(0, ite(met[j], past[0], const(j)))
        landed = past[0]
        if self.waits is not None:
            landed = past[len(met) - 1]
            for j in reversed(range(len(met) - 1)):
                landed = ite(eq(self.waits, j), past[j], landed)
        done = eq(landed, len(met))
        count, pending = self.count, self.pending
        updates = [(count.args[0],
                    ite(pending, ite(done, min_(count + 1, self.k + 1), count), 0))]
        if self.waits is not None:
            updates.append((self.waits.args[0], ite(all_of([pending, not_(done)]),
                                                    min_(landed, len(met) - 1), 0)))
        if self.seen is not None:
            updates.append((self.seen.args[0], pending))
        return updates
