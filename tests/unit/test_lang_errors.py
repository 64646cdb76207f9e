"""Mistakes in a spec fail at build time, naming the action and the spec line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import run_cli

from ccrverify.errors import SpecError
from ccrverify.loader import load

HEADER = """\
from ccrverify.lang import Bool, IntRange, Spec, ite
spec = Spec("Bad")
spec.knob("n", 2, "a size", lo=1)

@spec.model
def build(m):
    m.var("x", IntRange(0, 3), init=0)
    m.var("flag", Bool(), init=False)

    @m.action()
    def step(s):
"""


def spec_file(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "bad.py"
    path.write_text(header + textwrap.indent(textwrap.dedent(body), " " * 8))
    return path


def build_error(path: Path) -> SpecError:
    with pytest.raises(SpecError) as info:
        load(str(path)).build()
    return info.value


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_assigning_outside_the_domain(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "s.x = 7\n")
    err = build_error(path)
    assert "in action Step" in str(err) and "outside the domain of x" in str(err)
    assert err.location is not None and err.location.line == line_of(path, "s.x = 7")


def test_reading_an_unknown_variable(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "s.x = s.y + 1\n")
    err = build_error(path)
    assert "unknown variable 'y'" in str(err) and "in action Step" in str(err)
    assert err.location is not None and err.location.line == line_of(path, "s.y")


def test_two_updates_of_one_variable(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "s.x = 1\ns.x = 2\n")
    err = build_error(path)
    assert "x is assigned twice" in str(err)
    assert err.location is not None and err.location.line == line_of(path, "s.x = 2")


def test_python_if_on_a_state_expression(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "if s.x > 1:\n    s.x = 0\n")
    err = build_error(path)
    assert "Python `if`" in str(err) and "ite(" in str(err)
    assert err.location is not None and err.location.line == line_of(path, "if s.x > 1")


def test_python_and_on_state_expressions(tmp_path: Path) -> None:
    err = build_error(spec_file(tmp_path, "s.require(s.flag and s.x > 0)\n"))
    assert "use ite(cond, a, b), &, |, ~" in str(err)


def test_boolean_assigned_an_integer(tmp_path: Path) -> None:
    err = build_error(spec_file(tmp_path, "s.flag = s.x + 1\n"))
    assert "flag is a boolean" in str(err)


def test_out_of_domain_at_run_time_names_the_action(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "s.x = s.x + 1\n")
    status, _, err = run_cli("check", str(path))
    assert status == 2
    assert f"bad.py:{line_of(path, 's.x = s.x + 1')}: in action Step: x would become 4" in err
    assert "Traceback" not in err


def test_a_python_error_in_the_spec_is_one_located_line(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "s.x = undefined_name\n")
    status, _, err = run_cli("check", str(path))
    assert status == 2 and err.count("\n") == 1
    assert f"bad.py:{line_of(path, 'undefined_name')}" in err and "NameError" in err


def test_syntax_error_in_a_spec(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text("from ccrverify.lang import Spec\nspec = Spec('X'\n")
    status, _, err = run_cli("check", str(path))
    assert status == 2 and "broken.py:" in err and "syntax error" in err


def test_a_module_without_a_spec(tmp_path: Path) -> None:
    path = tmp_path / "empty.py"
    path.write_text("x = 1\n")
    status, _, err = run_cli("check", str(path))
    assert status == 2 and "exactly one Spec" in err


def test_property_that_names_no_variable(tmp_path: Path) -> None:
    body = "s.x = ite(s.x < 3, s.x + 1, 0)\n"
    header = HEADER.replace("@spec.model", "@spec.invariant('P')\ndef p(s):\n"
                                           "    return s.nothing == 1\n\n@spec.model")
    path = spec_file(tmp_path, body, header)
    status, _, err = run_cli("check", str(path))
    assert status == 2
    assert "in property P: unknown variable 'nothing'" in err
    assert f"bad.py:{line_of(path, 's.nothing')}" in err


def test_unknown_knob_in_a_spec(tmp_path: Path) -> None:
    err = build_error(spec_file(tmp_path, "s.x = s.k.size\n"))
    assert "unknown knob 'size'" in str(err)


def test_property_that_names_no_state_variable(tmp_path: Path) -> None:
    header = HEADER.replace("@spec.model", "@spec.invariant('Vacuous')\ndef p(s):\n"
                                           "    return s.k.n > 0\n\n@spec.model")
    path = spec_file(tmp_path, "s.x = 0\n", header)
    status, _, err = run_cli("check", str(path))
    assert status == 2 and err.count("\n") == 1
    assert "property Vacuous names no state variable" in err
    assert f"bad.py:{line_of(path, 'def p(s)') - 1}" in err  # the decorator's line
