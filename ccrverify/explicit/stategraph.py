"""The whole reachable state graph as arrays, for liveness and response times.

States get ids 0..N-1 in the order the search finds them (a BFS level is a
range of ids); the edges are three arrays sorted by source (source and target
ids as int32, the action instance as int16: 10 bytes an edge, no Python object
per edge) with row offsets. Each state keeps its BFS parent and the action
that first reached it: shortest prefixes for lassos.

States of at most 63 bits are expanded a level at a time by the numpy kernel;
wider ones one at a time by the generated Python kernel (slower, same graph).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ccrverify.compile import CompiledModel
from ccrverify.explicit.codegen import StateError, build_kernel
from ccrverify.request import Request
from ccrverify.trace import evaluation_error

MAX_BITS = 63


@dataclass
class StateGraph:
    states: Any  # packed state per id: an int64 array (a list of ints when wide)
    init: Any  # int64: ids of the initial states
    src: Any  # int32 per edge, sorted (the edges of a state are contiguous)
    dst: Any  # int32 per edge
    act: Any  # int16 per edge: the action instance
    offsets: Any  # int64, N + 1: state i's edges are offsets[i]:offsets[i + 1]
    parent: Any  # int32: BFS parent id (-1 for initial states)
    parent_action: Any  # int32: the action from the parent (-1 for initial states)
    depth: Any  # int32: BFS level
    complete: bool  # False when a state limit stopped the search
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
        """The initial state's id and the actions of a shortest path to `node`."""
        actions = []
        while self.parent[node] >= 0:
            actions.append(int(self.parent_action[node]))
            node = int(self.parent[node])
        return node, actions[::-1]

    def value(self, node: int) -> int:
        return int(self.states[node])


def build(compiled: CompiledModel, request: Request | None = None) -> StateGraph:
    request = request or Request()
    started = time.perf_counter()
    if compiled.layout.bits <= MAX_BITS:
        graph = _build_numpy(compiled, request)
    else:
        graph = _build_python(compiled, request)
    graph.seconds = time.perf_counter() - started
    return graph


def _build_numpy(compiled: CompiledModel, request: Request) -> StateGraph:
    """Breadth first, a level at a time; ids in discovery order, so a level is a
    contiguous range of ids and edges are stored as ids from the start."""
    from ccrverify.explicit.vector import build as vector_kernel

    kernel = vector_kernel(compiled)
    inits = np.unique(np.array(compiled.init_states(), dtype=np.int64))
    levels = [inits]
    parent = [np.full(len(inits), -1, dtype=np.int32)]
    via = [np.full(len(inits), -1, dtype=np.int32)]
    edges: list[tuple[Any, Any, Any]] = []  # per level: sources, targets, actions
    visited, visited_ids = inits, np.arange(len(inits), dtype=np.int32)
    base, count = 0, len(inits)  # the current level's first id, ids given so far
    stop = ""
    cut: list[Any] = []  # ids of sources that lost edges to the state limit
    level = inits
    try:
        while len(level):
            sources, targets, actions = [], [], []
            for index, action in enumerate(kernel.actions):
                mask, nxt = action(level)
                if nxt.size:
                    sources.append(np.flatnonzero(mask).astype(np.int32) + base)
                    targets.append(nxt)
                    actions.append(np.full(nxt.size, index, dtype=np.int16))
            if not targets:
                break
            candidates = np.concatenate(targets)
            fresh = ~_member(candidates, visited)
            new, first = np.unique(candidates[fresh], return_index=True)
            if request.max_states is not None and count + len(new) > request.max_states:
                stop = f"state limit {request.max_states:,} reached"
                room = max(0, request.max_states - count)
                new, first = new[:room], first[:room]
            new_ids = np.arange(count, count + len(new), dtype=np.int32)
            all_sources = np.concatenate(sources)
            all_actions = np.concatenate(actions)
            levels.append(new)
            parent.append(all_sources[fresh][first])
            via.append(all_actions[fresh][first])
            merged = np.concatenate([visited, new])
            order = np.argsort(merged, kind="stable")
            visited = merged[order]
            visited_ids = np.concatenate([visited_ids, new_ids])[order]
            where = np.searchsorted(visited, candidates)
            known = where < len(visited)
            known[known] = visited[where[known]] == candidates[known]  # beyond the limit: no
            cut.append(all_sources[~known])
            by_source = np.argsort(all_sources[known], kind="stable")
            edges.append((all_sources[known][by_source],
                          visited_ids[where[known]][by_source],
                          all_actions[known][by_source]))
            base, count = count, count + len(new)
            level = new
            if stop:
                break
    except StateError as err:
        raise _error(compiled, levels, parent, via, base, err.state) from None
    depth = np.concatenate([np.full(len(lv), d, dtype=np.int32) for d, lv in enumerate(levels)])
    states = np.concatenate(levels)
    src, dst, act = _joined(edges)
    expanded = None
    if stop:
        expanded = np.ones(len(states), dtype=bool)
        expanded[np.concatenate(cut)] = False
        expanded[count - len(level):] = False  # the last level was never expanded
    return StateGraph(states, np.arange(len(inits), dtype=np.int64), src, dst, act,
                      _offsets(src, len(states)), np.concatenate(parent), np.concatenate(via),
                      depth, not stop, stop, expanded=expanded)


