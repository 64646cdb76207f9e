"""A `CompiledModel` as a Z3 transition system.

Representation: one z3 constant per slot per copy of the state, named after
the slot with a tag (``role[A]`` for the current state, ``role[A]'`` for the
next, ``role[A]@3`` for step 3 of an unrolling); boolean slots are Bool, every
other slot (integers, enumeration codes, sequence lengths and items) is Int.
Symbolic knobs are rigid Int constants shared by every copy: they never change
during a run, so a proof over them covers every value in their range at once.

The transition relation is the disjunction over action instances of
``guard ∧ updates ∧ unchanged(everything else)``; when a selector is asked for,
each disjunct also says ``action = i``, so a solver model names the action
taken (the classic encoding of Biere et al. 1999). Expressions are DAGs, so
translation is memoised per (state copy, node identity).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from ccrverify.compile import CompiledModel
from ccrverify.expr import BOOL, Expr, walk
from ccrverify.intervals import interval
from ccrverify.model import ActionInstance, Model
from ccrverify.ops import Op, exhaustive
from ccrverify.symbolic.z3api import UNSAT, Z3, Assignment, Term


@dataclass(frozen=True)
class StateVars:
    """One copy of the state: a z3 constant per slot."""

    tag: str
    terms: tuple[Term, ...]


def slot_symbol(name: str, tag: str) -> str:
    """The z3 name of a slot in the copy `tag`: the slot's own name plus the tag."""
    return name + tag


