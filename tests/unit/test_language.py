"""Language features beyond the bundled specs: several initial states, maps read
at a state-dependent key, enumerations, knobs in domains."""

from __future__ import annotations

from pathlib import Path

from helpers import run_json

from ccrverify.compile import compile_model
from ccrverify.explicit.bfs import check
from ccrverify.loader import load

SPEC = '''
from ccrverify.lang import ANY, Bool, Enum, IntRange, OneOf, Spec, ite
spec = Spec("Ring")
spec.knob("size", 3, "ring size", lo=2, hi=5)
COLOR = Enum("Color", ["red", "green"])

@spec.model
def build(m):
    cells = m.index("Cell", range(m.k.size))
    m.var("token", IntRange(0, m.k.size - 1), init=OneOf([0, 1]))
    m.var("color", COLOR, over=cells, init="red")
    m.var("seen", Bool(), init=ANY)

    @m.action(c=cells)
    def paint(s, c):
        """Cell {c} holds the token and turns green."""
        s.require((s.token == c) & (s.color[c] == "red"))
        s.color[c] = "green"
        s.token = (c + 1) % m.k.size
        s.seen = s.color[ite(s.token == 0, 1, 0)] == "green"

@spec.invariant("NotAllGreen", "Some cell stays red.")
def not_all_green(s):
    return ~(s.color[0] == "green") | ~(s.color[s.k.size - 1] == "green") | ~(s.color[1] == "green")
'''


def ring(tmp_path: Path) -> Path:
    path = tmp_path / "ring.py"
    path.write_text(SPEC)
    return path


def test_several_initial_states(tmp_path: Path) -> None:
    model = compile_model(load(str(ring(tmp_path))).build())
    assert len(model.init_states()) == 4  # token 0 or 1, seen false or true


def test_shortest_counterexample_picks_the_best_initial_state(tmp_path: Path) -> None:
    result = check(compile_model(load(str(ring(tmp_path))).build({"size": 4})))
    trace = result.property("NotAllGreen").trace
    assert trace is not None and len(trace) == 4
    assert trace.labels[0] in ("Paint(0)", "Paint(1)")
    assert result.property("DeadlockFree").verdict.kind == "violated"  # all green: stuck


def test_map_read_at_a_state_dependent_key(tmp_path: Path) -> None:
    result = check(compile_model(load(str(ring(tmp_path))).build({"size": 2})))
    trace = result.property("NotAllGreen").trace
    assert trace is not None
    # seen' = color[the other cell] == green: painting the second cell of a 2-ring sees it.
    assert trace.steps[-1].state["seen"] is True


def test_knob_upper_bound_and_docstring_explanations(tmp_path: Path) -> None:
    status, data = run_json("check", str(ring(tmp_path)), "--set", "size=5")
    assert status == 1 and data["knobs"]["size"] == 5
    from helpers import run_cli

    status, _, err = run_cli("check", str(ring(tmp_path)), "--set", "size=6")
    assert status == 2 and "size = 6 is out of range" in err and "2..5" in err
    model = load(str(ring(tmp_path))).build()
    assert model.actions[1].doc == "Cell 1 holds the token and turns green."
