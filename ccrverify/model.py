"""The model IR that every engine reads: flat slots, action instances,
properties. Built by `ccrverify.lang` from a spec and knob values; inert data.

A *slot* is one scalar of the flattened state: a boolean, an integer in
``lo..hi``, an enumeration code, a sequence length or one sequence item.
Expressions (`Expr`) refer to slots by number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ccrverify.errors import Location

if TYPE_CHECKING:  # the language imports this module: no cycle at run time
    from ccrverify.expr import Expr
    from ccrverify.lang.domain import Domain, Enum, Index


@dataclass(frozen=True)
class Slot:
    name: str  # e.g. "missed[A]", "log[A].len", "log[A][0]"
    var: str
    lo: int
    hi: int  # the largest value the slot can hold (a symbolic bound's maximum)
    sort: str
    enum: Enum | None = None
    hi_expr: Expr | None = None  # a symbolic upper bound (symbolic knobs only)


@dataclass(frozen=True)
class Variable:
    """A state variable: a scalar or a sequence, possibly a map over an index."""

    name: str
    domain: Domain
    index: Index | None
    # key (an index value, or None for a plain variable) -> its slots;
    # for a sequence the length slot first, then the item slots.
    slots: Mapping[Any, tuple[int, ...]]
    location: Location | None = None

    def keys(self) -> tuple[Any, ...]:
        return tuple(self.slots)

    def is_seq(self) -> bool:
        from ccrverify.lang.domain import Seq

        return isinstance(self.domain, Seq)


@dataclass(frozen=True)
class InitGroup:
    """Initial values of some slots: one of several alternative rows."""

    slots: tuple[int, ...]
    alternatives: tuple[tuple[Expr, ...], ...]


class ActionClass(StrEnum):
    """What kind of event an action is (PROTOCOL.md, "Liveness and failover time"):
    liveness assumptions and response times are stated per class."""

    CLOCK = "clock"  # time passes
    FAULT = "fault"  # the environment breaks something
    REPAIR = "repair"  # the environment mends it
    WORKLOAD = "workload"  # users' requests
    ADMINISTRATOR = "administrator"  # an operator's command
    PROTOCOL = "protocol"  # what the system itself does


class Fairness(StrEnum):
    WEAK = "weak"  # continuously enabled from some point on => taken infinitely often
    STRONG = "strong"  # enabled infinitely often => taken infinitely often


# Fair by default: time passes, the protocol acts, repairs happen eventually.
FAIR_BY_DEFAULT = frozenset({ActionClass.CLOCK, ActionClass.PROTOCOL, ActionClass.REPAIR})


@dataclass(frozen=True)
class ActionInstance:
    name: str
    params: tuple[Any, ...]
    guard: Expr
    updates: tuple[tuple[int, Expr], ...]  # slot -> next value; others unchanged
    location: Location | None = None
    doc: str = ""  # one line explaining this instance, for traces
    update_locations: tuple[tuple[int, Location], ...] = ()  # slot -> the assigning line
    # Where evaluating the action reads nothing undefined (None: everywhere):
    # the guard's own condition, and the updates' condition where the guard holds.
    defined_guard: Expr | None = None
    defined_updates: Expr | None = None
    cls: ActionClass = ActionClass.PROTOCOL
    fairness: Fairness | None = None  # None: the action need never happen
    # Instances with the same key share one fairness constraint (TLA+'s
    # WF_vars(A1 \/ A2)); by default each instance has its own (its label).
    fair_key: str = ""

    def location_of_update(self, slot: int) -> Location | None:
        return dict(self.update_locations).get(slot, self.location)

    @property
    def label(self) -> str:
        if not self.params:
            return self.name
        return f"{self.name}({','.join(str(p) for p in self.params)})"


def fairness_groups(actions: Sequence[ActionInstance]
                    ) -> dict[str, tuple[Fairness, list[int]]]:
    """The fairness groups in action order: key -> (kind, member action indices)."""
    groups: dict[str, tuple[Fairness, list[int]]] = {}
    for i, a in enumerate(actions):
        if a.fairness is not None:
            groups.setdefault(a.fair_key, (a.fairness, []))[1].append(i)
    return groups


class PropertyKind(StrEnum):
    """What a property claims; engines declare which kinds they decide."""

    INVARIANT = "invariant"  # the predicate holds in every reachable state
    DEADLOCK_FREE = "deadlock-free"  # some action is enabled in every reachable state
    # Temporal kinds, over the fair behaviours (ActionInstance.fairness):
    LEADS_TO = "leads-to"  # P ~> Q: whenever trigger holds, predicate holds then or later
    EVENTUALLY = "eventually"  # <>Q: every behaviour reaches the predicate
    ALWAYS_EVENTUALLY = "always-eventually"  # []<>P: the predicate holds infinitely often
    EVENTUALLY_ALWAYS = "eventually-always"  # <>[]P: from some point on it always holds
    # Response time: from a trigger state on, with the `quiet` action classes not
    # happening and protocol actions prompt (the clock advances only when none is
    # enabled), the predicate (the response) comes within `within` clock ticks; or,
    # with no bound, the worst case number of ticks is measured.
    RESPONSE = "response"


SAFETY_KINDS = frozenset({PropertyKind.INVARIANT, PropertyKind.DEADLOCK_FREE})
# claims about infinite behaviours, decided under the model's fairness (a response
# has its own kind: a bounded count of ticks, decided through a monitor)
LIVENESS_KINDS = frozenset({PropertyKind.LEADS_TO, PropertyKind.EVENTUALLY,
                            PropertyKind.ALWAYS_EVENTUALLY, PropertyKind.EVENTUALLY_ALWAYS})


DEADLOCK = "DeadlockFree"  # the name of the deadlock-freedom property of every model


@dataclass(frozen=True)
class Property:
    name: str
    description: str
    predicate: Expr  # for DEADLOCK_FREE: some guard holds (engines may test it faster)
    location: Location | None = None
    defined: Expr | None = None  # where evaluating the predicate is defined (None: everywhere)
    kind: PropertyKind = PropertyKind.INVARIANT
    trigger: Expr | None = None  # leads-to and response: P (the predicate is Q)
    quiet: tuple[ActionClass, ...] = ()  # response: classes that stay quiet after the trigger
    within: int | None = None  # response: the bound in clock ticks (None: measure)

    @property
    def is_safety(self) -> bool:
        """A claim about every reachable state (its counterexample is a finite trace)."""
        return self.kind in SAFETY_KINDS


@dataclass(frozen=True)
class Model:
    name: str
    knobs: Mapping[str, Any]
    slots: tuple[Slot, ...]
    variables: tuple[Variable, ...]
    init: tuple[InitGroup, ...]
    actions: tuple[ActionInstance, ...]
    properties: tuple[Property, ...]
    terminal_states: bool = False
    clock: str = ""  # the action that advances time, counted in traces
    # Timeline pictures: the index whose values each get a lane (default: the
    # index most variables range over), the name of the lane for everything
    # else, and the actions drawn as faults. Hints for pictures only.
    lane_index: str = ""
    shared_lane: str = ""
    faults: tuple[str, ...] = ()
    source: str = ""  # the spec file, for messages and result-store keys
    source_hash: str = ""
    symbolic_knobs: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    def variable(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(name)

    def property(self, name: str) -> Property:
        for p in self.properties:
            if p.name == name:
                return p
        raise KeyError(name)