def _joined(edges: list[tuple[Any, Any, Any]]) -> tuple[Any, Any, Any]:
    """The levels' edges in one set of arrays, each level freed once copied (the
    edges are most of the memory: never hold two copies of them)."""
    total = sum(len(e[0]) for e in edges)
    src = np.empty(total, dtype=np.int32)
    dst = np.empty(total, dtype=np.int32)
    act = np.empty(total, dtype=np.int16)
    at = 0
    edges.reverse()
    while edges:
        s, d, a = edges.pop()
        src[at:at + len(s)], dst[at:at + len(s)], act[at:at + len(s)] = s, d, a
        at += len(s)
    return src, dst, act


def _offsets(src: Any, n: int) -> Any:
    offsets = np.zeros(n + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(np.bincount(src, minlength=n))
    return offsets


def _member(values: Any, sorted_array: Any) -> Any:
    where = np.searchsorted(sorted_array, values)
    found = where < len(sorted_array)
    found[found] = sorted_array[where[found]] == values[found]
    return found


def _error(compiled: CompiledModel, levels: list[Any], parent: list[Any], via: list[Any],
           base: int, state: int) -> Exception:
    """The evaluation error met in `state` (of the level being expanded), with a
    shortest trace to it."""
    states = np.concatenate(levels)
    parents = np.concatenate(parent)
    actions_of = np.concatenate(via)
    node = base + int(np.flatnonzero(levels[-1] == state)[0])
    actions = []
    while parents[node] >= 0:
        actions.append(int(actions_of[node]))
        node = int(parents[node])
    init_index = compiled.init_states().index(int(states[node]))
    return evaluation_error(compiled, init_index, actions[::-1])


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
        init_index = compiled.init_states().index(order[node])
        raise evaluation_error(compiled, init_index, actions[::-1]) from None
    init = np.array([ids[s] for s in dict.fromkeys(compiled.init_states())], dtype=np.int64)
    sources = np.array(src, dtype=np.int32)  # in BFS order: already sorted by source
    expanded = None
    if stop:
        expanded = np.ones(len(order), dtype=bool)
        expanded[list(cut)] = False
    return StateGraph(order, init, sources, np.array(dst, dtype=np.int32),
                      np.array(act, dtype=np.int16), _offsets(sources, len(order)),
                      np.array(parent, dtype=np.int32), np.array(parent_action, dtype=np.int32),
                      np.array(depth, dtype=np.int32), not stop, stop, expanded=expanded)
