"""A counterexample as a timeline: one lane per component, one mark per step.

Lanes come from the model. A spec may name the index whose values are the
components (``lane_index``, e.g. the nodes) and a lane for everything else
(``shared_lane``, e.g. the hub W); without hints, the lanes are the values of
the index that most variables range over, plus one shared lane, or a single
lane when the model has no index. A step is marked on the lanes its action
names in its parameters (a link ``AW`` names lanes A and W) and on the lanes
whose state it changes; a fault (an action the spec lists in ``faults``) that
names its lanes is marked only there, since its bookkeeping (a fault budget)
is no component. Each lane's band shows its first enumerated variable over
time (a node's role, the witness owner). This module is data only;
`render.svg` draws it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ccrverify.lang.domain import Enum
from ccrverify.model import Model, Variable
from ccrverify.render.text import changes, flat_entries
from ccrverify.trace import Trace


@dataclass(frozen=True)
class Lane:
    name: str
    band_variable: str  # the entry whose values colour the band ("role[A]"), or ""
    band_values: tuple[str, ...]  # every value it can take, for a stable palette


@dataclass(frozen=True)
class Mark:
    step: int  # 1-based
    label: str
    time: int  # clock steps up to and including this one
    lanes: tuple[int, ...]  # lane numbers, ascending
    fault: bool
    clock: bool
    changes: tuple[str, ...]


@dataclass(frozen=True)
class Band:
    lane: int
    start: int  # first step (0 is the initial state) with this value
    end: int  # last step with it
    value: str


@dataclass(frozen=True)
class Timeline:
    title: str
    lanes: tuple[Lane, ...]
    marks: tuple[Mark, ...]
    bands: tuple[Band, ...]
    ends_in: str
    loop: int | None = None  # a lasso: after the last step the run goes back to this one

    @property
    def steps(self) -> int:
        return len(self.marks)


@dataclass(frozen=True)
class _LaneMap:
    lanes: tuple[Lane, ...]
    entry_lane: dict[str, int]  # flat entry name ("role[A]", "owner") -> lane number


def lane_index_of(model: Model) -> str:
    """The index whose values are the components: the spec's hint, or the most used."""
    if model.lane_index:
        return model.lane_index
    counts = Counter(v.index.name for v in model.variables
                     if v.index is not None and len(v.index.values) > 1)
    return counts.most_common(1)[0][0] if counts else ""


def lanes_of(model: Model) -> _LaneMap:
    index = lane_index_of(model)
    keyed = [v for v in model.variables if v.index is not None and v.index.name == index]
    keys: list[Any] = list(keyed[0].index.values) if keyed and keyed[0].index else []
    shared = [v for v in model.variables if v not in keyed]
    lanes: list[Lane] = []
    entry_lane: dict[str, int] = {}
    for key in keys:
        band = next((v for v in keyed if isinstance(v.domain, Enum)), None)
        lanes.append(_lane(str(key), band, key))
        for v in keyed:
            entry_lane[f"{v.name}[{key}]"] = len(lanes) - 1
    if shared or not lanes:
        band = next((v for v in shared if v.index is None and isinstance(v.domain, Enum)), None)
        lanes.append(_lane(model.shared_lane or ("shared" if keys else model.name), band, None))
        for v in shared:
            for key in v.keys():
                entry_lane[v.name if key is None else f"{v.name}[{key}]"] = len(lanes) - 1
    return _LaneMap(tuple(lanes), entry_lane)


def _lane(name: str, band: Variable | None, key: Any) -> Lane:
    if band is None or not isinstance(band.domain, Enum):
        return Lane(name, "", ())
    entry = band.name if key is None else f"{band.name}[{key}]"
    return Lane(name, entry, band.domain.values)


def timeline(model: Model, trace: Trace, title: str = "") -> Timeline:
    lane_map = lanes_of(model)
    names = [lane.name for lane in lane_map.lanes]
    params = {a.label: a.params for a in model.actions}
    marks, time = [], 0
    for number, (before, after) in enumerate(zip(trace.steps, trace.steps[1:], strict=False), 1):
        label = after.label or ""
        is_clock = bool(model.clock) and label == model.clock
        time += 1 if is_clock else 0
        fault = label.split("(")[0] in model.faults
        lanes = _named_lanes(params.get(label, ()), names)
        if not (fault and lanes):
            old = dict(flat_entries(before.state))
            lanes |= {lane_map.entry_lane[n] for n, v in flat_entries(after.state)
                      if old.get(n) != v and n in lane_map.entry_lane}
        marks.append(Mark(number, label, time, tuple(sorted(lanes or {len(names) - 1})),
                          fault, is_clock, tuple(changes(before.state, after.state))))
    return Timeline(title or trace.ends_in, lane_map.lanes, tuple(marks),
                    _bands(lane_map.lanes, trace), trace.ends_in, trace.loop)


def _named_lanes(params: tuple[Any, ...], names: list[str]) -> set[int]:
    """Lanes a step's parameters name: a lane's own name, or names run together (``AW``)."""
    found: set[int] = set()
    for param in params:
        text = str(param)
        if text in names:
            found.add(names.index(text))
        else:
            found |= _split(text, names)
    return found


def _split(text: str, names: list[str]) -> set[int]:
    """Lane numbers whose names, concatenated, spell `text` exactly; else nothing."""
    if not text:
        return set()
    for i, name in enumerate(names):
        if name and text.startswith(name):
            rest = text[len(name):]
            tail = _split(rest, names)
            if not rest or tail:
                return {i} | tail
    return set()


def _bands(lanes: tuple[Lane, ...], trace: Trace) -> tuple[Band, ...]:
    bands = []
    for number, lane in enumerate(lanes):
        if not lane.band_variable:
            continue
        values = [str(dict(flat_entries(step.state))[lane.band_variable])
                  for step in trace.steps]
        start = 0
        for step in range(1, len(values) + 1):
            if step == len(values) or values[step] != values[start]:
                bands.append(Band(number, start, step - 1, values[start]))
                start = step
    return tuple(bands)
