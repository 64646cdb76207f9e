"""The Z3 encoding agrees with the reference interpreter, transition by transition."""

import itertools

from ccrverify.compile import compile_model
from ccrverify.loader import load
from ccrverify.symbolic.encode import Encoding
from ccrverify.symbolic.z3api import SAT, UNSAT


def _reachable(compiled):
    seen = [tuple(v) for v in compiled.init_values()]
    frontier = list(seen)
    while frontier:
        nxt = []
        for values in frontier:
            for a in range(len(compiled.actions)):
                new = compiled.next_values(list(values), a)
                if new is not None and tuple(new) not in seen:
                    seen.append(tuple(new))
                    nxt.append(tuple(new))
        frontier = nxt
    return seen


def _pin(enc, s, values):
    return [t == (bool(v) if enc.z.is_bool(t) else v) for t, v in zip(s.terms, values, strict=True)]


def test_each_action_of_diehard_matches_the_interpreter():
    compiled = compile_model(load("specs/examples/diehard.py").build())
    enc = Encoding(compiled)
    s, t, sel = enc.state(""), enc.state("'"), enc.selector("")
    states = _reachable(compiled)
    assert len(states) == 16
    for values, a in itertools.product(states, range(len(compiled.actions))):
        expected = compiled.next_values(list(values), a)
        for relation in (enc.step(a, s, t), enc.trans(s, t, sel)):
            query = _pin(enc, s, values) + [relation]
            if relation is not enc.step(a, s, t):
                query.append(sel == a)
            answer = enc.z.solve(query)
            if expected is None:
                assert answer.status == UNSAT
            else:
                assert answer.status == SAT
                assert enc.read_state(answer.assignment, t) == expected


def test_init_and_properties_match_on_twophase():
    compiled = compile_model(load("specs/examples/twophase.py").build({"rm": 2}))
    enc = Encoding(compiled)
    s = enc.state("")
    (init,) = compiled.init_values()
    answer = enc.z.solve([enc.init(s)])
    assert enc.read_state(answer.assignment, s) == init
    for values in _reachable(compiled)[:60]:
        holds = compiled.holds(list(values), 0)
        answer = enc.z.solve(_pin(enc, s, values) + [enc.prop("TCConsistent", s)])
        assert (answer.status == SAT) == holds


def test_domain_keeps_sequence_items_past_the_length_at_the_filler():
    compiled = compile_model(load("specs/ccr.py").build())
    enc = Encoding(compiled)
    s = enc.state("")
    slot = {x.name: i for i, x in enumerate(compiled.model.slots)}
    pinned = [s.terms[slot["log[A].len"]] == 0, s.terms[slot["log[A][0]"]] == 2]
    assert enc.z.solve([enc.domain(s)] + pinned).status == UNSAT
    assert enc.z.solve([enc.domain(s), s.terms[slot["log[A].len"]] == 1,
                        s.terms[slot["log[A][0]"]] == 2]).status == SAT
