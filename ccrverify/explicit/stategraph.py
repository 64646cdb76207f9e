"""The whole reachable state graph as arrays, for liveness and response times.

States get ids 0..N-1 in the order the search finds them (a BFS level is a
range of ids); the edges are three arrays sorted by source (source and target
ids as int32, the action instance as int16: 10 bytes an edge, no Python object
per edge) with row offsets. Each state keeps its BFS parent and the action
that first reached it: shortest prefixes for lassos.

The numpy backend records the graph during its ordinary search (`search.py`
with an `EdgeLog`), which decides the safety properties in the same pass; the
python backend builds it one state at a time with the generated Python kernel
(the independent cross-check: slower, same graph).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ccrverify.compile import CompiledModel
from ccrverify.errors import UsageError
from ccrverify.explicit import heap
from ccrverify.explicit.codegen import StateError, build_kernel
from ccrverify.explicit.expand import in_bfs_order
from ccrverify.explicit.levels import MemoryLevels
from ccrverify.explicit.rowset import VisitedSet
from ccrverify.request import Request
from ccrverify.result import CheckResult
from ccrverify.trace import evaluation_error


@dataclass
class StateGraph:
    states: Any  # every state by id: a (W, N) int64 batch (a list of packed ints: python)
    init: Any  # int64: ids of the initial states
    init_index: Any  # int64 per initial state: its index in CompiledModel.init_states()
    src: Any  # int32 per edge, sorted (the edges of a state are contiguous)
    dst: Any  # int32 per edge
    act: Any  # int16 per edge: the action instance
    offsets: Any  # int64, N + 1: state i's edges are offsets[i]:offsets[i + 1]
    parent: Any  # int32: BFS parent id (-1 for initial states)
    parent_action: Any  # int32: the action from the parent (-1 for initial states)
    depth: Any  # int32: BFS level
    complete: bool  # False when a state limit (or an interruption) stopped the search
    stop_reason: str = ""
    seconds: float = 0.0
    # Of a partial graph: the states whose successors are all recorded (None when
    # complete). A cycle may only be judged among these: a state cut off by the
    # limit looks terminal, and stuttering there would look fair.
    expanded: Any = None

    def fully_expanded(self) -> Any:
        return np.ones(self.size, dtype=bool) if self.expanded is None else self.expanded

    @property
    def size(self) -> int:
        return len(self.parent)

    def out_edges(self, node: int) -> Any:
        """The ids of the edges leaving `node`."""
        return np.arange(self.offsets[node], self.offsets[node + 1])

    def path_to(self, node: int) -> tuple[int, list[int]]:
        """The initial state's index (in `CompiledModel.init_states()`) and the
        actions of a shortest path to `node`."""
        actions = []
        while self.parent[node] >= 0:
            actions.append(int(self.parent_action[node]))
            node = int(self.parent[node])
        return int(self.init_index[np.searchsorted(self.init, node)]), actions[::-1]


def build(compiled: CompiledModel, request: Request | None = None,
          backend: str = "numpy") -> tuple[StateGraph, CheckResult | None]:
    """The state graph, and (numpy) the safety verdicts of the same search."""
    request = request or Request()
    started = time.perf_counter()
    if backend == "numpy":
        graph, result = _build_numpy(compiled, request)
    else:
        graph, result = _build_python(compiled, request), None
    graph.seconds = time.perf_counter() - started
    heap.release()  # the search's freed temporaries, before the liveness phases
    return graph, result


def _build_numpy(compiled: CompiledModel, request: Request
                 ) -> tuple[StateGraph, CheckResult]:
    """The numpy search (`search.py`), keeping every level's states and every
    transition: ids are given in BFS order, so a level is a range of ids."""
    from ccrverify.explicit.search import Search
    from ccrverify.explicit.vector import build as vector_kernel

    assert request.memory is None and request.checkpoint is None, "the graph is in memory"
    started = time.perf_counter()
    log = EdgeLog(len(compiled.actions))
    # Unreduced: a lasso through orbit representatives need not be a real lasso.
    search = Search(compiled, replace(request, symmetry=False),
                    kernel=vector_kernel(compiled, with_twins=False), edges=log)
    search.keep_states = True
    try:
        search.run()
        result = search.result(time.perf_counter() - started)
    finally:
        search.close()
    search.visited = VisitedSet(search.words)  # the ids are in the edges now: free it
    levels = search.levels
    assert isinstance(levels, MemoryLevels)
    sizes = [len(p) for p in levels.parents]
    firsts = np.concatenate([[0], np.cumsum(sizes)])
    parent = np.full(int(firsts[-1]), -1, dtype=np.int32)
    via = np.full(int(firsts[-1]), -1, dtype=np.int32)
    for d in range(1, len(sizes)):
        parent[firsts[d]:firsts[d + 1]] = levels.parents[d] + firsts[d - 1]
        via[firsts[d]:firsts[d + 1]] = levels.actions[d]
    depth = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
    states = (np.concatenate(search.kept, axis=1) if search.kept
              else np.zeros((search.words, 0), dtype=np.int64))
    search.kept.clear()
    src, dst, act = log.joined()
    expanded = None
    complete = search.finished
    if not complete:
        expanded = np.ones(len(parent), dtype=bool)
        if log.cut:
            expanded[np.concatenate(log.cut)] = False
        expanded[log.base:] = False  # the states after the last level done: never expanded
    n_init = sizes[0] if sizes else 0
    graph = StateGraph(states, np.arange(n_init, dtype=np.int64),
                       levels.parents[0].astype(np.int64) if sizes else np.zeros(0, np.int64),
                       src, dst, act, _offsets(src, len(parent)), parent, via, depth,
                       complete, search.stop_reason, expanded=expanded)
    return graph, result


class EdgeLog:
    """Every transition of a numpy search, as edges between state ids.

    The search gives each state an id in BFS order (the level's order is known once
    the level is done). While a level is expanded, a candidate that meets a state
    of an earlier level reads that state's id from the visited set; one that meets
    (or is) a new state reads a provisional id: the candidate id of the new state's
    first transition, made negative. When the level is done its new states are
    numbered, their ids stored in the visited set, and the provisional targets
    resolved; an edge to a state the state limit left out is dropped and its
    source marked as not fully expanded."""

    def __init__(self, actions: int) -> None:
        self.actions = actions
        self.base = 0  # the id of the first state of the level being expanded
        self.count = 0  # ids given so far
        # The level's groups of transitions, in level order (a group's sources
        # follow the previous group's): candidate ids, their targets, self-loop ids.
        self.pending: list[tuple[Any, Any, Any]] = []
        self.edges: list[tuple[Any, Any, Any]] = []  # per group: sources, targets, actions
        self.cut: list[Any] = []  # ids of sources that lost edges to the state limit

    def candidates(self, ids: Any, met: Any, loops: Any) -> None:
        self.pending.append((ids, met, loops))

    def level(self, search: Any, new_ids: Any) -> None:
        """The level is done: `new_ids` are its new states' candidate ids, sorted;
        the first len(search.frontier) of them were accepted."""
        accepted = search.frontier.shape[1]
        first = self.count
        if first + accepted >= 2**31:  # ids are int32 in the edges
            raise UsageError("a state graph of more than 2**31 states is beyond the temporal "
                             "properties' arrays", hint="check the safety properties alone "
                             "(--property), or reduce the model's knobs")
        if accepted:
            search.visited.set_values(search.frontier,
                                      np.arange(first, first + accepted, dtype=np.int64))
        new_ids = new_ids[:accepted]
        self.pending.reverse()
        while self.pending:  # a group at a time, freed as it goes: small temporaries
            ids, targets, loops = self.pending.pop()
            if loops is not None and loops.size:
                ids = np.concatenate([ids, loops])
                targets = np.concatenate([targets, self.base + loops // self.actions])
            self._append(ids, targets, new_ids, first)
        self.base, self.count = first, first + accepted

    def _append(self, cids: Any, targets: Any, new_ids: Any, first: int) -> None:
        fresh = np.flatnonzero(targets < 0)
        wanted = -1 - targets[fresh]
        where = np.searchsorted(new_ids, wanted)
        targets[fresh] = first + where
        lost = fresh[new_ids.take(where, mode="clip") != wanted] if len(new_ids) else fresh
        if lost.size:  # edges to states beyond the state limit
            self.cut.append(self.base + cids[lost] // self.actions)
            keep = np.ones(len(cids), dtype=bool)
            keep[lost] = False
            cids, targets = cids[keep], targets[keep]
        if cids.size and int(cids.max()) < 2**31:
            # Sorted as one word per edge, (candidate id, target): no permutation to
            # apply afterwards (targets are below 2**31), and the rest in int32.
            packed = (cids << 32) | targets
            packed.sort()
            cids = (packed >> 32).astype(np.int32)
            targets = (packed & (2**32 - 1)).astype(np.int32)
        else:
            order = in_bfs_order(cids, cids.size)
            cids, targets = cids[order], targets[order].astype(np.int32)
        # (numpy divides by one number fast; np.divmod is several times slower)
        parent = cids // self.actions
        action = (cids - parent * self.actions).astype(np.int16)
        self.edges.append(((parent + self.base).astype(np.int32, copy=False), targets, action))

    def joined(self) -> tuple[Any, Any, Any]:
        return _joined(self.edges)


def _joined(edges: list[tuple[Any, Any, Any]]) -> tuple[Any, Any, Any]:
    """The groups' edges in one set of arrays, an array kind at a time, each kind's
    parts freed once copied and their pages handed back (the edges are most of the
    memory: the peak holds one kind twice, not all of them)."""
    kinds: list[list[Any]] = [[], [], []]
    for group in edges:
        for parts, array in zip(kinds, group, strict=True):
            parts.append(array)
    edges.clear()
    joined: list[Any] = []
    for parts, dtype in zip(kinds, (np.int32, np.int32, np.int16), strict=True):
        if joined:  # the previous kind's parts' pages, else the copy lands beside them
            heap.release()
        joined.append(np.concatenate(parts) if parts else np.zeros(0, dtype))
        parts.clear()
    return joined[0], joined[1], joined[2]


def _offsets(src: Any, n: int) -> Any:
    """Row offsets of edges sorted by source (a binary search per row: bincount would
    first copy every source into a wider integer)."""
    return np.searchsorted(src, np.arange(n + 1, dtype=src.dtype)).astype(np.int64)


def _build_python(compiled: CompiledModel, request: Request) -> StateGraph:
    kernel = build_kernel(compiled)
    ids: dict[int, int] = {}
    order: list[int] = []
    parent: list[int] = []
    parent_action: list[int] = []
    depth: list[int] = []
    for s in compiled.init_states():
        if s not in ids:
            ids[s] = len(order)
            order.append(s)
            parent.append(-1)
            parent_action.append(-1)
            depth.append(0)
    src: list[int] = []
    dst: list[int] = []
    act: list[int] = []
    head = 0
    stop = ""
    cut: set[int] = set()  # sources that lost edges to the state limit
    try:
        while head < len(order):
            state = order[head]
            for action, successor in kernel.successors(state):
                target = ids.get(successor)
                if target is None:
                    if request.max_states is not None and len(order) >= request.max_states:
                        stop = f"state limit {request.max_states:,} reached"
                        cut.add(head)
                        continue
                    target = ids[successor] = len(order)
                    order.append(successor)
                    parent.append(head)
                    parent_action.append(action)
                    depth.append(depth[head] + 1)
                src.append(head)
                dst.append(target)
                act.append(action)
            head += 1
    except StateError as err:
        node = ids[err.state]
        actions = []
        while parent[node] >= 0:
            actions.append(parent_action[node])
            node = parent[node]
        start = compiled.init_index(compiled.layout.unpack(order[node]))
        assert start is not None, "a path starts in an initial state"
        raise evaluation_error(compiled, start, actions[::-1]) from None
    inits = compiled.init_states()
    first_index: dict[int, int] = {}  # each initial state's first index
    for i, s in enumerate(inits):
        first_index.setdefault(s, i)
    init = np.array([ids[s] for s in first_index], dtype=np.int64)  # 0, 1, ...: sorted
    init_index = np.array(list(first_index.values()), dtype=np.int64)
    sources = np.array(src, dtype=np.int32)  # in BFS order: already sorted by source
    expanded = None
    if stop:
        expanded = np.ones(len(order), dtype=bool)
        expanded[list(cut)] = False
    return StateGraph(order, init, init_index, sources, np.array(dst, dtype=np.int32),
                      np.array(act, dtype=np.int16), _offsets(sources, len(order)),
                      np.array(parent, dtype=np.int32), np.array(parent_action, dtype=np.int32),
                      np.array(depth, dtype=np.int32), not stop, stop, expanded=expanded)
