"""Invariants print in the model's vocabulary."""

from ccrverify.compile import compile_model
from ccrverify.loader import load
from ccrverify.symbolic.encode import Encoding
from ccrverify.symbolic.printer import Printer


def test_enum_and_bool_atoms_use_the_models_names():
    model = load("specs/examples/twophase.py").build({"rm": 2})
    enc = Encoding(compile_model(model))
    s = enc.state("")
    slot = {x.name: s.terms[i] for i, x in enumerate(model.slots)}
    z = enc.z
    formula = z.and_([z.or_([z.not_(slot["commit_msg"]), slot["rm_state[r1]"] != 3]),
                      slot["tm_state"] <= 1,
                      z.not_(slot["rm_state[r2]"] <= 1)])
    lemmas = Printer(model).lemmas(z.tree(formula))
    assert lemmas == ["¬commit_msg ∨ rm_state[r1] ≠ aborted",
                      "tm_state ≠ aborted",
                      "rm_state[r2] ∈ {committed, aborted}"]
