"""One point of a sweep: the task sent to a worker and the result it returns.

Both are small frozen dataclasses of plain values, so they pickle cheaply to
local worker processes and to Dask workers alike. A worker loads the spec
itself (by path), so nothing heavier than a path and some knob values travels.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ccrverify import __version__
from ccrverify.errors import CcrError
from ccrverify.request import Request
from ccrverify.result import HOLDS, CheckResult
from ccrverify.sources import engine_hash

INTERNAL = "internal error: "  # prefix of an error that is a bug in ccrverify


@dataclass(frozen=True)
class PointTask:
    spec_path: str
    knobs: tuple[tuple[str, Any], ...]  # every knob's value, sorted by name
    engine: str = "explicit"  # a name in the engine registry
    request: Request = Request()

    @property
    def knob_dict(self) -> dict[str, Any]:
        return dict(self.knobs)

    @property
    def properties(self) -> tuple[str, ...] | None:
        return self.request.properties

    def options_key(self) -> str:
        """What besides the model and knobs decides the answer (part of the store key):
        the engine, every setting of the request, and ccrverify's own version and
        sources, so an upgraded or edited engine does not reuse old answers."""
        r = self.request
        return json.dumps({"ccrverify": __version__, "engine_source": engine_hash(),
                           "engine": self.engine, "properties": r.properties,
                           "max_states": r.max_states, "deadlock": r.check_deadlock,
                           "fail_fast": r.fail_fast, "time_limit": r.time_limit,
                           "depth": r.depth, "max_k": r.max_k, "symmetry": r.symmetry,
                           "explore": [r.max_examples, r.steps, r.seed, r.swarm]},
                          sort_keys=True)


@dataclass(frozen=True)
class Outcome:
    """One property's verdict at one point."""

    name: str
    verdict: str
    trace_length: int | None
    ticks: int | str | None = None  # a response property: the worst case, or "never"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "verdict": self.verdict,
                               "trace_length": self.trace_length}
        if self.ticks is not None:
            out["ticks"] = self.ticks
        return out


@dataclass(frozen=True)
class PointResult:
    knobs: tuple[tuple[str, Any], ...]  # as in the task
    distinct_states: int
    seconds: float
    properties: tuple[Outcome, ...]
    complete: bool = True
    error: str = ""  # a user error at this point (never stored, so a rerun retries it)

    def outcome(self, name: str) -> Outcome | None:
        return next((o for o in self.properties if o.name == name), None)

    @property
    def all_hold(self) -> bool:
        return not self.error and all(o.verdict == HOLDS for o in self.properties)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "knobs": dict(self.knobs),
            "distinct_states": self.distinct_states,
            "seconds": round(self.seconds, 4),
            "complete": self.complete,
            "properties": [o.to_json() for o in self.properties],
        }
        if self.error:
            out["error"] = self.error
        return out

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> PointResult:
        knobs = tuple(sorted(data["knobs"].items()))
        outcomes = tuple(Outcome(p["name"], p["verdict"], p["trace_length"], p.get("ticks"))
                         for p in data["properties"])
        return PointResult(knobs, int(data["distinct_states"]), float(data["seconds"]),
                           outcomes, bool(data.get("complete", True)), data.get("error", ""))


def from_check(result: CheckResult, knobs: tuple[tuple[str, Any], ...]) -> PointResult:
    outcomes = tuple(Outcome(p.name, str(p.verdict), p.trace_length, p.ticks)
                     for p in result.properties)
    # Rounded as stored, so a point read back from the store equals the one computed.
    return PointResult(knobs, result.stats.distinct_states, round(result.stats.seconds, 4),
                       outcomes, result.complete)


def run_point(task: PointTask) -> PointResult:
    """Check one point; runs in a worker process (local or Dask)."""
    started = time.perf_counter()
    try:
        result = _check(task)
    except CcrError as err:
        return PointResult(task.knobs, 0, time.perf_counter() - started, (), False, str(err))
    except Exception as exc:  # a bug in an engine: report it at this point, keep the rest
        return PointResult(task.knobs, 0, time.perf_counter() - started, (), False,
                           f"{INTERNAL}{type(exc).__name__}: {exc}")
    return from_check(result, task.knobs)


def _check(task: PointTask) -> CheckResult:
    from ccrverify.api import Target, run
    from ccrverify.loader import load

    return run(Target(load(task.spec_path), task.knob_dict), task.engine, task.request)