class Encoding:
    """Builds (and caches) the z3 terms of one compiled model in one context."""

    def __init__(self, compiled: CompiledModel, z: Z3 | None = None) -> None:
        self.z = z or Z3()
        self.compiled = compiled
        self.model: Model = compiled.model
        slot_names = {s.name for s in self.model.slots}
        # A knob named like a slot would silently become the same z3 constant.
        self.knob_symbols = {name: (name if name not in slot_names else f"knob.{name}")
                             for name in sorted(self.model.symbolic_knobs)}
        self.knobs: dict[str, Term] = {name: self.z.int_var(sym)
                                       for name, sym in self.knob_symbols.items()}
        self._states: dict[str, StateVars] = {}
        self._memo: dict[str, dict[int, Term]] = {}
        self._extra: dict[str, Term] = {}
        self._needed: list[int] | None = None

    # -- state copies ---------------------------------------------------------------
    def state(self, tag: str) -> StateVars:
        if tag not in self._states:
            terms = tuple(self.z.bool_var(slot_symbol(s.name, tag)) if s.sort == BOOL
                          else self.z.int_var(slot_symbol(s.name, tag)) for s in self.model.slots)
            self._states[tag] = StateVars(tag, terms)
        return self._states[tag]

    def selector(self, tag: str) -> Term:
        return self.z.int_var(f"action{tag}")

    # -- expressions -------------------------------------------------------------------
    def expr(self, root: Expr, s: StateVars) -> Term:
        memo = self._memo.setdefault(s.tag, {})
        if id(root) in memo:
            return memo[id(root)]
        for node in walk([root]):
            if id(node) not in memo:
                memo[id(node)] = self._node(node, memo, s)
        return memo[id(root)]

    def _node(self, node: Expr, memo: dict[int, Term], s: StateVars) -> Term:
        args = [memo[id(x)] for x in node.args if isinstance(x, Expr)]
        return _Z3[node.op](self, node, args, s)

    def _knob(self, node: Expr) -> Term:
        name = node.args[0]
        if name in self.knobs:
            return self.knobs[name]
        value = self.model.knobs[name]
        return self.z.bool_val(bool(value)) if node.sort == BOOL else self.z.int_val(int(value))

    # -- the transition system -----------------------------------------------------------
    def knob_range(self, extra: Term | None = None) -> Term:
        """Every symbolic knob within its range (and `extra`, a further knob constraint)."""
        parts = []
        for name, (lo, hi) in sorted(self.model.symbolic_knobs.items()):
            k = self.knobs[name]
            parts += [k >= lo, k <= hi]
        if extra is not None:
            parts.append(extra)
        return self.z.and_(parts)

    def domain(self, s: StateVars) -> Term:
        """Every slot within its domain, and sequence items past the length at the filler."""
        parts = []
        for i, slot in enumerate(self.model.slots):
            if slot.sort == BOOL:
                continue
            v = s.terms[i]
            parts.append(v >= slot.lo)
            parts.append(v <= (self.expr(slot.hi_expr, s) if slot.hi_expr is not None
                               else self.z.int_val(slot.hi)))
        for variable in self.model.variables:
            if not variable.is_seq():
                continue
            for slots in variable.slots.values():
                length, items = s.terms[slots[0]], slots[1:]
                for position, item in enumerate(items):
                    meta = self.model.slots[item]
                    filler = (self.z.bool_val(bool(meta.lo)) if meta.sort == BOOL
                              else self.z.int_val(meta.lo))
                    parts.append(self.z.implies(length <= position, s.terms[item] == filler))
        return self.z.and_(parts)

    def init(self, s: StateVars) -> Term:
        groups = []
        for group in self.model.init:
            rows = [self.z.and_(s.terms[slot] == self.expr(e, s)
                                for slot, e in zip(group.slots, row, strict=True))
                    for row in group.alternatives]
            groups.append(self.z.or_(rows))
        return self.z.and_(groups)

    def prop(self, name: str, s: StateVars, defined: bool = True) -> Term:
        """The property in state s, together with (unless `defined` is off) the model
        being well defined there: a proof of it rules out evaluation errors too, and a
        counterexample may end in one (replay then reports the error with its trace)."""
        p = self.model.property(name)
        if not p.is_safety:  # its predicate is a goal, not a claim about every state
            raise ValueError(f"{name} is a {p.kind} property, not a state invariant")
        parts = [self.expr(p.predicate, s)] + ([self.well_defined(s)] if defined else [])
        if p.defined is not None:
            parts.append(self.expr(p.defined, s))
        return self.z.and_(parts)

    def well_defined(self, s: StateVars) -> Term:
        """No action reads anything undefined in s, and no enabled action's update
        leaves its slot's domain (what the explicit kernels check per state)."""
        key = f"wd{s.tag}"
        if key not in self._extra:
            if self._needed is None:
                self._needed = self._needed_checks()
            parts = [self._action_defined(self.model.actions[i], s) for i in self._needed]
            self._extra[key] = self.z.and_(p for p in parts if p is not None)
        return self._extra[key]

    def always_well_defined(self) -> bool:
        """Whether every definedness check holds in every state of the domain."""
        if self._needed is None:
            self._needed = self._needed_checks()
        return not self._needed

    def _needed_checks(self) -> list[int]:
        """The actions whose definedness is not valid in every state of the domain:
        most checks (a saturating counter, a guarded decrement) hold everywhere, and
        leaving them out keeps the proof obligations of PDR as they were."""
        s = self.state("~domain")
        needed = []
        for index, action in enumerate(self.model.actions):
            condition = self._action_defined(action, s)
            if condition is None:
                continue
            outcome = self.z.solve([self.knob_range(), self.domain(s), self.z.not_(condition)],
                                   timeout_ms=10_000)
            if outcome.status != UNSAT:
                needed.append(index)
        return needed

    def _action_defined(self, action: ActionInstance, s: StateVars) -> Term | None:
        z = self.z
        inside: list[Term] = []
        if action.defined_updates is not None:
            inside.append(self.expr(action.defined_updates, s))
        for slot, e in action.updates:
            meta = self.model.slots[slot]
            lo, hi = interval(e, self._slot_bounds, self.model.symbolic_knobs)
            value = self.expr(e, s)
            if lo < meta.lo:
                inside.append(value >= meta.lo)
            if meta.hi_expr is not None:
                inside.append(value <= self.expr(meta.hi_expr, s))
            elif hi > meta.hi:
                inside.append(value <= meta.hi)
        parts = [] if action.defined_guard is None else [self.expr(action.defined_guard, s)]
        if inside:
            parts.append(z.implies(self.expr(action.guard, s), z.and_(inside)))
        return z.and_(parts) if parts else None

    def _slot_bounds(self, slot: int) -> tuple[int, int]:
        meta = self.model.slots[slot]
        return meta.lo, meta.hi

    def step(self, index: int, s: StateVars, t: StateVars) -> Term:
        """Action instance `index` taken from s to t: guard, updates, frame."""
        action = self.model.actions[index]
        updated = dict(action.updates)
        parts = [self.expr(action.guard, s)]
        for slot in range(len(self.model.slots)):
            new = self.expr(updated[slot], s) if slot in updated else s.terms[slot]
            parts.append(t.terms[slot] == new)
        return self.z.and_(parts)

    def trans(self, s: StateVars, t: StateVars, selector: Term | None = None) -> Term:
        """The transition relation T(s, t).

        Without a selector: one disjunction over action instances of guard,
        updates and frame (Spacer wants a single clause: DESIGN.md; it is also
        the readable form written into certificates). With a selector: the
        same relation in the form ``0 <= sel < n ∧ ∨_i (sel = i ∧ guard_i) ∧
        ∧_slot t[slot] = ite(sel = i, update_i, ..., s[slot])``, whose size is
        the updates rather than actions x slots; after z3's solve-eqs it makes
        BMC queries 2-5x faster, and a solver model names the action taken.
        """
        actions = self.model.actions
        if selector is None:
            return self.z.or_(self.step(i, s, t) for i in range(len(actions)))
        parts = [selector >= 0, selector < len(actions),
                 self.z.or_(self.z.and_([selector == i, self.expr(a.guard, s)])
                            for i, a in enumerate(actions))]
        nexts = list(s.terms)
        for i, action in enumerate(actions):
            for slot, e in action.updates:
                nexts[slot] = self.z.ite(selector == i, self.expr(e, s), nexts[slot])
        parts += [t.terms[slot] == new for slot, new in enumerate(nexts)]
        return self.z.and_(parts)

    def different(self, s: StateVars, t: StateVars) -> Term:
        """The two copies differ in some slot (for simple-path constraints)."""
        return self.z.or_(a != b for a, b in zip(s.terms, t.terms, strict=True))

    # -- reading solver models -------------------------------------------------------------
    def read_state(self, assignment: Assignment, s: StateVars) -> list[int]:
        return [assignment.int_value(t) for t in s.terms]

    def read_knobs(self, assignment: Assignment) -> dict[str, int]:
        return {name: assignment.int_value(k) for name, k in self.knobs.items()}


