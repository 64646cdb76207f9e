"""Liveness and response times on the explicit state graph.

Semantics (TLA+'s): a behaviour is infinite; a state in which nothing happens
stutters. Fairness is per group of action instances (`ActionInstance.fair_key`):
- weak: a group enabled in every state from some point on is taken infinitely often;
- strong: a group enabled infinitely often is taken infinitely often.
A behaviour of a finite graph ends in a cycle, or stutters forever in one state.
A cycle is fair when every weak group is taken on it or disabled in one of its
states, and every strong group is taken on it or disabled in all of them;
stuttering forever is fair only where no fair group is enabled.

Fair cycles are found by strongly connected components (`arraygraph.py`, over
the edge arrays) among the states where the goal fails (a single state with
self-loops is judged once per graph); only if there is one does the search
from the property's starts run, to see whether they reach it. A
component holds a fair cycle under weak fairness exactly when every weak
group is taken inside it or disabled somewhere in it (a closed walk through
all its edges is then fair); strong fairness needs the usual refinement
(Emerson and Lei 1987; Couvreur 1999): drop the states where an untaken
strong group is enabled and decompose again.
The reported lasso is built from edges to satisfy every group on its own cycle,
and `ccrverify.trace.replay_lasso` checks its fairness on that cycle, never on
the component (the false "no violation" several tools shipped).

Response times (PROTOCOL.md, FailoverTime): from a trigger state, with the
`quiet` classes not happening and the clock advancing only where no protocol
action is enabled, the worst case number of clock ticks to the response is a
longest path in a DAG, or "never" when a cycle or a dead end avoids the response.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ccrverify.compile import CompiledModel
from ccrverify.explicit import arraygraph, heap
from ccrverify.explicit.expand import in_bfs_order
from ccrverify.explicit.masks import masks
from ccrverify.explicit.stategraph import StateGraph
from ccrverify.model import ActionClass, Fairness, Property, PropertyKind, fairness_groups
from ccrverify.result import PropertyResult, Verdict
from ccrverify.trace import evaluation_error, replay_lasso


@dataclass(frozen=True)
class Groups:
    """The fairness groups of a model: which instances each covers, and its kind."""

    names: tuple[str, ...]
    kinds: tuple[Fairness, ...]
    of_action: Any  # int32 per action instance: its group, or -1

    @staticmethod
    def of(compiled: CompiledModel) -> Groups:
        groups = fairness_groups(compiled.actions)
        of_action = np.full(len(compiled.actions), -1, dtype=np.int32)
        for index, (_, members) in enumerate(groups.values()):
            of_action[members] = index
        return Groups(tuple(groups), tuple(kind for kind, _ in groups.values()), of_action)

    def describe(self, compiled: CompiledModel) -> tuple[str, ...]:
        """The assumptions, one line per kind, by action name: ``weak, each instance:
        Claim, Tick, ...`` (``Name (together)`` when one constraint covers all of an
        action's instances)."""
        out = []
        for kind in Fairness:
            each, together, some = [], [], []
            for name in dict.fromkeys(a.name for a in compiled.actions):
                instances = [a for a in compiled.actions if a.name == name]
                fair = [a for a in instances if a.fairness == kind]
                if not fair:
                    continue
                if len(fair) < len(instances):
                    some += [a.label for a in fair]
                elif len({a.fair_key for a in fair}) == 1 and len(fair) > 1:
                    together.append(f"{name} (together)")
                else:
                    each.append(name)
            names = each + together + some
            if names:
                out.append(f"{kind.value}: {', '.join(names)}")
        return tuple(out) or ("none: every behaviour counts",)


class Analysis:
    """One graph and the facts every temporal property of it needs."""

    def __init__(self, compiled: CompiledModel, graph: StateGraph) -> None:
        self.compiled = compiled
        self.graph = graph
        self.n = graph.size
        self.groups = Groups.of(compiled)
        enabled, self.loop_fair = self._enabled_groups()
        # eight groups a byte, in bit order: the little-endian words' bytes
        self.group_bits = enabled.view(np.uint8)[:, :(len(self.groups.names) + 7) // 8]
        self.fair_enabled: Any = (enabled != 0).any(axis=1)
        self.packed = not isinstance(graph.states, np.ndarray)  # the python backend's
        # Every edge goes to a larger id or back to its source: no cycle links two
        # states (the ids are in BFS order, but any order would do).
        self.forward_only = not (graph.dst < graph.src).any()
        self._self_loops: Any = None
        self._reverse: tuple[Any, Any, Any] | None = None
        heap.release()

    @property
    def self_loops(self) -> Any:
        """The ids of the edges from a state to itself."""
        if self._self_loops is None:
            g = self.graph
            self._self_loops = np.flatnonzero(g.src == g.dst).astype(edge_dtype(g))
        return self._self_loops

    def reverse(self) -> tuple[Any, Any, Any]:
        """The edges in target order: row offsets by target, their sources, and their
        edge ids (for backward searches; built on first use: a violation's trace)."""
        if self._reverse is None:
            g = self.graph
            by_target = np.argsort(g.dst, kind="stable").astype(np.int32)
            offsets = np.zeros(self.n + 1, dtype=np.int64)
            np.cumsum(np.bincount(g.dst, minlength=self.n), out=offsets[1:])
            self._reverse = offsets, g.src[by_target], by_target
        return self._reverse

    def group_enabled(self, nodes: Any, groups: Any) -> Any:
        """Bool matrix (node, group) for these nodes and groups."""
        groups = np.atleast_1d(groups)
        bits = self.group_bits[np.asarray(nodes)[:, None], groups[None, :] // 8]
        return ((bits >> (groups[None, :] % 8).astype(np.uint8)) & 1).astype(bool)

    def mask(self, e: Any) -> Any:
        """`e` in every state, a slice of states at a time: the generated code's
        temporaries (an int64 array per slot and subexpression) stay a slice's."""
        states = self.graph.states
        evaluate = masks(self.compiled, [e], self.packed)[0]
        if self.packed:
            return np.asarray(evaluate(states), dtype=bool)
        out = np.empty(self.n, dtype=bool)
        for start in range(0, self.n, MASK_SLICE):
            out[start:start + MASK_SLICE] = evaluate(states[:, start:start + MASK_SLICE])
        return out

    def check_defined(self, prop: Property) -> None:
        """An evaluation error in the property, in a reachable state, with its trace."""
        if prop.defined is None:
            return
        bad = ~self.mask(prop.defined)
        if bad.any():
            node = int(np.flatnonzero(bad)[np.argmin(self.graph.depth[bad])])
            init_index, actions = self.graph.path_to(node)
            raise evaluation_error(self.compiled, init_index, actions,
                                   [self.compiled.model.properties.index(prop)])

    # -- fair cycles ---------------------------------------------------------------
    def fair_nodes(self, inside: Any) -> tuple[Any, list[Any]]:
        """Nodes of `inside` (a bool mask) that lie on a fair cycle within it, or may
        stutter fairly; and the fair components, as (nodes, labels, fair label mask)
        triples (`component_of` finds one node's)."""
        on_cycle = inside & ~self.fair_enabled  # stuttering there is fair
        fair: list[Any] = []
        work = [inside]
        while work:
            part = work.pop()
            nodes, labels, verdict, refine = self._judge_all(part)
            on_cycle[nodes[verdict[labels]]] = True
            fair.append((nodes, labels, verdict))
            # Components that fail only strong fairness: drop the states where an
            # untaken strong group is enabled, and decompose what is left again.
            for comp, groups in refine:
                members = nodes[labels == comp]
                keep = members[~self.group_enabled(members, groups).any(axis=1)]
                if len(keep):
                    sub = np.zeros(self.n, dtype=bool)
                    sub[keep] = True
                    work.append(sub)
        return on_cycle, fair

    @staticmethod
    def component_of(node: int, fair: list[Any]) -> Any:
        """The fair component holding `node` (node ids)."""
        for nodes, labels, verdict in fair:
            at = np.flatnonzero(nodes == node)
            if len(at) and verdict[labels[at[0]]]:
                return nodes[labels == labels[at[0]]]
        raise AssertionError("the node is on no fair cycle")

    def _judge_all(self, inside: Any) -> tuple[Any, Any, Any, list[tuple[int, Any]]]:
        """The strongly connected components of `inside`, judged all at once: the
        nodes, their component labels, which components hold a fair cycle, and
        those to refine for strong fairness (with the groups to refine on)."""
        g = self.graph
        if self.forward_only:  # no cycle through two states anywhere
            keep, all_labels = None, np.arange(self.n, dtype=np.int32)
        else:
            keep = (inside[g.src] & inside[g.dst]) if not inside.all() else None
            # (components() sets self-loops aside: they link no two states)
            all_labels = arraygraph.components(self.n, g.src, g.dst, keep)
        count = int(all_labels.max(initial=-1)) + 1
        nodes = np.flatnonzero(inside).astype(np.int32)
        labels = all_labels[nodes]
        size = np.bincount(labels, minlength=count)
        fair = np.zeros(count, dtype=bool)
        # A component of one state: fair when its self-loops are (`loop_fair`).
        alone = self.loop_fair & inside
        if count < self.n:
            alone &= size[all_labels] == 1
        fair[all_labels[alone]] = True
        del alone
        nontrivial = size > 1
        members = nodes[nontrivial[labels]]
        if not len(members):
            return nodes, labels, fair, []
        # The edges inside the larger components (their self-loops too), found from
        # the members' rows: often few states lie on such a component.
        edges = arraygraph.edges_of(g.offsets, members)
        if keep is not None:
            edges = edges[keep[edges]]
        edges = edges[all_labels[g.src[edges]] == all_labels[g.dst[edges]]]
        order = members[np.argsort(all_labels[members], kind="stable")]
        sorted_labels = all_labels[order]
        starts = np.flatnonzero(np.r_[True, np.diff(sorted_labels) != 0])
        present = sorted_labels[starts]
        # Which groups are taken inside each nontrivial component: one scatter of the
        # internal edges (every internal edge lies in one).
        row = np.full(count, -1, dtype=np.int32)
        row[present] = np.arange(len(present), dtype=np.int32)
        group = self.edge_group(edges)
        edges = edges[group >= 0]
        taken_in = np.zeros((len(present), len(self.groups.names)), dtype=bool)
        taken_in[row[all_labels[g.src[edges]]], group[group >= 0]] = True
        weak_fails = np.zeros(count, dtype=bool)
        strong_fails = np.zeros((count, len(self.groups.names)), dtype=bool)
        for i, kind in enumerate(self.groups.kinds):
            bit = ((self.group_bits[order, i // 8] >> (i % 8)) & 1).astype(bool)
            untaken = ~taken_in[:, i]
            if kind == Fairness.WEAK:
                weak_fails[present] |= untaken & np.logical_and.reduceat(bit, starts)
            else:
                strong_fails[present, i] = untaken & np.logical_or.reduceat(bit, starts)
        needs = strong_fails.any(axis=1)
        fair |= nontrivial & ~weak_fails & ~needs
        refine = [(int(c), np.flatnonzero(strong_fails[c]))
                  for c in np.flatnonzero(nontrivial & ~weak_fails & needs)]
        return nodes, labels, fair, refine

    def edge_group(self, edges: Any) -> Any:
        """The fairness group of each of these edges (-1: none)."""
        return self.groups.of_action[self.graph.act[edges]]

    def _enabled_groups(self) -> tuple[Any, Any]:
        """Per state, the groups enabled there (group i as bit i % 64 of word i // 64),
        and whether its own self-loops make a fair cycle: every fair group enabled
        there is taken by one of them (weak and strong fairness agree on one state).

        A group is enabled where one of its instances has an edge (each enabled
        instance makes one): the groups are ORed along each state's row of edges,
        and again over its self-loops alone."""
        g = self.graph
        count = len(self.groups.names)
        table = np.zeros((count + 1, max(1, -(-count // 64))), dtype="<u8")  # last: no group
        for i in range(count):
            table[i, i // 64] = np.uint64(1) << np.uint64(i % 64)
        of_action = table[self.groups.of_action]  # each action instance's group bit
        enabled = np.zeros((self.n, of_action.shape[1]), dtype=of_action.dtype)
        on_loops = np.zeros_like(enabled)
        has_loop = np.zeros(self.n, dtype=bool)
        for lo, hi in arraygraph.row_ranges(g.offsets, SLICE):
            first, last = g.offsets[lo], g.offsets[hi]
            # the rows with edges (reduceat reads an empty segment as its next element)
            rows = lo + np.flatnonzero(g.offsets[lo + 1:hi + 1] > g.offsets[lo:hi])
            starts = g.offsets[rows] - first
            actions = g.act[first:last].astype(np.intp)  # (an int16 index gathers slower)
            loop = g.src[first:last] == g.dst[first:last]
            has_loop[rows] = np.logical_or.reduceat(loop, starts)
            for word in range(of_action.shape[1]):
                bits = of_action[:, word][actions]
                enabled[rows, word] = np.bitwise_or.reduceat(bits, starts)
                bits *= loop
                on_loops[rows, word] = np.bitwise_or.reduceat(bits, starts)
        return enabled, has_loop & ~(enabled & ~on_loops).any(axis=1)

    def on_cycles(self, keep: Any, inside: Any) -> Any:
        """The nodes of `inside` on a cycle over the edges in `keep` (all within it)."""
        g = self.graph
        if self.forward_only:
            cyclic = np.zeros(self.n, dtype=bool)
        else:
            labels = arraygraph.components(self.n, g.src, g.dst, keep)
            size = np.bincount(labels[inside], minlength=int(labels.max(initial=-1)) + 1)
            cyclic = inside & (size[labels] > 1)
        loops = self.self_loops[keep[self.self_loops]]
        cyclic[g.src[loops]] = True
        return cyclic

    def reaching(self, inside: Any, targets: Any, allowed: Any = None) -> Any:
        """Nodes of `inside` from which a node of `targets` is reachable within it
        (over the `allowed` edges; all when None)."""
        offsets, sources, edge_ids = self.reverse()
        return arraygraph.reach(offsets, sources, np.flatnonzero(targets), inside,
                                None if allowed is None else allowed[edge_ids])

    def reached(self, starts: Any, inside: Any, allowed: Any = None) -> Any:
        """Nodes of `inside` reachable from a node of `starts` within it."""
        g = self.graph
        return arraygraph.reach(g.offsets, g.dst, np.flatnonzero(starts), inside, allowed)

    def path(self, start: int, goal: Any, inside: Any, allowed: Any = None
             ) -> tuple[list[int], int]:
        """A shortest path (its actions, and the node it ends in) within `inside` from
        `start` to a node of `goal` (a bool mask), over the `allowed` edges."""
        g = self.graph
        parent: dict[int, tuple[int, int]] = {start: (-1, -1)}
        queue = deque([start])
        while queue:
            v = queue.popleft()
            if goal[v]:
                found, actions = v, []
                while parent[v][0] >= 0:
                    actions.append(parent[v][1])
                    v = parent[v][0]
                return actions[::-1], found
            for e in g.out_edges(v).tolist():
                w = int(g.dst[e])
                if w in parent or not inside[w] or (allowed is not None and not allowed[e]):
                    continue
                parent[w] = (v, int(g.act[e]))
                queue.append(w)
        raise AssertionError("no path where one was shown to exist")

    def loop_back(self, at: int, inside: Any, allowed: Any = None) -> list[int]:
        """The actions of a shortest cycle from `at` back to itself."""
        g = self.graph
        best: list[int] | None = None
        for e in g.out_edges(at).tolist():
            w = int(g.dst[e])
            if not inside[w] or (allowed is not None and not allowed[e]):
                continue
            if w == at:
                return [int(g.act[e])]
            try:
                rest, _ = self.path(w, _only(self.n, at), inside, allowed)
            except AssertionError:
                continue
            if best is None or len(rest) + 1 < len(best):
                best = [int(g.act[e])] + rest
        if best is None:
            raise AssertionError("no cycle where one was shown to exist")
        return best

    def cycle(self, at: int, nodes: Any | None, must_visit: Any = None) -> tuple[list[int], bool]:
        """Actions of a closed walk from `at` back to `at` inside the component `nodes`
        that satisfies every fairness group on its own; (.., True) when the lasso
        is a stutter at `at` instead."""
        if nodes is None:
            return [], True
        g = self.graph
        member = np.zeros(self.n, dtype=bool)
        member[nodes] = True
        goals: list[tuple[str, Any]] = []
        for i, kind in enumerate(self.groups.kinds):
            enabled = self.group_enabled(nodes, i)[:, 0]
            edges = self._internal_edges(nodes, member, i)
            if len(edges):
                goals.append(("edge", int(edges[0])))
            elif kind == Fairness.WEAK and not enabled.all():
                goals.append(("node", int(nodes[~enabled][0])))
        if must_visit is not None and not must_visit[at]:
            goals.append(("node", int(nodes[must_visit[nodes]][0])))
        actions: list[int] = []
        here = at
        for what, item in goals:
            target = int(g.src[item]) if what == "edge" else item
            if here != target:
                steps, here = self.path(here, _only(self.n, target), member)
                actions += steps
            if what == "edge":
                actions.append(int(g.act[item]))
                here = int(g.dst[item])
        if not actions:  # nothing required: any cycle through `at`
            return self.loop_back(at, member), False
        if here != at:
            steps, here = self.path(here, _only(self.n, at), member)
            actions += steps
        return actions, False

    def _internal_edges(self, nodes: Any, member: Any, group: int) -> Any:
        g = self.graph
        for v in nodes:
            row = g.out_edges(int(v))
            hit = row[(self.edge_group(row) == group) & member[g.dst[row]]]
            if len(hit):
                return hit
        return np.empty(0, dtype=np.int64)


# Edges per step where a whole pass would need large temporaries (a few MB: the
# allocator reuses them; fresh ones cost a page fault every 4 KB).
SLICE = 1 << 18
MASK_SLICE = 1 << 16  # states per step of a generated mask


def edge_dtype(graph: StateGraph) -> Any:
    """The dtype that holds any edge id of the graph."""
    return np.int32 if len(graph.act) < 2**31 else np.int64


def _only(n: int, node: int) -> Any:
    out = np.zeros(n, dtype=bool)
    out[node] = True
    return out


VACUOUS = "no reachable state is a trigger"


# -- the properties --------------------------------------------------------------------
def decide(compiled: CompiledModel, graph: StateGraph, props: Sequence[Property]
           ) -> list[PropertyResult]:
    """A verdict for each temporal property, with a replayed lasso when violated."""
    analysis = Analysis(compiled, graph)
    out = []
    for prop in props:
        analysis.check_defined(prop)
        if prop.kind == PropertyKind.RESPONSE:
            out.append(_response(analysis, prop))
        else:
            out.append(_liveness(analysis, prop))
    return out


def _liveness(a: Analysis, prop: Property) -> PropertyResult:
    goal = a.mask(prop.predicate)
    fairness = a.groups.describe(a.compiled)
    must_visit = None
    if prop.kind == PropertyKind.EVENTUALLY_ALWAYS:
        inside = starts = everywhere(a.n)
        must_visit = ~goal  # a fair cycle through a state where P fails
    else:
        inside = ~goal
        if prop.kind == PropertyKind.LEADS_TO:
            assert prop.trigger is not None
            starts = a.mask(prop.trigger) & inside
        elif prop.kind == PropertyKind.EVENTUALLY:
            starts = np.zeros(a.n, dtype=bool)
            starts[a.graph.init] = True
            starts &= inside
        else:  # always eventually: from anywhere, the goal must come again
            starts = inside
    if not a.graph.complete:
        inside = inside & a.graph.fully_expanded()  # judge cycles on whole edge sets only
    on_cycle, comps = a.fair_nodes(inside)
    targets = on_cycle if must_visit is None else on_cycle & must_visit
    # Only where there is a fair cycle at all: the states the starts reach (a
    # component they reach lies wholly among them).
    region = a.reached(starts, inside) if targets.any() else np.zeros(a.n, dtype=bool)
    if not (targets & region).any():
        verdict = Verdict.holds() if a.graph.complete else Verdict.unknown(
            a.graph.stop_reason)
        return PropertyResult(prop.name, prop.description, verdict, kind=prop.kind,
                              fairness=fairness)
    bad = starts & a.reaching(region, targets)
    start = int(np.flatnonzero(bad)[np.argmin(a.graph.depth[bad])])
    init_index, prefix = a.graph.path_to(start)
    to_cycle, entry = a.path(start, targets, region)
    entry = int(entry)
    # Stuttering where no fair group is enabled is fair, and the shortest lasso;
    # otherwise the entry lies in a fair component.
    component = None if not a.fair_enabled[entry] else a.component_of(entry, comps)
    loop_actions, _ = a.cycle(entry, component, must_visit)
    choices = prefix + to_cycle + loop_actions
    trace = replay_lasso(a.compiled, init_index, choices,
                         len(prefix) + len(to_cycle), prop.name)
    return PropertyResult(prop.name, prop.description, Verdict.violated(), trace, prop.kind,
                          fairness=fairness)


def _response(a: Analysis, prop: Property) -> PropertyResult:
    g, model = a.graph, a.compiled.model
    assert prop.trigger is not None
    response = a.mask(prop.predicate)
    trigger = a.mask(prop.trigger)
    classes = np.array([act.cls for act in model.actions], dtype=object)
    protocol = np.array([c == ActionClass.PROTOCOL for c in classes], dtype=bool)
    clock = np.array([c == ActionClass.CLOCK for c in classes], dtype=bool)
    quiet = np.array([c in prop.quiet for c in classes], dtype=bool)
    busy = np.zeros(a.n, dtype=bool)  # some protocol action is enabled
    busy[g.src[protocol[g.act]]] = True
    prompt = ~busy
    allowed = ~quiet[g.act] & (~clock[g.act] | prompt[g.src]) & ~response[g.src]
    ticks = clock[g.act].astype(np.int8)  # 1 where the edge is a clock tick
    region = a.reached(trigger & ~response, everywhere(a.n), allowed) & ~response
    outgoing = np.zeros(a.n, dtype=bool)
    outgoing[g.src[allowed]] = True
    dead = region & ~outgoing
    keep = allowed & region[g.src] & region[g.dst]
    cyclic = a.on_cycles(keep, region)
    if not g.complete:
        return PropertyResult(prop.name, prop.description, Verdict.unknown(g.stop_reason),
                              kind=prop.kind)
    if (dead | cyclic).any():
        return _never(a, prop, trigger & ~response, allowed, region, dead, cyclic, keep)
    worst, best_edge = _longest(a, region, allowed, ticks, response)
    starts = np.flatnonzero(trigger)
    if not len(starts):  # holds vacuously: say so rather than print a figure of 0
        return PropertyResult(prop.name, prop.description, Verdict.holds(VACUOUS),
                              kind=prop.kind)
    figure = int(worst[starts].max())
    if prop.within is None or figure <= prop.within:
        return PropertyResult(prop.name, prop.description, Verdict.holds(
            f"worst case {figure} tick{'s' if figure != 1 else ''}"), kind=prop.kind,
            ticks=figure)
    return _too_slow(a, prop, starts, worst, best_edge, ticks, figure)


def everywhere(n: int) -> Any:
    return np.ones(n, dtype=bool)


def _longest(a: Analysis, region: Any, allowed: Any, ticks: Any, response: Any
             ) -> tuple[Any, Any]:
    """Most ticks from each region node to the response, over a DAG: Kahn's order a
    round at a time (a round settles every node whose successors are all settled)."""
    g = a.graph
    worst = np.zeros(a.n, dtype=np.int64)
    best_edge = np.full(a.n, -1, dtype=np.int64)
    edges = np.flatnonzero(allowed & region[g.src] & (region[g.dst] | response[g.dst]))
    sources, targets = g.src[edges], g.dst[edges]
    inner = region[targets]
    pending = np.bincount(sources[inner], minlength=a.n)  # unsettled successors
    # The edges by target (a sort of packed (target, position) words), for the
    # edges into each round's settled nodes.
    order = in_bfs_order(targets.astype(np.int64), len(targets))
    by_target = np.zeros(a.n + 1, dtype=np.int64)
    np.cumsum(np.bincount(targets, minlength=a.n), out=by_target[1:])

    def relax(chosen: Any) -> None:  # positions in `edges`
        u = sources[chosen]
        value = ticks[edges[chosen]] + worst[targets[chosen]]
        np.maximum.at(worst, u, value)
        best = value == worst[u]
        best_edge[u[best]] = edges[chosen[best]]

    relax(np.flatnonzero(~inner))  # the edges into the response
    ready = np.flatnonzero(region & (pending == 0))
    while ready.size:
        chosen = order[arraygraph.edges_of(by_target, ready)]
        chosen = chosen[inner[chosen]]
        relax(chosen)
        u = sources[chosen]
        np.subtract.at(pending, u, 1)
        ready = np.unique(u[pending[u] == 0])
    return worst, best_edge


def _never(a: Analysis, prop: Property, starts: Any, allowed: Any, region: Any, dead: Any,
           cyclic: Any, keep: Any) -> PropertyResult:
    g = a.graph
    first = starts.copy()
    # The trigger nearest the initial states, then the nearest cycle or dead end.
    ranked = np.flatnonzero(first & a.reaching(region, dead | cyclic, allowed))
    start = int(ranked[np.argmin(g.depth[ranked])])
    init_index, prefix = g.path_to(start)
    to_end, end = a.path(start, dead | cyclic, region, allowed)
    loop = [] if dead[end] else a.loop_back(end, region, keep)
    choices = prefix + to_end + loop
    trace = replay_lasso(a.compiled, init_index, choices,
                         len(prefix) + len(to_end), prop.name)
    return PropertyResult(prop.name, prop.description, Verdict.violated(), trace, prop.kind,
                          ticks="never")


def _too_slow(a: Analysis, prop: Property, starts: Any, worst: Any, best_edge: Any,
              ticks: Any, figure: int) -> PropertyResult:
    g = a.graph
    assert prop.within is not None
    start = int(starts[np.argmax(worst[starts])])
    init_index, prefix = g.path_to(start)
    path: list[int] = []
    v, count = start, 0
    while count <= prop.within:
        e = int(best_edge[v])
        path.append(int(g.act[e]))
        count += int(ticks[e])
        v = int(g.dst[e])
    trace = replay_lasso(a.compiled, init_index, prefix + path, None, prop.name,
                         trigger_at=len(prefix))
    return PropertyResult(prop.name, prop.description, Verdict.violated(), trace, prop.kind,
                          ticks=figure)
