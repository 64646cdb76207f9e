"""Running a sweep: plan the points, skip those already in the store, run the
rest on an executor and store each one as soon as it finishes."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ccrverify.loader import LoadedSpec
from ccrverify.request import Request
from ccrverify.sweep.executors import Executor
from ccrverify.sweep.grid import Axis, grid_points
from ccrverify.sweep.point import PointResult, PointTask
from ccrverify.sweep.store import PointKey, ResultStore


@dataclass(frozen=True)
class SweepPlan:
    model: str
    spec_path: str
    source_hash: str
    axes: tuple[Axis, ...]
    fixed: dict[str, Any]  # knobs set outside the grid (--set, --config)
    tasks: tuple[PointTask, ...]  # in grid order

    def key(self, task: PointTask) -> PointKey:
        return PointKey.of(self.source_hash, task.knobs, task.options_key())

    def swept(self, task: PointTask) -> dict[str, Any]:
        knobs = task.knob_dict
        return {a.knob: knobs[a.knob] for a in self.axes}


@dataclass(frozen=True)
class SweepProgress:
    done: int
    total: int
    reused: int
    seconds: float

    @property
    def eta_seconds(self) -> float | None:
        ran = self.done - self.reused
        if ran <= 0:
            return None
        return self.seconds / ran * (self.total - self.done)


@dataclass(frozen=True)
class SweepResult:
    plan: SweepPlan
    points: tuple[PointResult, ...]  # in grid order
    reused: int  # points answered by the store
    seconds: float
    executor: str
    notes: tuple[str, ...] = ()  # what the user should know about the store

    def property_names(self) -> list[str]:
        names: dict[str, None] = {}
        for point in self.points:
            for outcome in point.properties:
                names.setdefault(outcome.name)
        return list(names)


def plan_sweep(loaded: LoadedSpec, fixed: Mapping[str, Any], axes: Sequence[Axis],
               engine: str = "explicit", request: Request | None = None) -> SweepPlan:
    request = request or Request()
    swept = {a.knob for a in axes}
    fixed = {k: v for k, v in fixed.items() if k not in swept}  # the grid overrides them
    points = grid_points(axes)
    tasks = []
    for point in points:
        knobs = loaded.spec.knob_values({**fixed, **point})
        tasks.append(PointTask(str(loaded.path.resolve()), tuple(sorted(knobs.items())),
                               engine, request))
    # The source hash covers the spec and property files, whatever the knobs.
    model = loaded.build({**fixed, **points[0]})
    return SweepPlan(model.name, str(loaded.path), model.source_hash, tuple(axes), dict(fixed),
                     tuple(tasks))


def run_sweep(plan: SweepPlan, executor: Executor, store: ResultStore | None = None,
              progress: Callable[[SweepProgress], None] | None = None) -> SweepResult:
    started = time.perf_counter()
    found: dict[PointTask, PointResult] = {}
    notes: list[str] = []
    if store is not None and not plan.source_hash:
        notes.append("the results store was not used: a module the model imports has no "
                     "readable source file, so a stored verdict could be stale")
        store = None
    if store is not None:
        try:
            for task in plan.tasks:
                stored = store.get(plan.key(task))
                if stored is not None:
                    found[task] = stored
        except sqlite3.DatabaseError as err:
            notes.append(f"the results store {store.path} could not be read ({err}); "
                         "the points not read were checked again")
            store = None
    reused = len(found)
    todo = [t for t in plan.tasks if t not in found]
    by_knobs = {t.knobs: t for t in todo}
    if progress:
        progress(SweepProgress(reused, len(plan.tasks), reused, 0.0))
    for result in executor.run(todo):
        task = by_knobs[result.knobs]
        found[task] = result
        if store is not None and not result.error:
            try:
                store.put(plan.key(task), plan.model, plan.spec_path, result)
            except sqlite3.DatabaseError as err:
                notes.append(f"the results store {store.path} could not be written ({err}); "
                             "the remaining points are not stored")
                store = None
        if progress:
            progress(SweepProgress(len(found), len(plan.tasks), reused,
                                   time.perf_counter() - started))
    if store is not None and store.skipped:
        notes.append(f"{store.skipped} damaged row(s) of {store.path} were checked again")
    points = tuple(found[t] for t in plan.tasks)
    return SweepResult(plan, points, reused, time.perf_counter() - started, executor.name,
                       tuple(notes))