def knob_point(encoding: Encoding, values: Mapping[str, int]) -> Term:
    """The knob constraint that pins every symbolic knob to one value."""
    return encoding.z.and_(encoding.knobs[k] == v for k, v in sorted(values.items()))


def knob_points(encoding: Encoding, points: Iterable[Mapping[str, int]]) -> Term:
    """The knob constraint allowing exactly these points."""
    return encoding.z.or_(knob_point(encoding, p) for p in points)


_Translate = Callable[[Encoding, Expr, list[Term], StateVars], Term]


def _const(enc: Encoding, node: Expr, a: list[Term], s: StateVars) -> Term:
    if node.sort == BOOL:
        return enc.z.bool_val(bool(node.value))
    return enc.z.int_val(node.value)


# Z3's div and mod round down for a positive divisor, as Python does; where the
# divisor is not positive the operation is undefined (`Encoding.well_defined`).
_Z3: dict[Op, _Translate] = exhaustive({
    Op.CONST: _const,
    Op.VAR: lambda e, n, a, s: s.terms[n.args[0]],
    Op.KNOB: lambda e, n, a, s: e._knob(n),
    Op.NOT: lambda e, n, a, s: e.z.not_(a[0]),
    Op.AND: lambda e, n, a, s: e.z.and_(a),
    Op.OR: lambda e, n, a, s: e.z.or_(a),
    Op.EQ: lambda e, n, a, s: a[0] == a[1],
    Op.LT: lambda e, n, a, s: a[0] < a[1],
    Op.LE: lambda e, n, a, s: a[0] <= a[1],
    Op.ADD: lambda e, n, a, s: a[0] + a[1],
    Op.SUB: lambda e, n, a, s: a[0] - a[1],
    Op.MUL: lambda e, n, a, s: a[0] * a[1],
    Op.DIV: lambda e, n, a, s: e.z.div(a[0], a[1]),
    Op.MOD: lambda e, n, a, s: e.z.mod(a[0], a[1]),
    Op.MIN: lambda e, n, a, s: e.z.ite(a[0] <= a[1], a[0], a[1]),
    Op.MAX: lambda e, n, a, s: e.z.ite(a[0] >= a[1], a[0], a[1]),
    Op.ITE: lambda e, n, a, s: e.z.ite(a[0], a[1], a[2]),
    Op.B2I: lambda e, n, a, s: e.z.b2i(a[0]),
    Op.MUST: lambda e, n, a, s: a[1],
}, "the Z3 encoding")
