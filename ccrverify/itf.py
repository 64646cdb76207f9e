"""The Informal Trace Format (ITF) of Apalache and Quint, both ways.

ITF (Apalache ADR-015) is JSON: ``#meta`` (free-form), ``vars`` (the variable
names), ``states`` (one object per state, variable -> value, with its own
``#meta``) and, for a lasso, ``loop`` (the index of the state the behaviour
returns to, `Trace.loop`). Values: booleans as JSON booleans, integers as
``{"#bigint": "12"}``, enumeration values as strings, a map over an index as
``{"#map": [[key, value], ...]}`` and a sequence as a JSON array.

What ccrverify adds, in places the format leaves free: the trace's ``#meta``
names the spec, the knob values and how the trace ends, and each state's
``#meta`` names the action that led to it (``"action": "Deliver(B,2)"``), so a
reader can replay it without searching; `choices_of` searches when it is absent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ccrverify.compile import CompiledModel
from ccrverify.errors import UsageError
from ccrverify.model import Model
from ccrverify.state import encode_variables
from ccrverify.trace import Trace

FORMAT_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html"


# -- writing --------------------------------------------------------------------------
def value_to_itf(value: Any) -> Any:
    """A decoded ccrverify value (`ccrverify.state.decode_variables`) as ITF JSON."""
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, int):
        return {"#bigint": str(value)}
    if isinstance(value, tuple | list):
        return [value_to_itf(v) for v in value]
    if isinstance(value, dict):
        return {"#map": [[key_to_itf(k), value_to_itf(v)] for k, v in value.items()]}
    raise TypeError(f"no ITF encoding for {value!r}")


def key_to_itf(key: Any) -> Any:
    """An index value as an ITF value: strings, integers and booleans as themselves,
    tuples as ``#tup``, anything else by its text."""
    if isinstance(key, bool | int | str):
        return value_to_itf(key)
    if isinstance(key, tuple):
        return {"#tup": [key_to_itf(k) for k in key]}
    return str(key)


def trace_to_itf(trace: Trace, model: Model, source: str = "",
                 description: str = "") -> dict[str, Any]:
    """One trace as an ITF document."""
    meta: dict[str, Any] = {
        "format": "ITF",
        "format-description": FORMAT_DESCRIPTION,
        "source": source,
        "description": description or f"{model.name}: {len(trace)} actions, ends in "
                                      f"{trace.ends_in or 'no violation'}",
        "generated-by": "ccrverify",
        "model": model.name,
        "knobs": {k: v for k, v in sorted(model.knobs.items())},
        "ends_in": trace.ends_in,
    }
    states = []
    for index, step in enumerate(trace.steps):
        state_meta: dict[str, Any] = {"index": index}
        if step.label is not None:
            state_meta["action"] = step.label
        state: dict[str, Any] = {"#meta": state_meta}
        for variable in model.variables:
            state[variable.name] = value_to_itf(step.state[variable.name])
        states.append(state)
    doc: dict[str, Any] = {"#meta": meta, "vars": [v.name for v in model.variables],
                           "states": states}
    if trace.loop is not None:
        doc["loop"] = trace.loop
    return doc


# -- reading --------------------------------------------------------------------------
class TraceFileError(UsageError):
    """A trace file that is not ITF or ccrverify JSON, or does not fit the model."""


def value_from_itf(value: Any) -> Any:
    """ITF JSON to plain Python: ints, bools, strings, lists, dicts (maps), tuples."""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [value_from_itf(v) for v in value]
    if isinstance(value, dict):
        if "#bigint" in value:
            return int(value["#bigint"])
        if "#tup" in value:
            return tuple(value_from_itf(v) for v in value["#tup"])
        if "#map" in value:
            return {_hashable(value_from_itf(k)): value_from_itf(v) for k, v in value["#map"]}
        if "#set" in value:
            raise TraceFileError("a set value (#set) is not a value of a ccrverify model")
        return {k: value_from_itf(v) for k, v in value.items() if k != "#meta"}
    raise TraceFileError(f"{value!r} is not an ITF value")


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@dataclass(frozen=True)
class ReadTrace:
    """A trace as read from a file: named states, the actions if the file says them."""

    states: tuple[dict[str, Any], ...]
    labels: tuple[str | None, ...]  # per state after the first; None when not given
    loop: int | None
    meta: Mapping[str, Any]
    name: str  # what the trace is, for messages ("trace 2 (NoLostAckedMail)")


