"""State graph export: every state and transition, labels, violations, limits."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from helpers import run_cli

NS = {"g": "http://graphml.graphdrawing.org/xmlns"}


def _graphml(path: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    root = ET.parse(path).getroot()
    names = {k.get("id"): k.get("attr.name") for k in root.findall("g:key", NS)}

    def data(element: ET.Element) -> dict[str, str]:
        return {names[d.get("key")]: d.text or "" for d in element.findall("g:data", NS)}

    graph = root.find("g:graph", NS)
    assert graph is not None
    return ([data(n) | {"id": n.get("id", "")} for n in graph.findall("g:node", NS)],
            [data(e) for e in graph.findall("g:edge", NS)])


def test_diehard_graphml_has_every_state_marked(tmp_path: Path) -> None:
    out = tmp_path / "diehard.graphml"
    status, text, _ = run_cli("graph", "examples/diehard", "--out", str(out))
    assert status == 0 and "16 states" in text
    nodes, edges = _graphml(out)
    assert len(nodes) == 16  # 4 x 6 jug contents, of which 16 are reachable
    violating = [n for n in nodes if n["violating"] == "True"]
    assert violating and all("big=4" in n["label"] for n in violating)
    assert all(n["violates"] == "NotSolved" for n in violating)
    assert sum(1 for n in nodes if "big=4" in n["label"]) == len(violating)
    assert [n for n in nodes if n["initial"] == "True"][0]["label"] == "small=0, big=0"
    assert len(edges) == 16 * 6  # every action is enabled everywhere in DieHard
    assert {e["action"] for e in edges} == {"FillSmall", "FillBig", "EmptySmall", "EmptyBig",
                                            "SmallToBig", "BigToSmall"}


def test_dot_output_and_size_limit(tmp_path: Path) -> None:
    out = tmp_path / "ccr.dot"
    status, text, _ = run_cli("graph", "ccr", "--set", "max_faults=0", "--out", str(out))
    assert status == 0 and "74 states" in text
    dot = out.read_text()
    assert dot.startswith('digraph "CCR" {') and dot.rstrip().endswith("}")
    assert dot.count(" -> ") == 172 and dot.count('shape=box') == 1
    assert 'role[A]=active' in dot
    status, _, err = run_cli("graph", "ccr", "--out", str(out), "--limit", "1000")
    assert status == 2 and "more than 1,000 states" in err
    status, _, err = run_cli("graph", "ccr", "--out", str(tmp_path / "x.png"))
    assert status == 2 and ".graphml or .dot" in err
