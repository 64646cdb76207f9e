"""PDR / IC3 (Bradley 2011) through z3's Spacer (Komuravelli, Gurfinkel, Chaki 2014).

Safety of P is posed as constrained Horn clauses over one unknown relation
Inv(knobs, state):

    knobs ∧ Init(s)          ⇒ Inv(s)
    Inv(s) ∧ T(s, s')        ⇒ Inv(s')      (one clause: T as a disjunction)
    Inv(s) ∧ ¬P(s)           ⇒ false

Symbolic knobs are arguments of Inv that no clause changes, so one invariant
covers every knob value in range. When Spacer finds the clauses satisfiable,
its interpretation of Inv is an inductive invariant; we print it in the
model's vocabulary and accept it only when the SMT-LIB certificate
(`certificate.py`) passes in a fresh context: only then is the verdict
``holds``. When the clauses are unsatisfiable, P is violated; BMC then finds
a shortest counterexample, which is replayed like any other. A short BMC pass
runs first: it finds shallow violations in seconds where Spacer can take
minutes, and its counterexample is the shortest in any case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ccrverify.compile import CompiledModel
from ccrverify.request import Request
from ccrverify.result import CheckResult, PropertyResult, Verdict, VerdictKind
from ccrverify.result import Proof as Evidence
from ccrverify.symbolic import bmc
from ccrverify.symbolic.certificate import Certificate, CertificateCheck, invariant_certificate
from ccrverify.symbolic.certificate import check as check_certificate
from ccrverify.symbolic.common import (
    Clock,
    Concretize,
    Limits,
    SymbolicEngine,
    Unrolling,
    Witness,
    check_result,
    concretizer_of,
    fixed,
    limits_of,
    outcome,
    selected,
    selected_names,
    violated,
)
from ccrverify.symbolic.encode import Encoding
from ccrverify.symbolic.printer import Printer
from ccrverify.symbolic.temporal import DECIDES, with_temporal
from ccrverify.symbolic.z3api import SAT, UNSAT, Term

NAME = "z3-pdr"
# How deep BMC looks for the counterexample Spacer says exists.
CEX_DEPTH = 200
# Before Spacer, BMC looks this deep (at most --depth): Spacer can take minutes to
# refute a property whose shortest counterexample BMC finds in seconds (CCR's
# NoLostAckedMail, 10 steps), and BMC's trace is the shortest anyway.
PREPASS_DEPTH = 10


@dataclass(frozen=True)
class Proof:
    invariant: Term  # over enc.state("") and the knobs
    lemmas: tuple[str, ...]  # the invariant in the model's vocabulary
    certificate: Certificate
    check: CertificateCheck


def spacer(enc: Encoding, prop: str, clock: Clock, knob_constraint: Term | None = None,
           domains: bool = False) -> tuple[str, Term | None, str]:
    """Run Spacer on P: (SAT with the invariant | UNSAT | UNKNOWN with a reason)."""
    z = enc.z
    cur, nxt = enc.state(""), enc.state("'")
    knobs = [enc.knobs[k] for k in sorted(enc.knobs)]
    sorts = [z.int_sort()] * len(knobs) + [
        z.bool_sort() if z.is_bool(t) else z.int_sort() for t in cur.terms]
    knob_ok = enc.knob_range(knob_constraint)
    dom = enc.domain(cur) if domains else z.true

    def clauses(inv: Callable[..., Term], forall: Callable[..., Term]) -> list[Term]:
        here, there = inv(*knobs, *cur.terms), inv(*knobs, *nxt.terms)
        every = [*knobs, *cur.terms]
        return [
            forall(every, z.implies(z.and_([knob_ok, enc.init(cur)]), here)),
            forall(every + list(nxt.terms),
                   z.implies(z.and_([here, dom, enc.trans(cur, nxt)]), there)),
            forall(every, z.implies(z.and_([here, z.not_(enc.prop(prop, cur))]), z.false)),
        ]

    answer, relation = z.horn(sorts, clauses, clock.remaining_ms())
    if answer.status == SAT and answer.assignment is not None:
        invariant = z.quantifier_free(answer.assignment.formula(relation(*knobs, *cur.terms)))
        return SAT, invariant, ""
    return answer.status, None, answer.reason


def prove(enc: Encoding, prop: str, clock: Clock, knob_constraint: Term | None = None
          ) -> Proof | str | None:
    """A checked proof of P, None when P is violated, or the reason for giving up."""
    status, invariant, reason = spacer(enc, prop, clock, knob_constraint)
    if status == UNSAT:
        return None
    if status != SAT or invariant is None:
        return f"Spacer gave up: {reason or status}"
    certificate = invariant_certificate(enc, {prop: invariant}, _comments(enc, [prop]),
                                        knob_constraint)
    verdict = check_certificate(certificate)
    printer = Printer(enc.model, enc.knob_symbols)
    try:
        lemmas = tuple(printer.lemmas(enc.z.tree(enc.z.simplify(invariant))))
    except ValueError:  # still quantified: show it as SMT-LIB
        lemmas = (enc.z.sexpr(invariant),)
    return Proof(invariant, lemmas, certificate, verdict)


def _comments(enc: Encoding, props: Sequence[str]) -> list[str]:
    knobs = " ".join(f"{k}={v}" for k, v in sorted(enc.model.knobs.items())
                     if k not in enc.model.symbolic_knobs)
    symbolic = " ".join(f"{k}={lo}..{hi}" for k, (lo, hi) in
                        sorted(enc.model.symbolic_knobs.items()))
    return [f"ccrverify certificate: model {enc.model.name}, properties {', '.join(props)}",
            f"knobs: {knobs}" + (f"; symbolic: {symbolic}" if symbolic else ""),
            "valid when every (check-sat) below answers unsat; re-check with: z3 FILE"]


def check(compiled: CompiledModel, properties: Sequence[str] | None = None,
          limits: Limits | None = None, concretize: Concretize | None = None
          ) -> tuple[CheckResult, Certificate | None]:
    """Prove or refute each selected property; also return one certificate covering
    every property proved (re-checked as a whole), or None when none was."""
    limits = limits or Limits()
    concretize = concretize or fixed(compiled)
    enc = Encoding(compiled)
    total = Clock(None)
    results: list[PropertyResult] = []
    proved: dict[str, Term] = {}
    unrolling = Unrolling(enc)
    for prop in selected(compiled, properties):
        clock = Clock(limits.seconds)
        shallow = bmc.shortest_violation(unrolling, prop, min(PREPASS_DEPTH, limits.depth),
                                         concretize, limits, clock)
        if isinstance(shallow, Witness):
            results.append(violated(compiled, prop, shallow, seconds=clock.elapsed(),
                                    found_by="bmc before spacer"))
            continue
        found = prove(enc, prop, clock)
        if isinstance(found, Proof):
            results.append(_proved(compiled, prop, found, clock))
            if found.check.valid:
                proved[prop] = found.invariant
        elif isinstance(found, str):
            results.append(outcome(compiled, prop, Verdict.unknown(found)))
        else:
            results.append(_refuted(compiled, prop, unrolling, concretize, limits, clock,
                                    start=min(PREPASS_DEPTH, limits.depth) + 1))
    combined = None
    if proved:
        combined = invariant_certificate(enc, proved, _comments(enc, sorted(proved)))
        if not check_certificate(combined).valid:  # each part passed, so this is a bug
            raise RuntimeError("a combined certificate failed although each part passed")
    return check_result(compiled, NAME, results, total.elapsed(), 0, "pdr", None,
                        None if combined is None else combined.text), combined


def _run(compiled: CompiledModel, request: Request) -> CheckResult:
    return check(compiled, selected_names(compiled, request), limits_of(request),
                 concretizer_of(compiled, request))[0]


ENGINE = SymbolicEngine(
    "pdr", "IC3/PDR with Z3's Spacer: a certified inductive invariant, or a counterexample; "
    "response times through a monitor, leads-to by k-liveness", with_temporal(_run, proves=True),
    frozenset({VerdictKind.HOLDS, VerdictKind.VIOLATED, VerdictKind.UNKNOWN}),
    shortest=False, decides=DECIDES)


def _proved(compiled: CompiledModel, prop: str, proof: Proof, clock: Clock) -> PropertyResult:
    evidence = Evidence(invariant=tuple(proof.lemmas),
                        certificate_check=tuple(proof.check.answers))
    if not proof.check.valid:
        return outcome(compiled, prop, Verdict.unknown(
            "Spacer's invariant failed the independent check: " + ", ".join(proof.check.failed)),
            clock.elapsed(), evidence)
    return outcome(compiled, prop, Verdict.holds("inductive invariant, certificate checked"),
                   clock.elapsed(), evidence)


def _refuted(compiled: CompiledModel, prop: str, unrolling: Unrolling, concretize: Concretize,
             limits: Limits, clock: Clock, start: int) -> PropertyResult:
    found = bmc.shortest_violation(unrolling, prop, CEX_DEPTH, concretize, limits, clock,
                                   start=start)
    if isinstance(found, Witness):
        return violated(compiled, prop, found, seconds=clock.elapsed())
    reason = found or f"no counterexample within {CEX_DEPTH} steps"
    return outcome(compiled, prop, Verdict.unknown(
        f"Spacer reports a violation but BMC found no trace: {reason}"))
