"""Synthesis: the exact safe set of a box, with proofs and counterexamples."""

import json
from pathlib import Path

import pytest

from ccrverify.api import concretizer
from ccrverify.cli import main
from ccrverify.compile import compile_model
from ccrverify.explicit.bfs import check
from ccrverify.loader import load
from ccrverify.request import Request
from ccrverify.symbolic.synthesis import box_points, describe, synthesize


@pytest.fixture()
def toy():
    return str(Path(__file__).parent / "symbolic_limitcap_spec.py")


def test_synthesis_agrees_with_the_explicit_engine_point_by_point(toy):
    loaded = load(toy)
    box = {"limit": (1, 5), "cap": (1, 5)}

    class _Target:
        knobs: dict = {}

    target = _Target()
    target.loaded = loaded
    result = synthesize(compile_model(loaded.build({}, symbolic=box)), "Capped",
                        concretizer(target))
    for point, verdict in result.verdicts.items():
        explicit = check(compile_model(loaded.build(dict(point))), Request(("Capped",)))
        assert verdict == explicit.property("Capped").verdict.kind, point
    assert result.constraint == "cap >= limit"
    # One proof covers many points; each unsafe point has a replayed counterexample.
    assert max(len(r.points) for r in result.regions) > 5
    assert {c.point for c in result.counterexamples} == {
        p for p, v in result.verdicts.items() if v == "violated"}
    assert result.calls["spacer"] < 5


def test_synthesize_json_has_one_entry_per_point(toy, capsys):
    status = main(["synthesize", toy, "--property", "Capped", "--knob", "limit=2..4",
                   "--knob", "cap=1..3", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert status == 0
    assert out["property"] == "Capped" and out["box"] == {"cap": [1, 3], "limit": [2, 4]}
    assert len(out["points"]) == 9
    verdicts = {(p["knobs"]["limit"], p["knobs"]["cap"]): p["verdict"] for p in out["points"]}
    assert verdicts[(2, 3)] == "holds" and verdicts[(4, 3)] == "violated"
    assert out["constraint"] == "cap >= limit"


def test_describe_finds_short_constraints():
    points = box_points({"a": (1, 4), "b": (1, 4)})
    assert describe(points, {p for p in points if dict(p)["a"] <= dict(p)["b"]}) == "a <= b"
    assert describe(points, {p for p in points if dict(p)["a"] >= 3}) == "a >= 3"
    assert describe(points, set(points)) == "true"
    assert describe(points, set()) == "false"
    both = {p for p in points if dict(p)["a"] <= 2 and dict(p)["b"] >= 2}
    assert describe(points, both) in ("a <= 2 ∧ b >= 2", "b >= 2 ∧ a <= 2")
    assert describe(points, {points[0], points[5], points[-1]}) is None


def test_synthesize_writes_each_region_certificate(toy, tmp_path, capsys):
    from ccrverify.symbolic.certificate import check_text

    status = main(["synthesize", toy, "--property", "Capped", "--knob", "limit=1..4",
                   "--knob", "cap=1..4", "--certificates", str(tmp_path / "proofs")])
    out = capsys.readouterr().out
    assert status == 0 and "proof 1:" in out
    files = sorted((tmp_path / "proofs").glob("region-*.smt2"))
    assert files
    for f in files:
        text = f.read_text()
        assert check_text(text).valid
        # The same proof claimed for every knob value (unsafe points included) fails.
        start = text.index("(define-fun knobs () Bool")
        end = text.index("\n(define-fun", start + 1)
        widened = text[:start] + "(define-fun knobs () Bool true)" + text[end:]
        assert not check_text(widened).valid
