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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ccrverify.compile import CompiledModel
from ccrverify.lang.expr import BOOL, Expr, walk
from ccrverify.model import Model
from ccrverify.symbolic.z3api import Z3, Assignment, Term


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
        z, op = self.z, node.op
        if op == "const":
            return z.bool_val(bool(node.value)) if node.sort == BOOL else z.int_val(node.value)
        if op == "var":
            return s.terms[node.args[0]]
        if op == "knob":
            return self._knob(node)
        a = [memo[id(x)] for x in node.args]
        if op == "not":
            return z.not_(a[0])
        if op == "and":
            return z.and_(a)
        if op == "or":
            return z.or_(a)
        if op == "eq":
            return a[0] == a[1]
        if op == "ne":
            return a[0] != a[1]
        if op == "lt":
            return a[0] < a[1]
        if op == "le":
            return a[0] <= a[1]
        if op == "add":
            return a[0] + a[1]
        if op == "sub":
            return a[0] - a[1]
        if op == "min":
            return z.ite(a[0] <= a[1], a[0], a[1])
        if op == "max":
            return z.ite(a[0] >= a[1], a[0], a[1])
        if op == "ite":
            return z.ite(a[0], a[1], a[2])
        if op == "b2i":
            return z.b2i(a[0])
        raise ValueError(f"no z3 translation for operator {op}")

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

    def prop(self, name: str, s: StateVars) -> Term:
        return self.expr(self.model.property(name).predicate, s)

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