def read_documents(data: Any) -> list[ReadTrace]:
    """Every trace in parsed JSON: an ITF document, a list of them, ccrverify's own
    trace JSON (``{"steps": [...]}``), a property result, a list of property results
    (``--trace-format json``) or a whole result (``--json``)."""
    if isinstance(data, dict) and "states" in data and "vars" in data:
        return [_from_itf(data, "the trace")]
    if isinstance(data, dict) and "steps" in data:
        return [_from_steps(data, "the trace")]
    if isinstance(data, dict) and "properties" in data:
        data = data["properties"]
    if isinstance(data, dict) and "trace" in data:
        data = [data]
    if isinstance(data, list):
        found: list[ReadTrace] = []
        for n, item in enumerate(data, 1):
            if isinstance(item, dict) and "states" in item and "vars" in item:
                found.append(_from_itf(item, f"trace {n}"))
            elif isinstance(item, dict) and "steps" in item:
                found.append(_from_steps(item, f"trace {n}"))
            elif isinstance(item, dict) and "trace" in item:
                traces = [item["trace"], *item.get("more_traces", [])]
                for m, t in enumerate(traces, 1):
                    if t is not None:
                        label = f"{item.get('name', 'property')} trace {m}"
                        found.append(_from_steps(t, label))
            else:
                raise TraceFileError(f"item {n} is neither an ITF trace nor a ccrverify trace")
        return found
    raise TraceFileError("not a trace: expected an ITF document (with vars and states) or "
                         "ccrverify's trace JSON (with steps)")


def _from_itf(doc: Mapping[str, Any], name: str) -> ReadTrace:
    states_json = doc.get("states")
    if not isinstance(states_json, list) or not states_json:
        raise TraceFileError(f"{name}: ITF 'states' must be a non-empty list")
    names = doc.get("vars")
    if not isinstance(names, list):
        raise TraceFileError(f"{name}: ITF 'vars' must be a list of variable names")
    states, labels = [], []
    for index, state in enumerate(states_json):
        if not isinstance(state, dict):
            raise TraceFileError(f"{name}: state {index} is not an object")
        states.append({k: value_from_itf(v) for k, v in state.items() if k != "#meta"})
        meta = state.get("#meta") if isinstance(state.get("#meta"), dict) else {}
        if index:
            label = meta.get("action") if isinstance(meta, dict) else None
            labels.append(label if isinstance(label, str) else None)
    loop = doc.get("loop")
    if loop is not None and (not isinstance(loop, int) or not 0 <= loop < len(states)):
        raise TraceFileError(f"{name}: ITF 'loop' must be a state index, got {loop!r}")
    meta = doc.get("#meta") if isinstance(doc.get("#meta"), dict) else {}
    return ReadTrace(tuple(states), tuple(labels), loop, meta or {}, name)


def _from_steps(doc: Mapping[str, Any], name: str) -> ReadTrace:
    steps = doc.get("steps")
    if not isinstance(steps, list) or not steps:
        raise TraceFileError(f"{name}: 'steps' must be a non-empty list")
    states, labels = [], []
    for index, step in enumerate(steps):
        if not isinstance(step, dict) or not isinstance(step.get("state"), dict):
            raise TraceFileError(f"{name}: step {index} has no state")
        states.append(step["state"])
        if index:
            label = step.get("action")
            labels.append(label if isinstance(label, str) else None)
    loop = doc.get("loop")
    if loop is not None and not isinstance(loop, int):
        raise TraceFileError(f"{name}: 'loop' must be a step index")
    return ReadTrace(tuple(states), tuple(labels), loop, {}, name)


