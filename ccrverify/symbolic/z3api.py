"""The one module that imports z3: a small typed wrapper around one `z3.Context`.

Every engine run makes its own `Z3` (hence its own context), so runs never
share solver state and can be garbage-collected independently. Terms are
z3 expressions, typed `Term` (z3 ships no stubs); engines build them only
through the methods below, read solver models through `Assignment`, and
inspect formulas (to print invariants in the model's vocabulary) through
`tree()`, which turns a z3 formula into plain tuples.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import z3  # type: ignore[import-untyped]

Term = Any  # a z3.ExprRef of this wrapper's context

SAT, UNSAT, UNKNOWN = "sat", "unsat", "unknown"


@dataclass(frozen=True)
class Node:
    """A z3 formula as plain data: ``op`` is an SMT-LIB operator name, ``"var"``
    (``name`` set) or ``"int"``/``"bool"`` constants (``value`` set)."""

    op: str
    args: tuple[Node, ...] = ()
    name: str = ""
    value: int = 0


class Assignment:
    """Values of terms in a solver model (model completion on: unconstrained = 0/false)."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def int_value(self, term: Term) -> int:
        v = self._model.eval(term, model_completion=True)
        if z3.is_true(v):
            return 1
        if z3.is_false(v):
            return 0
        return int(v.as_long())

    def formula(self, term: Term) -> Term:
        """The model's interpretation of a term (an uninterpreted predicate's body).

        Without model completion: with it, z3 5.4 evaluates an applied Horn
        relation to ``true`` instead of its interpretation.
        """
        return self._model.eval(term, model_completion=False)


@dataclass(frozen=True)
class Outcome:
    status: str  # SAT, UNSAT or UNKNOWN
    assignment: Assignment | None = None
    reason: str = ""


class Incremental:
    """One z3 solver: assertions accumulate, each check is under assumptions."""

    def __init__(self, solver: Any) -> None:
        self._solver = solver

    def add(self, *terms: Term) -> None:
        self._solver.add(*terms)

    def check(self, assumptions: Sequence[Term] = (), timeout_ms: int | None = None
              ) -> Outcome:
        if timeout_ms is not None:
            self._solver.set("timeout", int(timeout_ms))
        answer = self._solver.check(*assumptions)
        if answer == z3.sat:
            return Outcome(SAT, Assignment(self._solver.model()))
        if answer == z3.unsat:
            return Outcome(UNSAT)
        return Outcome(UNKNOWN, reason=str(self._solver.reason_unknown()))


