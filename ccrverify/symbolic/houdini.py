"""Houdini (Flanagan and Leino 2001): the largest inductive subset of candidate lemmas.

Given candidate lemmas (here: the conjuncts of an invariant Spacer found for
one knob point), drop every lemma that fails in some initial state, then
repeatedly drop every lemma that some transition from a state satisfying all
remaining lemmas breaks, until the conjunction is inductive. Each round is one
query whose model names the lemmas to drop, so the rounds are at most the
number of lemmas. If the surviving conjunction implies P, it is a proof of P
for every knob value the knob constraint allows: this is how synthesis reuses
one Spacer proof across many knob points.
"""

from __future__ import annotations

from ccrverify.symbolic.encode import Encoding
from ccrverify.symbolic.z3api import SAT, UNSAT, Term


def inductive_subset(enc: Encoding, lemmas: list[Term], prop: str, knob_constraint: Term,
                     timeout_ms: int | None = None) -> Term | None:
    """The conjunction of the largest inductive subset of `lemmas` (over enc.state(""))
    when it implies P under the knob constraint; None otherwise."""
    z = enc.z
    cur, nxt = enc.state(""), enc.state("'")
    knobs = enc.knob_range(knob_constraint)
    renaming = list(zip(cur.terms, nxt.terms, strict=True))
    alive = list(lemmas)
    answer = z.solve([knobs, enc.init(cur), z.not_(z.and_(alive))], timeout_ms)
    while answer.status == SAT and answer.assignment is not None:
        model = answer.assignment
        alive = [lemma for lemma in alive if model.int_value(lemma)]
        answer = z.solve([knobs, enc.init(cur), z.not_(z.and_(alive))], timeout_ms)
    if answer.status != UNSAT:
        return None
    trans = enc.trans(cur, nxt, enc.selector(""))
    while True:
        primed = [z.substitute(lemma, renaming) for lemma in alive]
        answer = z.solve([knobs, z.and_(alive), trans, z.not_(z.and_(primed))], timeout_ms,
                         preprocess=True)
        if answer.status == UNSAT:
            break
        if answer.status != SAT or answer.assignment is None:
            return None
        model = answer.assignment
        alive = [lemma for lemma, p in zip(alive, primed, strict=True) if model.int_value(p)]
    invariant = z.and_(alive)
    answer = z.solve([knobs, invariant, z.not_(enc.prop(prop, cur))], timeout_ms)
    return invariant if answer.status == UNSAT else None
