"""The reachable state graph as a networkx graph, for export (GraphML, DOT).

This is the only module that imports networkx: searches keep parent pointers,
and the full graph is built only when a user asks for it, for models within a
size limit. Nodes are ``s0, s1, ...`` in breadth-first order; each carries
its full state as a label, its depth, whether it is initial, and the
properties it violates; each edge carries its action's label.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx  # type: ignore[import-untyped, unused-ignore]

from ccrverify.compile import CompiledModel
from ccrverify.errors import EvaluationError, UsageError
from ccrverify.explicit.codegen import StateError, build_kernel
from ccrverify.render.text import flat_entries, format_value
from ccrverify.trace import evaluation_error

FORMATS = (".graphml", ".dot")


def state_graph(compiled: CompiledModel, properties: Sequence[str] | None,
                limit: int) -> Any:
    """Every reachable state and transition, breadth first; refuses above `limit` states."""
    model = compiled.model
    kernel = build_kernel(compiled)
    checked = [i for i, p in enumerate(model.properties)
               if properties is None or p.name in properties]
    ids: dict[int, str] = {}
    parent: dict[int, tuple[int, int]] = {}  # state -> (its BFS parent, the action)
    graph = nx.MultiDiGraph(name=model.name)
    frontier: list[int] = []
    current = 0  # the state being evaluated, for an evaluation error's trace
    try:
        for current in dict.fromkeys(compiled.init_states()):
            frontier.append(current)
            _add_state(graph, compiled, checked, ids, current, 0, initial=True)
        depth = 0
        while frontier:
            depth += 1
            level = []
            for state in frontier:
                current = state
                for action, successor in kernel.successors(state):
                    if successor not in ids:
                        if len(ids) >= limit:
                            raise UsageError(
                                f"the state graph has more than {limit:,} states",
                                hint="raise --limit, or choose smaller knob values")
                        parent[successor] = (state, action)
                        current = successor
                        _add_state(graph, compiled, checked, ids, successor, depth)
                        level.append(successor)
                    graph.add_edge(ids[state], ids[successor],
                                   action=model.actions[action].label)
            frontier = level
    except (StateError, EvaluationError):
        raise _error_at(compiled, parent, current, checked) from None
    return graph


def _error_at(compiled: CompiledModel, parent: dict[int, tuple[int, int]], state: int,
              checked: list[int]) -> EvaluationError:
    choices = []
    while state in parent:
        state, action = parent[state]
        choices.append(action)
    init_index = compiled.init_index(compiled.layout.unpack(state))
    assert init_index is not None, "a path starts in an initial state"
    return evaluation_error(compiled, init_index, choices[::-1], checked)


def _add_state(graph: Any, compiled: CompiledModel, checked: list[int], ids: dict[int, str],
               state: int, depth: int, initial: bool = False) -> None:
    node = f"s{len(ids)}"
    ids[state] = node
    values = compiled.layout.unpack(state)
    violates = [compiled.model.properties[i].name for i in checked
                if not compiled.holds(values, i)]
    label = ", ".join(f"{n}={format_value(v)}" for n, v in flat_entries(compiled.decode(state)))
    graph.add_node(node, label=label, depth=depth, initial=initial,
                   violates=" ".join(violates), violating=bool(violates))


def write_graph(graph: Any, path: Path) -> None:
    if path.suffix == ".graphml":
        nx.write_graphml(graph, str(path))
    elif path.suffix == ".dot":
        path.write_text(to_dot(graph))
    else:
        raise UsageError(f"--out {path}: expected a .graphml or .dot file")


def to_dot(graph: Any) -> str:
    """Graphviz DOT text (written here so pydot or pygraphviz are not needed)."""
    lines = [f"digraph {_quote(graph.graph.get('name', 'states'))} {{",
             "  node [shape=box, fontsize=9];"]
    for node, data in graph.nodes(data=True):
        attrs = {"label": data["label"].replace(", ", "\\n")}
        if data["violating"]:
            attrs.update(color="red", fontcolor="red", tooltip="violates " + data["violates"])
        if data["initial"]:
            attrs["penwidth"] = "2"
        lines.append(f"  {node} [{_attrs(attrs)}];")
    for source, target, data in graph.edges(data=True):
        lines.append(f"  {source} -> {target} [{_attrs({'label': data['action']})}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _attrs(attrs: dict[str, str]) -> str:
    return ", ".join(f"{k}={_quote(v)}" for k, v in attrs.items())


def _quote(text: str) -> str:
    # Labels keep "\n", DOT's line break, so only quotes need escaping.
    escaped = text.replace('"', '\\"')
    return f'"{escaped}"'
