"""Liveness counterexamples by bounded model checking with a loop encoding.

A counterexample to a liveness property (leads-to, eventually, always
eventually, eventually always) is an infinite fair behaviour; in a finite
system some such behaviour is a lasso: a prefix s0 .. s_l and a cycle
s_l .. s_k with s_k = s_l (the loop condition of Biere, Cimatti, Clarke, Zhu
1999), or a prefix that stutters for ever in s_k, which TLA+ allows only where
no fair group is enabled. For k = 0, 1, ..., K one query on a fresh solver (as
in `bmc`), with an integer `loop` for l:

    Init(s0) ∧ T(s0,s1) ∧ ... ∧ T(s_k-1,s_k) ∧ bad(k) ∧
      ([loop < k ∧ s_k = s_loop ∧ fair(k)]  ∨  [loop = k ∧ no fair group enabled in s_k])

Fairness is judged on the cycle (steps loop..k-1), as `trace.replay_lasso`
judges it: a weakly fair group is taken on some cycle step (the step's action
selector names one of its instances) or disabled in some cycle state; a
strongly fair group is taken on some step or disabled in every cycle state.
`bad(k)` is the property's violation on that lasso (replay_lasso's conditions).
Every condition is a prefix chain over positions (`Chains`), the same for
every k, so each depth adds a few terms per fairness group. The first k with
a lasso gives a shortest lasso (in steps); none up to K is ``bounded(K)``,
never ``holds``: a lasso may need more steps than K.
"""

from __future__ import annotations

from ccrverify.model import Fairness, Property, PropertyKind, fairness_groups
from ccrverify.symbolic.common import Clock, Concretize, Limits, Unrolling, Witness, read_run
from ccrverify.symbolic.encode import StateVars
from ccrverify.symbolic.z3api import SAT, UNKNOWN, UNSAT, Z3, Assignment, Term
from ccrverify.trace import evaluation_error, replay_lasso


def shortest_lasso(unrolling: Unrolling, prop: Property, depth: int, concretize: Concretize,
                   limits: Limits, clock: Clock) -> Witness | str | None:
    """The first k in 0..depth with a lasso violating `prop`, replayed; None when
    there is none, a reason string when z3 gave up."""
    chains = Chains(unrolling, prop)
    for k in range(depth + 1):
        if clock.expired():
            return f"time limit reached at depth {k}"
        gave_up = unrolling.error_free(k, limits.points, concretize, clock)
        if gave_up is None:
            gave_up = _property_defined(unrolling, prop, k, limits, concretize, clock)
        if gave_up is not None:
            return gave_up
        answer = unrolling.enc.z.solve(chains.query(k, limits), clock.remaining_ms(),
                                       preprocess=True)
        if answer.status == SAT and answer.assignment is not None:
            return _read(unrolling, answer.assignment, prop, k, chains.loop, concretize)
        if answer.status == UNKNOWN:
            return f"z3 gave up at depth {k}: {answer.reason}"
    return None