def state_values(model: Model, named: Mapping[str, Any], where: str) -> list[int]:
    """Named values (from ITF or JSON) as slot values, or a one-line error naming
    the state and the variable. Map keys are matched to the index's values by
    value, then by their text (JSON keys are strings)."""
    missing = [v.name for v in model.variables if v.name not in named]
    if missing:
        raise TraceFileError(f"{where}: no value for {', '.join(missing)}",
                             hint="is the trace from this model and configuration?")
    extra = sorted(set(named) - {v.name for v in model.variables})
    if extra:
        raise TraceFileError(f"{where}: {', '.join(extra)} is not a variable of "
                             f"{model.name}", hint="is the trace from this model?")
    normal: dict[str, Any] = {}
    for variable in model.variables:
        value = named[variable.name]
        if variable.index is not None:
            if not isinstance(value, dict):
                raise TraceFileError(f"{where}: {variable.name} should be a map over "
                                     f"{variable.index.name}")
            value = _by_key(variable.name, variable.keys(), value, where)
        normal[variable.name] = value
    try:
        return encode_variables(model, normal)
    except (ValueError, KeyError, TypeError, IndexError) as err:
        raise TraceFileError(f"{where}: {err}",
                             hint="is the trace from this model and configuration?") from None


def _by_key(name: str, keys: Sequence[Any], given: Mapping[Any, Any], where: str
            ) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    by_text = {str(k): v for k, v in given.items()}
    for key in keys:
        if key in given:
            out[key] = given[key]
        elif str(key) in by_text:
            out[key] = by_text[str(key)]
        else:
            raise TraceFileError(f"{where}: {name} has no entry for key {key!r}")
    if len(given) != len(keys):
        raise TraceFileError(f"{where}: {name} has {len(given)} entries; its index has "
                             f"{len(keys)}")
    return out


def choices_of(compiled: CompiledModel, read: ReadTrace) -> tuple[int, list[int]]:
    """The initial state's index and the action instance of every step, found by
    running the model: each state must be an initial state or a successor of the
    one before (by the named action when the file names one). A trace that is not
    a run of the model is a one-line `TraceFileError` naming the step."""
    model = compiled.model
    values = [state_values(model, s, f"{read.name}, state {i}")
              for i, s in enumerate(read.states)]
    init_index = compiled.init_index(values[0])
    if init_index is None:
        raise TraceFileError(f"{read.name}: state 0 is not an initial state of {model.name}",
                             hint="is the trace from this model and configuration (knobs)?")
    labels = {a.label: i for i, a in enumerate(model.actions)}
    choices: list[int] = []
    for step in range(1, len(values)):
        before, after = values[step - 1], values[step]
        named = read.labels[step - 1]
        if named is not None:
            if named not in labels:
                raise TraceFileError(f"{read.name}, step {step}: {named} is not an action of "
                                     f"{model.name}")
            candidates = [labels[named]]
        else:
            candidates = list(range(len(model.actions)))
        taken = next((i for i in candidates if compiled.next_values(before, i) == after), None)
        if taken is None:
            what = f"{named} does not lead" if named is not None else "no action leads"
            if named is not None and compiled.next_values(before, labels[named]) is None:
                what = f"{named} is not enabled in state {step - 1}, so it does not lead"
            raise TraceFileError(f"{read.name}, step {step}: {what} from state {step - 1} to "
                                 f"state {step}", hint="the trace is not a run of this model")
        choices.append(taken)
    if read.loop is not None and values[read.loop] != values[-1]:
        raise TraceFileError(f"{read.name}: the loop goes back to state {read.loop}, which "
                             "differs from the last state", hint="a lasso's last state must "
                             "equal the state it loops back to")
    return init_index, choices
