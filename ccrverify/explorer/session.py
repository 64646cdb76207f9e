"""What the interactive explorer shows at a point of a path through the model.

A path is an initial state and a list of action instances (the same choices
every engine reports), and the cursor is a step of it. A view is plain data
for the page: the state as the model's own tables (one per index, one for the
plain variables, changed cells marked), the enabled actions with their
descriptions, what each property says here and where the path first broke
it, the timeline picture of the path so far, and the steps. Every path is
re-run by `trace.replay`, so the page can only show runs of the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ccrverify.compile import CompiledModel
from ccrverify.errors import EvaluationError
from ccrverify.itf import trace_to_itf
from ccrverify.model import PropertyKind
from ccrverify.render.text import format_value
from ccrverify.trace import ReplayError, Trace, replay


class PathError(ValueError):
    """A path the model does not allow (the page sent a stale or made-up path)."""


@dataclass(frozen=True)
class Path:
    init: int
    choices: tuple[int, ...]


@dataclass(frozen=True)
class Counterexample:
    property: str
    path: Path


@dataclass(frozen=True)
class Explorer:
    compiled: CompiledModel
    source: str  # the spec as the user named it, for saved traces
    clock: str = ""
    counterexamples: tuple[Counterexample, ...] = ()
    start: Path | None = None  # the path shown first (--trace, or the first counterexample)

    def trace(self, path: Path) -> Trace:
        try:
            return replay(self.compiled, path.init, path.choices)
        except ReplayError as err:
            raise PathError(str(err)) from None

    # -- the model ------------------------------------------------------------------------
    def about(self) -> dict[str, Any]:
        model = self.compiled.model
        start = self.start or (self.counterexamples[0].path if self.counterexamples
                               else Path(0, ()))
        return {
            "model": model.name,
            "source": self.source,
            "knobs": {k: format_value(v) for k, v in sorted(model.knobs.items())},
            "initial_states": self.compiled.init_count(),
            "properties": [{"name": p.name, "description": p.description}
                           for p in model.properties],
            "counterexamples": [{"property": c.property, "init": c.path.init,
                                 "choices": list(c.path.choices),
                                 "length": len(c.path.choices)}
                                for c in self.counterexamples],
            "start": {"init": start.init, "choices": list(start.choices)},
        }

    # -- one view -------------------------------------------------------------------------
    def view(self, path: Path, at: int) -> dict[str, Any]:
        trace = self.trace(path)
        at = max(0, min(at, len(trace)))
        step = trace.steps[at]
        previous = trace.steps[at - 1] if at else None
        values = list(step.values)
        enabled = self.enabled(values)
        return {
            "at": at,
            "length": len(trace),
            "steps": [{"number": n, "action": s.label or "(initial state)",
                       "doc": self._doc(s.label)} for n, s in enumerate(trace.steps)],
            "tables": self.tables(step.state, previous.state if previous else None),
            "enabled": enabled,
            "properties": self.properties(trace, at, not any("next" in a for a in enabled)),
            "timeline": self.timeline(trace),
        }

    def _doc(self, label: str | None) -> str:
        for action in self.compiled.actions:
            if action.label == label:
                return action.doc
        return ""

    def enabled(self, values: list[int]) -> list[dict[str, Any]]:
        """The action instances enabled here, each with its description; an action
        whose evaluation fails here is listed with the error."""
        found = []
        for index, action in enumerate(self.compiled.actions):
            try:
                nxt = self.compiled.next_values(values, index)
            except EvaluationError as err:
                found.append({"index": index, "label": action.label, "doc": action.doc,
                              "error": str(err)})
                continue
            if nxt is not None:
                found.append({"index": index, "label": action.label, "doc": action.doc,
                              "next": True, "stutters": nxt == values})
        return found

    def properties(self, trace: Trace, at: int, deadlocked: bool) -> list[dict[str, Any]]:
        """Per property: its value in the state at the cursor, and the first step of
        the path up to the cursor that breaks it."""
        model = self.compiled.model
        rows = []
        for index, prop in enumerate(model.properties):
            row: dict[str, Any] = {"name": prop.name, "description": prop.description,
                                   "first_broken": None}
            if prop.kind == PropertyKind.DEADLOCK_FREE:
                row["here"] = "violated" if deadlocked else "holds"
                if deadlocked:
                    row["first_broken"] = at
            elif prop.kind == PropertyKind.INVARIANT:
                row["here"] = self._holds(trace.steps[at].values, index)
                for n in range(at + 1):
                    if self._holds(trace.steps[n].values, index) != "holds":
                        row["first_broken"] = n
                        break
            else:
                row["here"] = "not a state property"
            rows.append(row)
        return rows

    def _holds(self, values: tuple[int, ...], index: int) -> str:
        try:
            return "holds" if self.compiled.holds(list(values), index) else "violated"
        except EvaluationError as err:
            return f"error: {err}"

    def tables(self, state: dict[str, Any], previous: dict[str, Any] | None
               ) -> list[dict[str, Any]]:
        """The state as the model's own tables: one per index (a row per key, a column
        per variable over it), then the plain variables."""
        model = self.compiled.model
        by_index: dict[str, list[Any]] = {}
        plain = []
        for variable in model.variables:
            if variable.index is None:
                plain.append(variable)
            else:
                by_index.setdefault(variable.index.name, []).append(variable)
        tables = []
        for name, variables in by_index.items():
            keys = variables[0].keys()
            rows = []
            for key in keys:
                cells = []
                for v in variables:
                    value = state[v.name][key]
                    old = previous[v.name][key] if previous else value
                    cells.append({"text": format_value(value), "changed": old != value})
                rows.append({"key": format_value(key), "cells": cells})
            tables.append({"title": name, "columns": [v.name for v in variables],
                           "rows": rows})
        if plain:
            before = previous or state
            rows = [{"key": v.name, "cells": [{
                "text": format_value(state[v.name]),
                "changed": before[v.name] != state[v.name]}]}
                for v in plain]
            tables.append({"title": "", "columns": ["value"], "rows": rows})
        return tables

    def timeline(self, trace: Trace) -> str:
        """The timeline picture of the whole path (the page marks the cursor in the
        list of steps)."""
        from ccrverify.render.svg import timeline_svg
        from ccrverify.timeline import timeline

        return timeline_svg(timeline(self.compiled.model, trace,
                                     f"{self.compiled.model.name}: {len(trace)} steps"))

    # -- saving ---------------------------------------------------------------------------
    def itf(self, path: Path) -> dict[str, Any]:
        """The path as an ITF document that ``ccrverify replay`` verifies."""
        trace = self.trace(path)
        return trace_to_itf(trace, self.compiled.model, self.source,
                            f"{self.compiled.model.name}: a path saved from the explorer, "
                            f"{len(trace)} actions")


def path_of(data: Any, actions: int) -> Path:
    """A path from the page's JSON, checked for shape (replay checks the rest)."""
    if not isinstance(data, dict):
        raise PathError("a path is an object with init and choices")
    init, choices = data.get("init", 0), data.get("choices", [])
    if not isinstance(init, int) or not isinstance(choices, list) or not all(
            isinstance(c, int) and 0 <= c < actions for c in choices):
        raise PathError("init must be an integer and choices a list of action indices")
    return Path(init, tuple(choices))


def counterexamples_of(result: Any) -> tuple[Counterexample, ...]:
    """Every counterexample of a check, as paths."""
    return tuple(Counterexample(p.name, Path(t.init_index, tuple(t.choices)))
                 for p in result.properties for t in p.traces)