class Chains:
    """The lasso conditions as prefix chains over the positions of an unrolling.

    One integer `loop` says where the cycle starts; a state t is on the cycle
    when loop <= t, a step t when loop <= t as well (and t < k). Every condition
    "on the cycle up to position t" is then a chain in t alone (``W(t+1) = W(t) ∨
    (loop <= t ∧ (taken_t ∨ ¬enabled_t))``), the same for every k, so the query
    at depth k reuses what depth k-1 built and adds a few terms per group. The
    state at the loop start is a copy `c` with ``loop = t ⇒ c = s_t``."""

    def __init__(self, unrolling: Unrolling, prop: Property) -> None:
        self.u, self.prop = unrolling, prop
        enc, z = unrolling.enc, unrolling.enc.z
        self.z = z
        self.loop = z.int_var("loop")
        self.copy = enc.state("@loop")
        self.groups = list(fairness_groups(enc.model.actions).values())
        # Per group: [condition over positions < t] for t = 0, 1, ...
        self.weak = [[z.false] for _ in self.groups]
        self.took = [[z.false] for _ in self.groups]
        self.off = [[z.true] for _ in self.groups]
        self.pins: list[Term] = []  # loop = t => copy = s_t
        self.bad: list[Term] = []  # the violation on a lasso ending in position t
        self.no_goal, self.cycle_no_goal, self.cycle_bad = [z.true], [z.true], [z.false]
        self.pending, self.cycle_trigger = [z.false], [z.false]

    def on_cycle(self, t: int) -> Term:
        return self.loop <= t

    def enabled(self, members: list[int], t: int) -> Term:
        enc = self.u.enc
        frame = self.u.frame(t)
        return self.z.or_(enc.expr(enc.model.actions[a].guard, frame) for a in members)

    def _extend(self, k: int) -> None:
        """Chains up to position k (states 0..k, steps 0..k-1)."""
        z, enc = self.z, self.u.enc
        while len(self.pins) <= k:
            t = len(self.pins)
            frame = self.u.frame(t)
            self.pins.append(z.implies(self.loop == t, _same(z, self.copy, frame)))
            cyc = self.on_cycle(t)
            goal = enc.expr(self.prop.predicate, frame)
            self.no_goal.append(z.and_([self.no_goal[-1], z.not_(goal)]))
            self.cycle_no_goal.append(z.and_([self.cycle_no_goal[-1],
                                              z.or_([z.not_(cyc), z.not_(goal)])]))
            self.cycle_bad.append(z.or_([self.cycle_bad[-1], z.and_([cyc, z.not_(goal)])]))
            if self.prop.trigger is not None:
                trig = enc.expr(self.prop.trigger, frame)
                # A trigger before the cycle, with no goal from it on so far.
                self.pending.append(z.and_([
                    z.or_([self.pending[-1], z.and_([z.not_(cyc), trig])]), z.not_(goal)]))
                self.cycle_trigger.append(z.or_([self.cycle_trigger[-1], z.and_([cyc, trig])]))
            if t == 0:
                continue
            step, sel = t - 1, self.u.selector(t - 1)
            cyc_step = self.on_cycle(step)
            for g, (_, members) in enumerate(self.groups):
                taken = z.or_(sel == a for a in members)
                off = z.not_(self.enabled(members, step))
                self.weak[g].append(z.or_([self.weak[g][-1],
                                           z.and_([cyc_step, z.or_([taken, off])])]))
                self.took[g].append(z.or_([self.took[g][-1], z.and_([cyc_step, taken])]))
                self.off[g].append(z.and_([self.off[g][-1], z.or_([z.not_(cyc_step), off])]))

    def violation(self, k: int) -> Term:
        """The property fails on the lasso ending in position k (with `loop`), as
        `trace.replay_lasso` decides it."""
        z, kind = self.z, self.prop.kind
        if kind == PropertyKind.EVENTUALLY:
            return self.no_goal[k + 1]
        if kind == PropertyKind.ALWAYS_EVENTUALLY:
            return self.cycle_no_goal[k + 1]
        if kind == PropertyKind.EVENTUALLY_ALWAYS:
            return self.cycle_bad[k + 1]
        # Leads-to: a trigger before the cycle with no goal after it, or one on the
        # cycle (it recurs for ever) with no goal on the whole cycle.
        return z.or_([self.pending[k + 1], z.and_([self.cycle_trigger[k + 1],
                                                   self.cycle_no_goal[k + 1]])])

    def query(self, k: int, limits: Limits) -> list[Term]:
        """A lasso of exactly k steps that violates the property."""
        self._extend(k)
        z, enc = self.z, self.u.enc
        fair = []
        for g, (kind, _) in enumerate(self.groups):
            fair.append(self.weak[g][k] if kind == Fairness.WEAK
                        else z.or_([self.took[g][k], self.off[g][k]]))
        idle = z.and_(z.not_(self.enabled(members, k)) for _, members in self.groups)
        cycle = z.and_([self.loop < k, _same(z, self.copy, self.u.frame(k)), z.and_(fair)])
        stutter = z.and_([self.loop == k, idle])
        s0 = self.u.frame(0)
        return [self.u.knobs(limits.points), enc.domain(s0), enc.init(s0), *self.u.path(k),
                *(enc.well_defined(self.u.frame(t)) for t in range(k + 1)),
                self.loop >= 0, self.loop <= k, *self.pins[:k + 1],
                z.or_([cycle, stutter]), self.violation(k)]


def _same(z: Z3, a: StateVars, b: StateVars) -> Term:
    return z.and_(x == y for x, y in zip(a.terms, b.terms, strict=True))


def _property_defined(unrolling: Unrolling, prop: Property, k: int, limits: Limits,
                      concretize: Concretize, clock: Clock) -> str | None:
    """An evaluation error of the property (its goal or trigger) in a state k steps
    from an initial one raises `EvaluationError`; a reason when z3 gave up."""
    if prop.defined is None:
        return None
    enc, z = unrolling.enc, unrolling.enc.z
    frames = [unrolling.frame(t) for t in range(k + 1)]
    query = [unrolling.knobs(limits.points), enc.domain(frames[0]), enc.init(frames[0]),
             *unrolling.path(k), *(enc.expr(prop.defined, f) for f in frames[:-1]),
             z.not_(enc.expr(prop.defined, frames[-1]))]
    answer = z.solve(query, clock.remaining_ms(), preprocess=True)
    if answer.status == SAT and answer.assignment is not None:
        run = read_run(unrolling, answer.assignment, k, concretize)
        index = [p.name for p in run.compiled.model.properties].index(prop.name)
        raise evaluation_error(run.compiled, run.init_index, run.choices, [index])
    if answer.status != UNSAT:
        return f"z3 gave up at depth {k} (checking that {prop.name} is defined)"
    return None


def _read(unrolling: Unrolling, assignment: Assignment, prop: Property, k: int, loop: Term,
          concretize: Concretize) -> Witness:
    run = read_run(unrolling, assignment, k, concretize)
    trace = replay_lasso(run.compiled, run.init_index, run.choices, assignment.int_value(loop),
                         prop.name)
    return Witness(k, run.knobs, trace)
