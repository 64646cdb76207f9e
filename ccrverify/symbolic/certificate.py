"""Proof certificates as plain SMT-LIB 2, and their independent check.

A certificate for an inductive invariant Inv of property P is a script that
defines, in the model's vocabulary (constants named after slots and knobs),
the knob ranges, ``init``, the transition relation ``trans`` (the readable
disjunction of action instances), ``prop_P`` and ``inv_P`` as functions of
the state, then states one query per proof obligation:

1. ``knobs ∧ init(s) ∧ ¬inv(s)``                  (Init ⇒ Inv)
2. ``knobs ∧ inv(s) ∧ trans(s, s') ∧ ¬inv(s')``    (Inv ∧ T ⇒ Inv')
3. ``knobs ∧ inv(s) ∧ ¬prop(s)``                   (Inv ⇒ P)

each between push/pop and ending in ``(check-sat)``. The certificate is valid
when every query is ``unsat``; ``z3 FILE`` (or any SMT solver) re-checks it.
`check` runs the text itself in a fresh z3 context, so the verdict rests on
the printed file, not on the objects the engine built it from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ccrverify.symbolic.encode import Encoding, StateVars
from ccrverify.symbolic.z3api import Term, run_smtlib

OBLIGATION = "; obligation: "


@dataclass(frozen=True)
class Certificate:
    text: str
    obligations: tuple[str, ...]


@dataclass(frozen=True)
class CertificateCheck:
    valid: bool
    answers: tuple[tuple[str, str], ...]  # (obligation, solver answer)

    @property
    def failed(self) -> list[str]:
        return [name for name, answer in self.answers if answer != "unsat"]


class Script:
    """An SMT-LIB 2 script over an encoding's constants."""

    def __init__(self, enc: Encoding, comments: Sequence[str],
                 knob_constraint: Term | None = None) -> None:
        self.enc = enc
        self.lines = [f"; {c}" for c in comments] + ["(set-logic ALL)"]
        self.obligations: list[str] = []
        for name in sorted(enc.knobs):
            self.lines.append(f"(declare-const {self.sym(enc.knobs[name])} Int)")
        self.lines.append(f"(define-fun knobs () Bool "
                          f"{enc.z.sexpr(enc.knob_range(knob_constraint))})")

    def sym(self, const: Term) -> str:
        return self.enc.z.sexpr(const)

    def _params(self, states: Sequence[StateVars]) -> str:
        return " ".join(f"({self.sym(t)} {'Bool' if self.enc.z.is_bool(t) else 'Int'})"
                        for s in states for t in s.terms)

    def define(self, name: str, states: Sequence[StateVars], body: Term) -> None:
        self.lines.append(f"(define-fun {name} ({self._params(states)}) Bool\n  "
                          f"{self.enc.z.sexpr(body)})")

    def declare(self, s: StateVars) -> None:
        for t in s.terms:
            self.lines.append(f"(declare-const {self.sym(t)} "
                              f"{'Bool' if self.enc.z.is_bool(t) else 'Int'})")

    def call(self, name: str, *states: StateVars) -> str:
        args = " ".join(self.sym(t) for s in states for t in s.terms)
        return f"({name} {args})" if args else name

    def obligation(self, title: str, asserts: Sequence[str]) -> None:
        self.obligations.append(title)
        self.lines += [OBLIGATION + title, "(push 1)", "(assert knobs)"]
        self.lines += [f"(assert {a})" for a in asserts]
        self.lines += ["(check-sat)", "(pop 1)"]

    def certificate(self) -> Certificate:
        return Certificate("\n".join(self.lines) + "\n", tuple(self.obligations))


def fn_name(prefix: str, prop: str) -> str:
    return f"{prefix}_{re.sub(r'[^A-Za-z0-9_]', '_', prop)}"


def invariant_certificate(enc: Encoding, invariants: Mapping[str, Term],
                          comments: Sequence[str] = (),
                          knob_constraint: Term | None = None) -> Certificate:
    """The certificate that each invariant (over ``enc.state("")``) proves its property,
    for every knob value in range that also satisfies `knob_constraint`."""
    cur, nxt = enc.state(""), enc.state("'")
    script = Script(enc, comments, knob_constraint)
    script.define("init", [cur], enc.init(cur))
    script.define("trans", [cur, nxt], enc.trans(cur, nxt))
    for prop, inv in sorted(invariants.items()):
        script.define(fn_name("prop", prop), [cur], enc.prop(prop, cur))
        script.define(fn_name("inv", prop), [cur], inv)
    script.declare(cur)
    script.declare(nxt)
    for prop in sorted(invariants):
        inv, p = fn_name("inv", prop), fn_name("prop", prop)
        script.obligation(f"{prop}: Init => Inv",
                          [script.call("init", cur), f"(not {script.call(inv, cur)})"])
        script.obligation(f"{prop}: Inv and T => Inv'",
                          [script.call(inv, cur), script.call("trans", cur, nxt),
                           f"(not {script.call(inv, nxt)})"])
        script.obligation(f"{prop}: Inv => P",
                          [script.call(inv, cur), f"(not {script.call(p, cur)})"])
    return script.certificate()


def check(certificate: Certificate) -> CertificateCheck:
    return check_text(certificate.text)


def check_text(text: str) -> CertificateCheck:
    """Run a certificate script in a fresh z3 context: valid when every query is unsat."""
    titles = [line[len(OBLIGATION):] for line in text.splitlines()
              if line.startswith(OBLIGATION)]
    try:
        answers = run_smtlib(text)
    except Exception as exc:  # z3 rejects malformed scripts by raising
        return CertificateCheck(False, tuple((t, f"error: {exc}") for t in titles))
    answers = [a for a in answers if a in ("sat", "unsat", "unknown")] or answers
    valid = bool(titles) and len(answers) == len(titles) and all(a == "unsat" for a in answers)
    pairs = tuple(zip(titles, answers + ["missing"] * (len(titles) - len(answers)), strict=False))
    return CertificateCheck(valid, pairs)


def kinduction_certificate(enc: Encoding, prop: str, k: int,
                           comments: Sequence[str] = ()) -> Certificate:
    """The certificate that P is k-inductive: k base queries (no violation at depths
    0..k-1) and the step query with simple-path constraints (Sheeran et al. 2000)."""
    frames = [enc.state(f"#{t}") for t in range(k + 1)]
    cur, nxt = frames[0], frames[1]
    script = Script(enc, comments)
    p = fn_name("prop", prop)
    script.define("init", [cur], enc.init(cur))
    script.define("trans", [cur, nxt], enc.trans(cur, nxt))
    script.define("dom", [cur], enc.domain(cur))
    script.define("differ", [cur, nxt], enc.different(cur, nxt))
    script.define(p, [cur], enc.prop(prop, cur))
    for f in frames:
        script.declare(f)
    path = [script.call("trans", frames[t], frames[t + 1]) for t in range(k)]
    for depth in range(k):
        script.obligation(f"{prop}: no violation at depth {depth}",
                          [script.call("init", frames[0]), *path[:depth],
                           f"(not {script.call(p, frames[depth])})"])
    step = [script.call("dom", f) for f in frames]
    step += [script.call(p, f) for f in frames[:-1]] + path
    step += [script.call("differ", frames[i], frames[j])
             for i in range(k + 1) for j in range(i + 1, k + 1)]
    step.append(f"(not {script.call(p, frames[-1])})")
    script.obligation(f"{prop}: {k}-inductive step", step)
    return script.certificate()
