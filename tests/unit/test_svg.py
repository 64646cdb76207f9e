"""SVG pictures: well-formed, a lane per component, a mark per step, a cell
per sweep point."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from helpers import ROOT

from ccrverify.compile import compile_model
from ccrverify.explicit.bfs import check
from ccrverify.loader import load
from ccrverify.model import Model
from ccrverify.render.svg import heatmap_svg, timeline_svg
from ccrverify.request import Request
from ccrverify.sweep.executors import InlineExecutor
from ccrverify.sweep.grid import parse_axis
from ccrverify.sweep.runner import plan_sweep, run_sweep
from ccrverify.timeline import lanes_of, timeline
from ccrverify.trace import Trace

SVG = "{http://www.w3.org/2000/svg}"


def _counterexample(spec: str, prop: str, **knobs: object) -> tuple[Model, Trace]:
    model = load(str(ROOT / "specs" / spec)).build(knobs)
    trace = check(compile_model(model)).property(prop).trace
    assert trace is not None
    return model, trace


def _groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if cls in (g.get("class") or "").split()]


def test_split_brain_timeline_has_a_lane_per_component_and_a_mark_per_step() -> None:
    model, trace = _counterexample("ccr.py", "NoSplitBrain", renew_grace=3)
    picture = timeline(model, trace)
    root = ET.fromstring(timeline_svg(picture))
    assert root.tag == f"{SVG}svg"
    assert [g.get("data-lane") for g in _groups(root, "lane")] == ["A", "B", "W"]
    marks = _groups(root, "mark")
    assert [int(m.get("data-step", "")) for m in marks] == list(range(1, len(trace) + 1))
    assert [m.get("data-action") for m in marks] == trace.labels
    faults = [m.get("data-action") for m in _groups(root, "fault")]
    assert faults == ["Cut(AB)", "Cut(AW)"]
    # Cut(AB) is drawn on both node lanes, Cut(AW) on node A and the hub.
    assert [m.lanes for m in picture.marks[:2]] == [(0, 1), (0, 2)]
    # Role bands: B is passive until its failover, then active beside an active A.
    b_bands = [(b.start, b.end, b.value) for b in picture.bands if b.lane == 1]
    assert b_bands == [(0, 5, "passive"), (6, 6, "active")]
    assert [b.value for b in picture.bands if b.lane == 0] == ["active"]
    texts = "".join(root.itertext())
    assert "violation of NoSplitBrain" in texts and "Failover(B)" in texts


def test_models_without_hints_still_get_lanes() -> None:
    model, trace = _counterexample("examples/diehard.py", "NotSolved")
    picture = timeline(model, trace)
    root = ET.fromstring(timeline_svg(picture))
    assert [g.get("data-lane") for g in _groups(root, "lane")] == ["DieHard"]
    assert len(_groups(root, "mark")) == len(trace) == 6
    model = load(str(ROOT / "specs" / "examples" / "twophase.py")).build({"rm": 2})
    assert [lane.name for lane in lanes_of(model).lanes] == ["r1", "r2", "shared"]
    assert lanes_of(model).lanes[0].band_variable == "rm_state[r1]"


def test_heatmap_has_a_cell_per_point_with_its_verdict() -> None:
    loaded = load(str(ROOT / "specs" / "ccr.py"))
    axes = [parse_axis(a, loaded.spec.knobs) for a in ("renew_grace=1..3", "witness_lease=1..2")]
    plan = plan_sweep(loaded, {"max_faults": 2}, axes, "explicit", Request(("NoSplitBrain",)))
    result = run_sweep(plan, InlineExecutor())
    root = ET.fromstring(heatmap_svg(result, "NoSplitBrain"))
    cells = _groups(root, "cell")
    assert len(cells) == 6
    # Rows are renew_grace, columns witness_lease: holds exactly where grace <= lease.
    assert [c.get("data-verdict") for c in cells] == [
        "holds", "holds", "violated", "holds", "violated", "violated"]
