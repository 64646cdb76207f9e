"""One operator vocabulary: every translator covers every operator, and all of
them agree on what each operator means (random expressions, evaluated by the
reference interpreter, both generated kernels and Z3)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ccrverify import compile as interpreter
from ccrverify import expr as ir
from ccrverify import intervals
from ccrverify.defined import definedness, first_undefined
from ccrverify.explicit import exprcode
from ccrverify.export import tlaexpr
from ccrverify.expr import BOOL, Expr
from ccrverify.ops import Op, exhaustive
from ccrverify.symbolic import encode

TRANSLATORS = {
    "reference interpreter": interpreter._EVAL,
    "python kernel": exprcode.PYTHON,
    "numpy kernel": exprcode.NUMPY,
    "z3 encoding": encode._Z3,
    "interval analysis": intervals._RULES,
    "expression rebuilder": ir._BUILD,
    "tla+ exporter": tlaexpr.TLA,
}


def test_every_translator_covers_every_operator() -> None:
    for name, table in TRANSLATORS.items():
        missing = sorted(op.value for op in Op if op not in table)
        assert not missing, f"{name} has no translation for {', '.join(missing)}"
        assert set(table) == set(Op), name


def test_a_missing_operator_is_caught_when_the_translator_is_made() -> None:
    import pytest

    from ccrverify.ops import MissingOperator

    partial = {op: None for op in Op if op != Op.MOD}
    with pytest.raises(MissingOperator, match="mod"):
        exhaustive(partial, "a translator under test")


# -- semantics ------------------------------------------------------------------------
INTS = [ir.slot_ref(i, ir.INT) for i in range(3)]  # slots 0..2: integers in -4..4
BOOLS = [ir.slot_ref(3 + i, BOOL) for i in range(2)]  # slots 3..4: booleans

ints: Any = st.deferred(lambda: st.one_of(
    st.sampled_from(INTS), st.integers(-4, 4).map(ir.const),
    st.tuples(st.sampled_from([ir.add, ir.sub, ir.mul, ir.div, ir.mod, ir.min_, ir.max_]),
              ints, ints).map(_apply),
    st.tuples(bools, ints, ints).map(lambda t: ir.ite(*t)),
    bools.map(lambda b: ir.ite(b, 1, 0)),
    st.tuples(bools, ints).map(lambda t: ir.must(t[0], t[1], "a read at {0}", t[1]))))
bools: Any = st.deferred(lambda: st.one_of(
    st.sampled_from(BOOLS), st.booleans().map(ir.const),
    bools.map(ir.not_), st.lists(bools, min_size=2, max_size=3).map(ir.all_of),
    st.lists(bools, min_size=2, max_size=3).map(ir.any_of),
    st.tuples(st.sampled_from([ir.eq, ir.lt, ir.le]), ints, ints).map(_apply)))


def _apply(t: tuple[Any, Expr, Expr]) -> Expr:
    operator, a, b = t
    if operator in (ir.div, ir.mod) and b.is_const and b.value <= 0:
        return operator(a, ir.add(b, ir.slot_ref(0, ir.INT)))  # keep it partial, not refused
    return operator(a, b)


STATES = st.tuples(*[st.integers(-4, 4) for _ in INTS], *[st.integers(0, 1) for _ in BOOLS])


@settings(max_examples=300, deadline=None)
@given(st.one_of(ints, bools), st.lists(STATES, min_size=1, max_size=6))
# Found by this test: numpy's `~` on the Python bool of two constants compared (-2).
@example(ir.ite(ir.not_(ir.eq(ir.const(1), ir.must(ir.not_(BOOLS[0]), ir.const(1),
                                                   "a read at {0}", ir.const(1)))), 1, 0),
         [(0, 0, 0, 0, 0)])
def test_all_translators_agree_where_the_expression_is_defined(e: Expr, states: list[Any]
                                                               ) -> None:
    for values in states:
        memo = interpreter.Interpreter({}).values(e, values)
        expected = memo[id(e)]
        defined = first_undefined(e, memo) is None
        # The definedness condition says the same as the interpreter's own reading.
        assert bool(interpreter.evaluate(definedness(e), values, {})) == defined
        if not defined:
            assert _tla(e, values) is None  # an error in TLC too
            continue
        assert _tla(e, values) == expected
        assert _python(e, values) == expected
        assert _numpy(e, values) == expected
        assert _z3(e, values) == expected
        lo, hi = intervals.interval(e, lambda s: (-4, 4) if s < 3 else (0, 1), {})
        assert lo <= expected <= hi


def _python(e: Expr, values: Any) -> int:
    lines, (code,) = exprcode.PythonWriter({}, "t").write([e], {})
    env = {f"v{i}": v for i, v in enumerate(values)}
    for line in lines:
        exec(line, {}, env)
    return int(eval(code, {}, env))


def _numpy(e: Expr, values: Any) -> int:
    lines, (code,) = exprcode.NumpyWriter({}, "t").write([e], {})
    env: dict[str, Any] = {"np": np}
    for i, v in enumerate(values):
        env[f"v{i}"] = np.array([v], dtype=np.int64)
        env[f"b{i}"] = np.array([bool(v)])
    for line in lines:
        exec(line, env)
    return int(np.broadcast_to(eval(code, env), (1,))[0])


def _z3(e: Expr, values: Any) -> int:
    import z3

    from ccrverify.symbolic.encode import StateVars
    from ccrverify.symbolic.z3api import Z3

    z = Z3()
    terms = tuple(z.int_val(v) for v in values[:3]) + tuple(z.bool_val(bool(v))
                                                            for v in values[3:])

    class _Enc:
        pass

    enc: Any = _Enc()
    enc.z = z
    memo: dict[int, Any] = {}
    state = StateVars("", terms)
    for node in ir.walk([e]):
        args = [memo[id(a)] for a in node.args if isinstance(a, Expr)]
        memo[id(node)] = encode._Z3[node.op](enc, node, args, state)
    result = z3.simplify(memo[id(e)])
    if z3.is_true(result):
        return 1
    if z3.is_false(result):
        return 0
    return int(result.as_long())


def _tla(e: Expr, values: Any) -> int | None:
    """The expression exported as TLA+, parsed by an independent grammar and
    evaluated there (tests/tla_eval.py); None where TLC would stop with an error."""
    from dataclasses import dataclass

    from ccrverify.export.tla import HELPERS
    from ccrverify.export.tlaexpr import Printer, SlotPlace
    from ccrverify.model import Slot

    try:
        from tla_eval import Module, TlaError
    except ImportError:  # tree-sitter-tlaplus is a test dependency
        return int(interpreter.evaluate(e, values, {}))

    @dataclass
    class _Variable:
        index: None = None

    class _Model:
        def variable(self, name: str) -> _Variable:
            return _Variable()

    places = [SlotPlace(f"v{i}", None, Slot(f"v{i}", f"v{i}", -4, 4, ir.INT)) for i in range(3)]
    places += [SlotPlace(f"b{i}", None, Slot(f"b{i}", f"b{i}", 0, 1, BOOL)) for i in (3, 4)]
    printer = Printer(_Model(), places, {}, {}, {})  # type: ignore[arg-type]
    want = tlaexpr.BOOL_KIND if e.sort == BOOL else tlaexpr.INT_KIND
    source = "\n".join(["---- MODULE T ----", "EXTENDS Integers, Sequences, TLC", *HELPERS,
                        f"E == {printer.text(e, want)}", "===="])
    env = {f"v{i}": values[i] for i in range(3)} | {f"b{i}": bool(values[i]) for i in (3, 4)}
    try:
        result = Module(source).eval("E", env)
    except TlaError:
        return None
    return int(result)
