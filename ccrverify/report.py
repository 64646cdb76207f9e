"""What a report says about one check: configuration, statistics, verdicts and
each counterexample explained step by step. Renderers (Markdown, HTML) turn
this data into pages; nothing here formats text for a medium.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ccrverify.model import Model
from ccrverify.render.text import changes, format_value
from ccrverify.result import CheckResult
from ccrverify.sweep.runner import SweepResult
from ccrverify.timeline import Timeline, timeline
from ccrverify.trace import Trace


@dataclass(frozen=True)
class KnobRow:
    name: str
    value: Any
    default: Any
    doc: str


@dataclass(frozen=True)
class ExplainedStep:
    number: int
    label: str
    time: int  # clock steps so far (0 when the model has no clock)
    explanation: str  # the action's own one-line description
    changes: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    title: str
    spec_path: str
    config_path: str
    config_description: str
    knobs: tuple[KnobRow, ...]
    result: CheckResult
    explanations: dict[str, tuple[ExplainedStep, ...]]  # property -> its counterexample
    command: str  # how to regenerate it
    clock: str  # the model's clock action, or ""
    timelines: dict[str, Timeline] = field(default_factory=dict)  # property -> its picture
    sweeps: tuple[SweepResult, ...] = ()  # grids of configurations around this one


def explain(model: Model, trace: Trace) -> tuple[ExplainedStep, ...]:
    docs = {a.label: a.doc for a in model.actions}
    steps, time = [], 0
    for number, (before, after) in enumerate(zip(trace.steps, trace.steps[1:], strict=False), 1):
        label = after.label or ""
        if model.clock and label == model.clock:
            time += 1
        steps.append(ExplainedStep(number, label, time, docs.get(label, ""),
                                   tuple(changes(before.state, after.state))))
    return tuple(steps)


def build_report(model: Model, result: CheckResult, knob_docs: dict[str, tuple[Any, str]],
                 spec_path: str, config_path: str = "", config_description: str = "",
                 command: str = "", sweeps: Sequence[SweepResult] = ()) -> Report:
    """knob_docs: name -> (default, meaning)."""
    knobs = tuple(KnobRow(name, result.knobs[name], default, doc)
                  for name, (default, doc) in knob_docs.items())
    explanations = {p.name: explain(model, p.trace) for p in result.properties
                    if p.trace is not None}
    changed = {k.name: k.value for k in knobs if k.value != k.default}
    title = f"{model.name}: {config_description or _knob_summary(changed)}"
    timelines = {p.name: timeline(model, p.trace, f"Counterexample to {p.name}")
                 for p in result.properties if p.trace is not None}
    return Report(title, spec_path, config_path, config_description, knobs, result,
                  explanations, command, model.clock, timelines, tuple(sweeps))


def _knob_summary(changed: dict[str, Any]) -> str:
    if not changed:
        return "default configuration"
    return ", ".join(f"{k} = {format_value(v)}" for k, v in sorted(changed.items()))
