"""Houdini (Flanagan and Leino 2001): the largest inductive subset of candidate lemmas.

Given candidate lemmas (mined from reachable states, or the conjuncts of an
invariant Spacer found for one knob point), drop every lemma that fails in
some initial state, then repeatedly drop every lemma that some transition from
a state satisfying all remaining lemmas breaks, until the conjunction is
inductive. Each query's model names the lemmas to drop, so the queries are at
most the number of lemmas. If the surviving conjunction implies P, it is a
proof of P for every knob value the knob constraint allows: this is how
synthesis proves many knob points at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ccrverify.symbolic.encode import Encoding
from ccrverify.symbolic.z3api import SAT, UNSAT, Assignment, Term


def inductive_subset(enc: Encoding, lemmas: list[Term], prop: str, knob_constraint: Term,
                     timeout_ms: int | None = None) -> Term | None:
    """The conjunction of the largest inductive subset of `lemmas` (over enc.state(""))
    when it implies P under the knob constraint; None otherwise."""
    houdini = Houdini(enc, knob_constraint)
    alive = houdini.run(set(houdini.add(lemmas)), timeout_ms)
    if alive is None:
        return None
    z = enc.z
    invariant = z.and_([houdini.lemmas[i] for i in sorted(alive)])
    answer = z.solve([enc.knob_range(knob_constraint), invariant,
                      z.not_(enc.prop(prop, enc.state("")))], timeout_ms)
    return invariant if answer.status == UNSAT else None


class Houdini:
    """Houdini over a growing pool of candidate lemmas, for every knob value a
    constraint allows.

    Thousands of mined candidates make one query over the whole transition
    relation slow, so consecution is asked per action instance, on solvers that
    live across rounds, about only the lemmas the action can change (those
    reading a slot it writes). Lemmas are switched on and off by assumption
    literals, so adding candidates or starting a new round rebuilds nothing and
    keeps what the solvers learnt.
    """

    def __init__(self, enc: Encoding, knob_constraint: Term) -> None:
        self.enc = enc
        z = enc.z
        self.cur = enc.state("")
        self.slot_of = {str(t): i for i, t in enumerate(self.cur.terms)}
        self.lemmas: list[Term] = []
        self.flags: list[Term] = []
        self.rounds = 0
        region = enc.knob_range(knob_constraint)
        self.initial = _Check(z.incremental(), [])
        self.initial.solver.add(region, enc.init(self.cur))
        self.steps: list[tuple[_Check, frozenset[int], list[tuple[Term, Term]]]] = []
        for action in enc.model.actions:
            written = frozenset(slot for slot, e in action.updates
                                if not (e.op == "var" and e.args[0] == slot))
            if not written:
                continue
            renaming = [(self.cur.terms[slot], enc.expr(e, self.cur))
                        for slot, e in action.updates if slot in written]
            check = _Check(z.incremental(), [])
            check.solver.add(region, enc.expr(action.guard, self.cur))
            self.steps.append((check, written, renaming))
        # Lemma index -> the pre-state models that broke it (counterexamples to induction).
        self.breakers: dict[int, list[Assignment]] = {}

    def add(self, lemmas: list[Term]) -> list[int]:
        z = self.enc.z
        indices = []
        for lemma in lemmas:
            i = len(self.lemmas)
            flag = z.bool_var(f"houdini!{i}")
            self.lemmas.append(lemma)
            self.flags.append(flag)
            indices.append(i)
            used = {self.slot_of[n] for n in z.constant_names(lemma) if n in self.slot_of}
            self.initial.watched.append((i, z.not_(lemma)))
            for check, written, renaming in self.steps:
                check.solver.add(z.implies(flag, lemma))
                if used & written:
                    check.watched.append((i, z.not_(z.substitute(lemma, renaming))))
        return indices

    def run(self, candidates: set[int], timeout_ms: int | None = None) -> set[int] | None:
        """The largest inductive subset of `candidates`; None when a query times out."""
        alive = set(candidates)
        self.breakers = {}
        if not self._drain(self.initial, alive, timeout_ms):
            return None
        while True:
            before = len(alive)
            for check, _, _ in self.steps:
                if not self._drain(check, alive, timeout_ms):
                    return None
            if len(alive) == before:
                return alive

    def _drain(self, check: _Check, alive: set[int], timeout_ms: int | None) -> bool:
        """Drop lemmas until the check finds no alive watched lemma broken."""
        z = self.enc.z
        self.rounds += 1
        goal = z.bool_var(f"houdini!goal{self.rounds}")
        watched = [(i, broken) for i, broken in check.watched if i in alive]
        if not watched:
            return True
        check.solver.add(z.implies(goal, z.or_(z.and_([self.flags[i], broken])
                                               for i, broken in watched)))
        while True:
            assumptions = [goal] + [f if i in alive else z.not_(f)
                                    for i, f in enumerate(self.flags)]
            answer = check.solver.check(assumptions, timeout_ms)
            if answer.status == UNSAT:
                return True
            if answer.status != SAT or answer.assignment is None:
                return False
            model = answer.assignment
            broken = {i for i, t in watched if i in alive and model.int_value(t)}
            if not broken:
                return False  # cannot happen: the query asks for a broken lemma
            for i in broken:
                self.breakers.setdefault(i, []).append(model)
            alive.difference_update(broken)


@dataclass
class _Check:
    solver: Any
    watched: list[tuple[int, Term]]  # (lemma, its negation after the step)
