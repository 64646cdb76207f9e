"""Lemma mining and Houdini: candidates are true in the samples, Houdini keeps
exactly an inductive subset, and a mined proof is a checked certificate."""

import itertools

import numpy as np
import pytest
from helpers import ROOT

from ccrverify.compile import compile_model
from ccrverify.explicit.vector import reachable
from ccrverify.loader import load
from ccrverify.symbolic.certificate import check, invariant_certificate
from ccrverify.symbolic.encode import Encoding
from ccrverify.symbolic.houdini import Houdini
from ccrverify.symbolic.mining import Atom, Bound, Miner, Sample, lemma_holds, to_term

CCR = str(ROOT / "specs" / "ccr.py")
BOX = {"renew_grace": (1, 3), "witness_lease": (1, 3)}


def _sample(knobs):
    found = reachable(compile_model(load(CCR).build(knobs)))
    assert found is not None
    return Sample(knobs, found.states)


def test_lemma_holds_agrees_with_evaluating_every_state():
    rng = np.random.default_rng(7)
    states = rng.integers(0, 4, size=(500, 3))
    sample = Sample({"k": 2}, states)
    atoms = [Atom(((1, 0),), "!=", Bound(None, 1)), Atom(((1, 1),), "<=", Bound("k", 0)),
             Atom(((1, 0), (-1, 2)), ">=", Bound(None, -1)), Atom(((1, 2),), "==", Bound("k", 1))]
    for lemma in itertools.chain(itertools.combinations(atoms, 1),
                                 itertools.combinations(atoms, 2)):
        direct = np.zeros(len(states), dtype=bool)
        for atom in lemma:
            lhs = sum(c * states[:, s] for c, s in atom.terms)
            rhs = atom.bound.offset + (2 if atom.bound.knob else 0)
            direct |= {"==": lhs == rhs, "!=": lhs != rhs,
                       "<=": lhs <= rhs, ">=": lhs >= rhs}[atom.op]
        assert lemma_holds(lemma, sample) == bool(direct.all()), lemma


def test_mined_lemmas_hold_in_every_reachable_state_and_speak_in_knobs():
    model = load(CCR).build({}, symbolic=BOX)
    sample = _sample({"renew_grace": 1, "witness_lease": 2})
    lemmas = list(Miner(model).mine(sample))
    assert len(lemmas) > 100
    assert all(lemma_holds(m, sample) for m in lemmas)
    relative = [m for m in lemmas if any(a.bound.knob == "witness_lease" for a in m)]
    other = _sample({"renew_grace": 1, "witness_lease": 3})
    # Some lemmas stated relative to the lease carry over to another lease value.
    assert any(lemma_holds(m, other) for m in relative)
    assert not all(lemma_holds(m, other) for m in lemmas)


def test_houdini_keeps_an_inductive_subset_and_drops_the_rest():
    model = load(str(ROOT / "tests" / "unit" / "symbolic_limitcap_spec.py")).build(
        {"limit": 3, "width": 6})
    enc = Encoding(compile_model(model))
    x, y = enc.state("").terms
    # x <= 3 is inductive; y <= 3 is true but only inductive together with x <= 3;
    # x <= 2 is false; y == 0 is false.
    houdini = Houdini(enc, enc.z.true)
    ids = houdini.add([x <= 3, y <= 3, x <= 2, y == 0])
    alive = houdini.run(set(ids))
    assert alive == {ids[0], ids[1]}
    assert houdini.run({ids[1]}) == set()  # alone, y <= 3 is not inductive


@pytest.mark.slow  # over 20 s on two busy cores; run with -m slow
def test_a_mined_region_proof_is_a_valid_certificate():
    model = load(CCR).build({}, symbolic=BOX)
    enc = Encoding(compile_model(model))
    k = enc.knobs
    safe = k["renew_grace"] <= k["witness_lease"]
    samples = [_sample({"renew_grace": g, "witness_lease": w})
               for g, w in [(1, 1), (1, 3), (3, 3), (2, 2)]]
    lemmas = [m for m in dict.fromkeys(Miner(model).mine(samples[2]))
              if all(lemma_holds(m, s) for s in samples)]
    cur = enc.state("")
    houdini = Houdini(enc, safe)
    ids = houdini.add(enc.z.conjuncts(enc.domain(cur)) + [to_term(enc, m, cur) for m in lemmas])
    target = houdini.add([enc.prop("NoSplitBrain", cur)])[0]
    alive = houdini.run(set(ids) | {target})
    assert alive is not None and target in alive
    invariant = enc.z.and_([houdini.lemmas[i] for i in sorted(alive)])
    assert check(invariant_certificate(enc, {"NoSplitBrain": invariant}, (), safe)).valid
    # The same invariant is no proof where the property fails (renew_grace > lease).
    assert not check(invariant_certificate(enc, {"NoSplitBrain": invariant}, (),
                                           enc.z.not_(safe))).valid
