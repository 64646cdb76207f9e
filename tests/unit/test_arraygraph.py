"""The array graph algorithms against networkx, and the state graph the numpy
search records against the one the python backend builds state by state."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pytest
from helpers import compiled, graph_spec

from ccrverify.compile import compile_model
from ccrverify.explicit import stategraph
from ccrverify.explicit.arraygraph import components, edges_of, reach
from ccrverify.loader import load
from ccrverify.request import Request


def random_graph(rng: Any) -> tuple[int, Any, Any, Any]:
    """Edges sorted by source, with repeated edges and self-loops (a state graph
    has both: two actions to one successor, actions that change nothing)."""
    n = int(rng.integers(1, 40))
    m = int(rng.integers(0, 120))
    src = np.sort(rng.integers(0, n, m)).astype(np.int32)
    dst = rng.integers(0, n, m).astype(np.int32)
    return n, src, dst, rng.random(m) < 0.8


def test_components_agree_with_networkx() -> None:
    rng = np.random.default_rng(7)
    for _ in range(300):
        n, src, dst, keep = random_graph(rng)
        labels = components(n, src, dst, keep)
        mine = {frozenset(np.flatnonzero(labels == c).tolist()) for c in set(labels.tolist())}
        graph = nx.DiGraph()
        graph.add_nodes_from(range(n))
        graph.add_edges_from(zip(src[keep].tolist(), dst[keep].tolist(), strict=True))
        assert mine == {frozenset(c) for c in nx.strongly_connected_components(graph)}


def test_a_long_chain_into_a_cycle_outlasts_the_trimming() -> None:
    # 3000 states in a line, then a cycle of three: trimming gives up (its work is
    # capped) and the decomposition finds the one cycle among what is left.
    n = 3003
    src = np.arange(n, dtype=np.int32)
    dst = np.r_[np.arange(1, n), 3000].astype(np.int32)
    labels = components(n, src, dst, np.ones(n, dtype=bool))
    assert len(set(labels.tolist())) == 3001
    assert labels[3000] == labels[3001] == labels[3002] != labels[2999]


def test_reach_agrees_with_networkx() -> None:
    rng = np.random.default_rng(8)
    for _ in range(300):
        n, src, dst, allowed = random_graph(rng)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=offsets[1:])
        inside = rng.random(n) < 0.8
        roots = rng.integers(0, n, int(rng.integers(0, 4)))
        graph = nx.DiGraph()
        graph.add_nodes_from(np.flatnonzero(inside).tolist())
        graph.add_edges_from((int(u), int(v)) for u, v, a in zip(src, dst, allowed, strict=True)
                             if a and inside[u] and inside[v])
        want = set()
        for r in roots.tolist():
            if inside[r]:
                want |= {r} | nx.descendants(graph, r)
        assert set(np.flatnonzero(reach(offsets, dst, roots, inside, allowed)).tolist()) == want


def test_edges_of_lists_each_row() -> None:
    offsets = np.array([0, 2, 2, 5, 6])
    assert edges_of(offsets, np.array([2, 0])).tolist() == [2, 3, 4, 0, 1]
    assert edges_of(offsets, np.array([1])).tolist() == []


@pytest.mark.parametrize(("spec", "knobs"), [
    ("examples/twophase.py", {"rm": 3}),
    ("examples/peterson.py", {}),
    ("ccr.py", {"messages": 1}),
    ("pacemaker.py", {"a_returns": False}),
])
def test_the_recorded_graph_is_the_python_backends(spec: str, knobs: dict[str, Any]) -> None:
    model = compiled(spec, **knobs)
    mine, result = stategraph.build(model, Request(), "numpy")
    plain, _ = stategraph.build(model, Request(), "python")
    assert result is not None and result.stats.distinct_states == mine.size == plain.size
    assert mine.depth.tolist() == plain.depth.tolist()

    def edges(graph: stategraph.StateGraph, value: Any) -> list[tuple[Any, Any, int]]:
        return sorted((value(s), value(d), a) for s, d, a in zip(
            graph.src.tolist(), graph.dst.tolist(), graph.act.tolist(), strict=True))

    words = mine.states
    assert edges(mine, lambda i: tuple(words[:, i].tolist())) == edges(
        plain, lambda i: tuple(_words(model, plain.states[i])))
    assert len(mine.act) == result.stats.transitions
    for node in (0, mine.size // 2, mine.size - 1):  # shortest paths from the same start
        assert len(mine.path_to(node)[1]) == len(plain.path_to(node)[1])


def _words(model: Any, packed: int) -> list[int]:
    from ccrverify.explicit.words import WordLayout

    layout = WordLayout.of(model)
    return layout.pack(model.layout.unpack(packed))


@pytest.mark.parametrize("first_parent", [0, 2**30])  # candidate ids past 2**31 too
def test_the_edge_log_sorts_and_resolves_a_group_of_edges(first_parent: int) -> None:
    rng = np.random.default_rng(3)
    actions, base, first = 7, 1000, 5000
    cids = np.unique(first_parent * actions + rng.integers(0, 4000, 600))
    rng.shuffle(cids)
    new_ids = np.unique(rng.choice(cids, 50))  # new states: their first transitions
    targets = rng.integers(0, first, len(cids))  # states of earlier levels ...
    new = rng.random(len(cids)) < 0.5  # ... or new ones (provisional: -1 - its id)
    targets[new] = -1 - rng.choice(new_ids, int(new.sum()))
    cut = rng.random(len(cids)) < 0.1  # a state the state limit left out
    targets[cut] = -1 - (first_parent * actions + 5000)
    log = stategraph.EdgeLog(actions)
    log.base = base
    log._append(cids.copy(), targets.copy(), new_ids, first)
    src, dst, act = log.edges[0]
    assert (src.dtype, dst.dtype, act.dtype) == (np.int32, np.int32, np.int16)
    kept = np.argsort(cids)
    kept = kept[~cut[kept]]
    want_dst = np.where(targets[kept] >= 0, targets[kept],
                        first + np.searchsorted(new_ids, -1 - targets[kept]))
    assert src.tolist() == (base + cids[kept] // actions).tolist()
    assert act.tolist() == (cids[kept] % actions).tolist()
    assert dst.tolist() == want_dst.tolist()
    assert sorted(np.concatenate(log.cut).tolist()) == sorted(
        (base + cids[cut] // actions).tolist())


def test_the_visited_set_keeps_values_through_growth_and_widening() -> None:
    from ccrverify.explicit.rowset import RowSet

    rows = np.arange(5000, dtype=np.int64)[None, :] * 7919 % 100_003
    visited = RowSet(1, capacity=16, keep_values=True)  # grows many times
    met = np.empty(5000, dtype=np.int64)
    new = visited.add(rows, values=-1 - np.arange(5000), met=met)
    assert new.all() and (met == -1 - np.arange(5000)).all()
    visited.widen()
    visited.set_values(rows[:, :10], np.arange(2**40, 2**40 + 10))
    again = np.empty(20, dtype=np.int64)
    assert not visited.add(rows[:, :20], values=np.zeros(20, np.int64), met=again).any()
    assert again[:10].tolist() == list(range(2**40, 2**40 + 10))
    assert again[10:].tolist() == (-1 - np.arange(10, 20)).tolist()


WIDE_LIVE = '''"""Two 40-bit counters (states of two words): each rises to the top, fairly."""
from ccrverify.lang import IntRange, Spec

spec = Spec("WideLive", __doc__)
spec.knob("fair", True, "weak fairness of Up")
TOP = 2**40 - 1


@spec.model
def build(m):
    cs = m.index("C", ["a", "b"])
    m.var("c", IntRange(0, TOP), over=cs, init=TOP - 3)

    @m.action(i=cs, name="Up", fair="weak" if m.k.fair else None)
    def up(s, i):
        s.require(s.c[i] < TOP)
        s.c[i] = s.c[i] + 1


@spec.eventually("BothTop", "Both counters reach the top.")
def both_top(s):
    return (s.c["a"] == TOP) & (s.c["b"] == TOP)
'''


@pytest.mark.parametrize("fair", [True, False])
def test_liveness_on_states_of_several_words(tmp_path: Any, fair: bool) -> None:
    from helpers import run_json

    spec = tmp_path / "wide_live.py"
    spec.write_text(WIDE_LIVE)
    verdicts = {}
    for engine in ("numpy", "python"):
        status, data = run_json("check", str(spec), "--set", f"fair={str(fair).lower()}",
                                "--engine", engine, "--property", "BothTop")
        verdicts[engine] = (status, data["stats"]["distinct_states"],
                            data["properties"][0]["verdict"])
    assert verdicts["numpy"] == verdicts["python"] == (
        (0, 16, "holds") if fair else (1, 16, "violated"))


def test_the_recorded_graph_is_the_same_with_two_workers(monkeypatch: Any) -> None:
    from ccrverify.explicit import search

    monkeypatch.setattr(search, "MIN_CHUNK", 64)  # many chunks, several batches
    monkeypatch.setattr(search, "BATCH", 500)
    model = compiled("examples/twophase.py", rm=4)
    alone, _ = stategraph.build(model, Request(), "numpy")
    both, _ = stategraph.build(model, Request(workers=2), "numpy")
    for name in ("src", "dst", "act", "parent", "parent_action", "depth"):
        assert getattr(both, name).tolist() == getattr(alone, name).tolist(), name


def many_groups(tmp_path: Any) -> Any:
    """100 edges on 12 states, each edge an action of its own fairness: more than
    64 groups (two words of them), self-loops fair and unfair among them (state 11's
    only fair edge is one)."""
    rng = np.random.default_rng(5)
    edges = [(int(u), int(v), str(f) if f != "none" else None) for u, v, f in zip(
        rng.integers(0, 11, 100), rng.integers(0, 12, 100),
        rng.choice(["weak", "strong", "none"], 100, p=[0.6, 0.2, 0.2]), strict=True)]
    edges += [(v, (v + 1) % 12, None) for v in range(12)]  # every state reachable
    edges += [(3, 3, "weak"), (5, 5, None), (11, 11, "strong")]
    return compile_model(load(graph_spec(tmp_path, 12, edges, [0])).build({}))


@pytest.mark.parametrize("model_of", [
    lambda _: compiled("pacemaker.py", a_returns=False), many_groups])
def test_group_bits_are_each_states_groups_whatever_the_slices(
        monkeypatch: Any, tmp_path: Any, model_of: Any) -> None:
    from ccrverify.explicit import liveness

    model = model_of(tmp_path)
    graph, _ = stategraph.build(model, Request(), "numpy")
    whole = liveness.Analysis(model, graph)
    monkeypatch.setattr(liveness, "SLICE", 7)  # many slices, rows longer than one
    sliced = liveness.Analysis(model, graph)
    groups = whole.groups.of_action[graph.act]
    for node in range(graph.size):
        row = graph.out_edges(node)
        mine = {int(x) for x in groups[row] if x >= 0}
        loops = {int(x) for x, d in zip(groups[row], graph.dst[row], strict=True)
                 if x >= 0 and d == node}
        for analysis in (whole, sliced):
            bits = np.unpackbits(analysis.group_bits[node], bitorder="little")
            assert set(np.flatnonzero(bits).tolist()) == mine
            has_loop = bool((graph.dst[row] == node).any())
            assert analysis.loop_fair[node] == (has_loop and mine <= loops)