class Z3:
    """Term constructors and solvers over one private z3.Context."""

    def __init__(self) -> None:
        self.ctx = z3.Context()
        self.true = z3.BoolVal(True, self.ctx)
        self.false = z3.BoolVal(False, self.ctx)

    # -- terms -------------------------------------------------------------------
    def int_var(self, name: str) -> Term:
        return z3.Int(name, self.ctx)

    def bool_var(self, name: str) -> Term:
        return z3.Bool(name, self.ctx)

    def int_val(self, value: int) -> Term:
        return z3.IntVal(value, self.ctx)

    def bool_val(self, value: bool) -> Term:
        return self.true if value else self.false

    def and_(self, terms: Iterable[Term]) -> Term:
        parts = list(terms)
        if not parts:
            return self.true
        return parts[0] if len(parts) == 1 else z3.And(parts)

    def or_(self, terms: Iterable[Term]) -> Term:
        parts = list(terms)
        if not parts:
            return self.false
        return parts[0] if len(parts) == 1 else z3.Or(parts)

    @staticmethod
    def not_(term: Term) -> Term:
        return z3.Not(term)

    @staticmethod
    def implies(a: Term, b: Term) -> Term:
        return z3.Implies(a, b)

    @staticmethod
    def ite(c: Term, a: Term, b: Term) -> Term:
        return z3.If(c, a, b)

    @staticmethod
    def div(a: Term, b: Term) -> Term:
        return a / b  # z3's integer div: rounds down for a positive divisor

    @staticmethod
    def mod(a: Term, b: Term) -> Term:
        return a % b

    def b2i(self, term: Term) -> Term:
        return z3.If(term, self.int_val(1), self.int_val(0))

    @staticmethod
    def is_bool(term: Term) -> bool:
        return bool(z3.is_bool(term))

    @staticmethod
    def conjuncts(term: Term) -> list[Term]:
        """The top-level conjuncts of a formula (itself when it is not a conjunction)."""
        return list(term.children()) if z3.is_and(term) else [term]

    @staticmethod
    def int_literals(term: Term) -> set[int]:
        """The integer numerals occurring in a formula."""
        return {int(t.as_long()) for t in _subterms(term) if z3.is_int_value(t)}

    @staticmethod
    def constant_names(term: Term) -> set[str]:
        """The names of the uninterpreted constants a formula mentions."""
        return {str(t.decl().name()) for t in _subterms(term)
                if z3.is_const(t) and t.decl().kind() == z3.Z3_OP_UNINTERPRETED}

    def replace_literal(self, term: Term, value: int, by: Term) -> Term:
        """The formula with every numeral `value` replaced by the term `by`."""
        return z3.substitute(term, (self.int_val(value), by))

    def quantifier_free(self, term: Term) -> Term:
        """The formula with quantifiers eliminated when it has any (Spacer's answer
        can be existential when its preprocessing inlined the relation)."""
        if not self._has_quantifier(term):
            return term
        goals = z3.Tactic("qe", ctx=self.ctx)(term)
        return z3.And([f for g in goals for f in g]) if len(goals) else self.true

    @staticmethod
    def _has_quantifier(term: Term) -> bool:
        return any(z3.is_quantifier(t) for t in _subterms(term))

    @staticmethod
    def simplify(term: Term) -> Term:
        return z3.simplify(term)

    @staticmethod
    def sexpr(term: Term) -> str:
        """SMT-LIB 2 text of a term (shared subterms as ``let``)."""
        return str(term.sexpr())

    @staticmethod
    def substitute(term: Term, pairs: Sequence[tuple[Term, Term]]) -> Term:
        return z3.substitute(term, *pairs) if pairs else term

    # -- solving -------------------------------------------------------------------
    def solve(self, assertions: Iterable[Term], timeout_ms: int | None = None,
              preprocess: bool = False) -> Outcome:
        """One satisfiability query on a fresh solver (cheaper than push/pop: DESIGN.md).

        `preprocess` first eliminates variables defined by equations (each
        next state of an unrolling): measured 2-5x faster on deep BMC queries.
        """
        solver = self._solver(preprocess)
        if timeout_ms is not None:
            solver.set("timeout", int(timeout_ms))
        solver.add(*list(assertions))
        answer = solver.check()
        if answer == z3.sat:
            return Outcome(SAT, Assignment(solver.model()))
        if answer == z3.unsat:
            return Outcome(UNSAT)
        return Outcome(UNKNOWN, reason=str(solver.reason_unknown()))

    def incremental(self, timeout_ms: int | None = None) -> Incremental:
        """A solver kept across queries, asked under assumptions (Houdini's rounds
        differ only in which lemmas are assumed, so learnt clauses carry over)."""
        solver = z3.Solver(ctx=self.ctx)
        if timeout_ms is not None:
            solver.set("timeout", int(timeout_ms))
        return Incremental(solver)

    def _solver(self, preprocess: bool) -> Any:
        if not preprocess:
            return z3.Solver(ctx=self.ctx)
        return z3.Then("simplify", "propagate-values", "solve-eqs", "smt", ctx=self.ctx).solver()

    def horn(self, relation_sorts: Sequence[Term], build: Any,
             timeout_ms: int | None = None) -> tuple[Outcome, Any]:
        """Solve constrained Horn clauses with Spacer.

        `build(inv, forall)` receives the invariant relation (a z3 function over
        `relation_sorts`) and a quantifier helper and returns the clauses. A
        SAT answer means the clauses have a model: the relation's
        interpretation is an inductive invariant.
        """
        inv = z3.Function("Inv", *relation_sorts, z3.BoolSort(self.ctx))
        solver = z3.SolverFor("HORN", ctx=self.ctx)
        if timeout_ms is not None:
            solver.set("timeout", int(timeout_ms))
        for clause in build(inv, self.forall):
            solver.add(clause)
        answer = solver.check()
        if answer == z3.sat:
            return Outcome(SAT, Assignment(solver.model())), inv
        if answer == z3.unsat:
            return Outcome(UNSAT), inv
        return Outcome(UNKNOWN, reason=str(solver.reason_unknown())), inv

    @staticmethod
    def forall(variables: Sequence[Term], body: Term) -> Term:
        return z3.ForAll(list(variables), body) if variables else body

    def int_sort(self) -> Term:
        return z3.IntSort(self.ctx)

    def bool_sort(self) -> Term:
        return z3.BoolSort(self.ctx)

    # -- reading formulas ------------------------------------------------------------
    @staticmethod
    def tree(term: Term) -> Node:
        """A formula over named constants as plain `Node`s (no z3 objects)."""
        memo: dict[int, Node] = {}

        def go(t: Any) -> Node:
            key = t.get_id()
            if key in memo:
                return memo[key]
            if z3.is_int_value(t):
                node = Node("int", value=int(t.as_long()))
            elif z3.is_true(t):
                node = Node("bool", value=1)
            elif z3.is_false(t):
                node = Node("bool", value=0)
            elif z3.is_const(t):
                node = Node("var", name=str(t.decl().name()))
            elif z3.is_quantifier(t):
                raise ValueError("quantified formula in an invariant")
            else:
                node = Node(str(t.decl().name()), tuple(go(c) for c in t.children()))
            memo[key] = node
            return node

        return go(term)


def _subterms(term: Term) -> Iterator[Term]:
    """Every distinct subterm of a formula (a DAG: shared subterms once)."""
    stack, seen = [term], set()
    while stack:
        t = stack.pop()
        if t.get_id() not in seen:
            seen.add(t.get_id())
            yield t
            stack.extend(t.children())


def run_smtlib(script: str) -> list[str]:
    """Run an SMT-LIB 2 script in a fresh context, as ``z3 FILE`` would; one answer
    per ``(check-sat)`` (and any other output line)."""
    ctx = z3.Context()
    out = z3.Z3_eval_smtlib2_string(ctx.ref(), script)
    return [line.strip() for line in str(out).splitlines() if line.strip()]
