"""Breadth-first search over the vectorised kernel, a level at a time.

A level is expanded in chunks (`expand.py`), in parallel when there are
several workers: a chunk runs every action instance over its states and
returns the successors that are not self-loops, each with an id that orders
transitions as a one-at-a-time BFS meets them (parent by parent, actions in
order). The candidates go into the visited set, which keeps the smallest id
of each new state (`rowset.py`); the new states, sorted by id, are the next
level. So the next level's states, their order and their parents are a
function of the previous level alone: the same whatever the number of
workers, the chunk and batch sizes, the memory budget, or a resume from a
checkpoint; and the same as the per-state Python enumerator's (`bfs.py`).
Counts, verdicts and counterexamples follow.

Invariants are checked on every new level, so the first violating state
found is at the smallest depth and its parent chain is a shortest
counterexample. Per level only the parent and action arrays are kept besides
the visited set (`levels.py`): old levels' states are not needed to walk a
path back.

Options: ``workers``, processes that each own a share of the states and
expand it (`owners.py`; the coordinating process keeps the levels), or
threads where the search keeps ids, saves or spills its levels;
``checkpoint`` (`checkpoint.py`);
``memory``, a budget under which the visited set and the levels live on disk
(`spill.py`); symmetry reduction (`symmetry.py`), where the visited set
stores one representative per orbit while the levels hold real states, so
that paths are real paths.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ccrverify.compile import CompiledModel
from ccrverify.errors import UsageError
from ccrverify.explicit.bfs import Progress, Selection, assemble, peak_memory_bytes
from ccrverify.explicit.checkpoint import Checkpoint, Saved, fingerprint
from ccrverify.explicit.expand import Candidates, Expander, in_bfs_order
from ccrverify.explicit.levels import LevelFiles, MemoryLevels
from ccrverify.explicit.rowset import Map, VisitedSet, hash_rows
from ccrverify.explicit.vector import RowError, VectorKernel, build
from ccrverify.explicit.words import initial_rows
from ccrverify.model import PropertyKind
from ccrverify.request import Request
from ccrverify.result import CheckResult, Stats
from ccrverify.trace import Trace, evaluation_error, replay

BATCH = 1 << 18  # states expanded before their candidates go into the visited set
# A chunk's candidates (out-degree x chunk) and their visited-set temporaries should
# stay near the cache: at 40+ successors per state 2**17 states ran 1.4x slower.
MIN_CHUNK, MAX_CHUNK = 1 << 12, 1 << 15


@dataclass
class Found:
    """What a search has established so far (a checkpoint saves exactly this)."""

    violations: dict[int, tuple[int, int]] = field(default_factory=dict)  # prop -> (level, pos)
    deadlock: tuple[int, int] | None = None
    transitions: int = 0
    distinct: int = 0
    # --counterexamples N: more violating (or deadlocked) states of the same level
    # (not checkpointed: a checkpoint refuses N > 1).
    more: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    more_deadlocks: list[tuple[int, int]] = field(default_factory=list)


def action_dtype(count: int) -> Any:
    return np.int16 if count < 2**15 else np.int32


def parent_dtype(previous: int) -> Any:
    return np.int32 if previous < 2**31 else np.int64


def _serial(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    return [fn(item) for item in items]


@contextmanager
def _pool(workers: int) -> Iterator[Map]:
    """map() in this thread, or over a pool of threads."""
    if workers <= 1:
        yield _serial
        return
    executor = ThreadPoolExecutor(workers, thread_name_prefix="ccrverify")
    try:
        yield lambda fn, items: list(executor.map(fn, items))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def region_bits(workers: int) -> int:
    """Regions of the visited set: a few per worker, so that they share the work."""
    return 0 if workers <= 1 else (4 * workers - 1).bit_length()


def chunk_size(n: int, workers: int) -> int:
    """Chunks small enough to keep every worker busy, large enough that numpy's
    per-call overhead stays small (the search's result does not depend on it)."""
    if workers <= 1:
        return MAX_CHUNK
    return max(MIN_CHUNK, min(MAX_CHUNK, -(-n // (4 * workers))))


def failing_positions(kernel: VectorKernel, pending: list[int], wanted: int, states: Any,
                      positions: Any) -> dict[int, list[int]]:
    """The positions (in the level) of the first `wanted` states of the (W, n) batch
    where each pending invariant fails."""
    out = {}
    try:
        for index in pending:
            bad = np.flatnonzero(~kernel.properties[index](states))
            if bad.size:
                out[index] = [int(p) for p in positions[bad[:wanted]]]
    except RowError as err:
        err.row = int(positions[err.row])
        raise
    return out


def spans(n: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(n, start + size)) for start in range(0, n, size)]


def batches(parts: list[tuple[int, int]], limit: int) -> list[list[tuple[int, int]]]:
    """Consecutive chunks grouped into batches of at most `limit` states."""
    out: list[list[tuple[int, int]]] = [[]]
    size = 0
    for span in parts:
        if out[-1] and size + span[1] - span[0] > limit:
            out.append([])
            size = 0
        out[-1].append(span)
        size += span[1] - span[0]
    return out


class Search:
    """One search; `run()` then `result()`."""

    def __init__(self, compiled: CompiledModel, request: Request,
                 kernel: VectorKernel | None = None, edges: Any = None) -> None:
        from ccrverify.explicit.symmetry import reduction

        self.compiled = compiled
        self.request = request
        self.kernel = kernel or build(compiled)
        self.selection = Selection.of(compiled, request)
        self.pending = {i for i, on in enumerate(self.selection.pending) if on}
        self.words = self.kernel.layout.words
        self.symmetry = reduction(compiled, self.kernel.layout, self.selection, request)
        self.canon = self.symmetry.canon if self.symmetry else None
        # stategraph.EdgeLog: every transition kept as an edge between state ids (the
        # visited set then keeps each state's id)
        self.edges = edges
        self.visited = VisitedSet(self.words, region_bits(request.workers),
                                  keep_values=edges is not None)
        self.levels: MemoryLevels | LevelFiles = MemoryLevels()
        self.mirror: LevelFiles | None = None  # a checkpoint's copy of in-memory levels
        self.checkpoint: Checkpoint | None = None
        self.spill: Any = None  # spill.Spill under a memory budget
        self.frontier: Any = np.zeros((self.words, 0), dtype=np.int64)
        self.found = Found()
        self.stop_reason = ""
        self.finished = False
        self.keep_states = False  # reachable(): keep every level's states
        self.kept: list[Any] = []
        self.pmap: Map = _serial
        self.owners: Any = None  # owners.Owners: the level shared out between processes

    # -- the search --------------------------------------------------------------------
    def run(self) -> None:
        request = self.request
        started = time.perf_counter()
        last_report = started
        # No thread may exist when the owners are forked.
        with _pool(self.threads) as pmap:
            self.pmap = pmap
            try:
                self._open()
                while self.frontier_size() and not self._should_stop():
                    self._expand()
                    now = time.perf_counter()
                    if request.progress and now - last_report >= request.progress_every:
                        last_report = now
                        request.progress(Progress(self.found.distinct, self.frontier_size(),
                                                  len(self.levels), now - started))
                if not self.frontier_size() and not self.stop_reason:
                    self.finished = True
                    self._save()
            except KeyboardInterrupt:
                self.stop_reason = "interrupted"
            except RowError as err:
                raise self._evaluation_error(err) from None
            finally:
                if self.owners is not None:
                    self.owners.finish()  # (waited for by close)

    def _in_processes(self) -> bool:
        """Workers as processes (`owners.py`) for an in-memory search of safety
        properties; threads where ids are kept, levels saved or spilled."""
        from ccrverify.explicit import owners

        request = self.request
        return (request.workers > 1 and request.memory is None and request.checkpoint is None
                and self.edges is None and not self.keep_states and owners.available())

    @property
    def threads(self) -> int:
        """Threads that expand and insert a level in this process."""
        return 1 if self._in_processes() else self.request.workers

    def close(self) -> None:
        """Remove what the search kept on disk for itself (not a checkpoint); wait
        for its worker processes to end."""
        if self.spill is not None:
            self.spill.close()
        if self.owners is not None:
            self.owners.close()

    def frontier_size(self) -> int:
        if self.owners is not None:
            return int(self.owners.size)
        if self.spill is not None:
            return int(self.spill.frontier_size())
        return int(self.frontier.shape[1])

    def _should_stop(self) -> bool:
        request = self.request
        if request.fail_fast and (self.found.violations or self.found.deadlock):
            self.stop_reason = "stopped at the first violation (--fail-fast)"
        elif request.max_states is not None and self.found.distinct >= request.max_states:
            self.stop_reason = f"state limit {request.max_states:,} reached"
        return bool(self.stop_reason)

    def _open(self) -> None:
        """Start from the initial states, or from a checkpoint."""
        request = self.request
        if request.memory is not None:
            from ccrverify.explicit.spill import Spill

            self.spill = Spill(self, request.memory)
        if request.checkpoint is not None:
            symmetry = self.symmetry.describe() if self.symmetry else ""
            self.checkpoint = Checkpoint(request.checkpoint,
                                         fingerprint(self.compiled, self.selection, symmetry),
                                         self.words)
            if request.resume:
                self._restore(self.checkpoint.load())
                return
            self.checkpoint.create()
            if self.spill is None:
                self.mirror = LevelFiles(request.checkpoint, self.words)
        rows = initial_rows(self.compiled, self.kernel.layout)
        keys = rows if self.canon is None else self.canon(rows)
        if self.spill is not None:
            self.spill.start(rows, keys)
            return
        if self._in_processes():  # one process until a level is worth sharing out
            self.visited = VisitedSet(self.words)
        first = np.flatnonzero(self.visited.add(keys, hash_rows(keys),
                                                np.arange(rows.shape[1]), self.pmap))
        self._accept(rows[:, first], first.astype(np.int64),
                     np.full(first.size, -1, dtype=np.int16))
        if self.edges is not None:
            self.edges.level(self, first)

    def _restore(self, saved: Saved) -> None:
        assert self.request.checkpoint is not None
        files = LevelFiles(self.request.checkpoint, self.words)
        files.sizes = list(saved.sizes)
        if not saved.sizes or not files.check_sizes():
            raise UsageError(f"--resume {self.request.checkpoint}: the level files are "
                             "missing or short", hint="the checkpoint is damaged; start anew")
        self.found = Found(dict(saved.violations), saved.deadlock, saved.transitions,
                           sum(saved.sizes))
        self.pending -= set(saved.violations)
        if self.spill is not None:
            self.spill.restore(files)
        else:
            self.mirror = files
            levels = MemoryLevels()
            for depth, n in enumerate(saved.sizes):
                parent, action = files.arrays(depth)
                levels.append(parent.astype(np.int64 if depth == 0 else parent_dtype(n)),
                              action.astype(action_dtype(len(self.kernel.expand))))
                states = files.states(depth)
                keys = states if self.canon is None else self.canon(states)
                self.visited.add(keys, hash_rows(keys), np.arange(n), self.pmap)
                self.frontier = states
            self.levels = levels
        if saved.finished:
            self.finished = True
            self.frontier = np.zeros((self.words, 0), dtype=np.int64)
            if self.spill is not None:
                self.spill.clear_frontier()

    def _accept(self, states: Any, parent: Any, action: Any) -> None:
        """A new level (in memory): truncated to the state limit, its invariants
        checked, then saved when there is a checkpoint."""
        limit = self.request.max_states
        truncated = limit is not None and self.found.distinct + len(parent) > limit
        if truncated:
            assert limit is not None
            room = max(0, limit - self.found.distinct)
            states, parent, action = states[:, :room], parent[:room], action[:room]
        self.frontier = states
        if not len(parent) and len(self.levels):
            return  # no new state: the search is over
        assert isinstance(self.levels, MemoryLevels)
        self.levels.append(parent, action)
        self.found.distinct += len(parent)
        if self.keep_states:
            self.kept.append(states)
        self.check_properties(lambda a, b: states[:, a:b], states.shape[1])
        if self.mirror is not None and not truncated:
            depth = len(self.levels) - 1
            self.mirror.start(depth)
            self.mirror.write(depth, states, parent, action)
            self.mirror.sync(depth)
            self._save()

    def _save(self) -> None:
        if self.checkpoint is None:
            return
        files = self.mirror if self.spill is None else self.levels
        assert isinstance(files, LevelFiles)
        self.checkpoint.save(Saved(list(files.sizes), self.found.transitions,
                                   dict(self.found.violations), self.found.deadlock,
                                   self.finished))

    def check_properties(self, chunk: Callable[[int, int], Any], n: int,
                         offset: int = 0) -> None:
        """The pending invariants on the newest level (states offset.. of it, `n`
        of them, read by `chunk(start, stop)` relative to offset)."""
        pending, wanted = self.properties_to_check()
        if not pending or not n:
            return

        def first_failures(span: tuple[int, int]) -> dict[int, list[int]]:
            start, stop = span
            return failing_positions(self.kernel, pending, wanted, chunk(start, stop),
                                     np.arange(offset + start, offset + stop))

        self.record_failures(self.pmap(first_failures,
                                       spans(n, chunk_size(n, self.threads))))

    def properties_to_check(self) -> tuple[list[int], int]:
        """The invariants to evaluate on the newest level, and how many failing
        states of each are wanted (--counterexamples)."""
        depth = len(self.levels) - 1
        extra = self.request.counterexamples - 1
        open_more = {i for i, (d, _) in self.found.violations.items()
                     if d == depth and len(self.found.more.get(i, ())) < extra}
        return sorted(self.pending | open_more), extra + 1

    def record_failures(self, failures: list[dict[int, list[int]]]) -> None:
        """Failing positions of the newest level per invariant, parts in level order."""
        depth = len(self.levels) - 1
        extra = self.request.counterexamples - 1
        for found in failures:
            for index, positions in found.items():  # parts in level order
                if index in self.pending:
                    self.found.violations[index] = (depth, positions[0])
                    self.pending.discard(index)
                    positions = positions[1:]
                more = self.found.more.setdefault(index, [])
                more += [(depth, p) for p in positions[:extra - len(more)]]

    def expander(self) -> Expander:
        return Expander(self.kernel, self.canon, self.selection.deadlock,
                        self.request.counterexamples, loops=self.edges is not None)

    def tally(self, parts: list[tuple[int, tuple[int, ...]]]) -> None:
        """Transitions and deadlocked positions of the level being expanded, in level
        order: (transitions, first dead positions) per part."""
        depth = len(self.levels) - 1
        for transitions, dead in parts:
            self.found.transitions += transitions
            if not dead:
                continue
            if self.found.deadlock is None:
                self.found.deadlock = (depth, dead[0])
                dead = dead[1:]
            elif self.found.deadlock[0] != depth:
                continue
            room = self.request.counterexamples - 1 - len(self.found.more_deadlocks)
            self.found.more_deadlocks += [(depth, d) for d in dead[:room]]

    def _expand(self) -> None:
        if self.owners is None and self._in_processes():
            from ccrverify.explicit import owners

            if self.frontier_size() >= owners.takeover():
                # The worker processes take their shares of the states found so far.
                self.owners = owners.Owners(self)
                self.frontier = np.zeros((self.words, 0), dtype=np.int64)
                self.visited = VisitedSet(self.words)
        if self.owners is not None:
            self.owners.expand()
            return
        if self.spill is not None:
            self.spill.expand()
            return
        frontier = self.frontier
        n = frontier.shape[1]
        expander = self.expander()

        def read(start: int, stop: int) -> Any:
            return frontier[:, start:stop]

        states, ids = [], []
        edges = self.edges
        size = chunk_size(n, self.threads)
        if edges is not None and n * expander.actions >= 2**31 - 1:
            self.visited.widen()  # provisional ids beyond 32 bits

        def collect(every: Candidates, new: Any) -> None:
            new = np.flatnonzero(new)
            order = new[in_bfs_order(every.ids[new], new.size)]
            states.append(every.states[:, order])
            ids.append(every.ids[order])

        for batch in batches(spans(n, size), BATCH):
            parts = self.pmap(expander.chunk, [(read, a, b) for a, b in batch])
            self.tally([(p.transitions, p.dead) for p in parts])
            parts = [p for p in parts if p.size or (edges is not None and p.loops.size)]
            if self.threads > 1 and parts:
                # one insertion of the whole batch, its regions filled in parallel
                parts = [Candidates.concat(parts)]
            # One worker: chunk by chunk, so that the insertion's temporaries stay a
            # chunk's size. Chunks come in level order, so a chunk's ids exceed every
            # earlier chunk's: the smallest id still wins and the result is sorted.
            while parts:
                every = parts.pop(0)
                # A new state's provisional id is its candidate id, made negative; the
                # level's order turns it into the state's id (EdgeLog.level).
                met = None if edges is None else np.empty(every.size, dtype=np.int64)
                new = self.visited.add(every.keys, every.hashes, every.ids, self.pmap,
                                       None if edges is None else -1 - every.ids, met)
                if edges is not None:
                    edges.candidates(every.ids, met, every.loops)
                collect(every, new)
                del every
        every_id = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        self._accept(np.concatenate(states, axis=1) if states
                     else np.zeros((self.words, 0), dtype=np.int64),
                     (every_id // expander.actions).astype(parent_dtype(n)),
                     (every_id % expander.actions).astype(action_dtype(expander.actions)))
        if edges is not None:
            edges.level(self, every_id)

    # -- results -------------------------------------------------------------------------
    def path(self, where: tuple[int, int]) -> tuple[int, list[int]]:
        """The initial state's index and the actions of the path to (level, position)."""
        depth, position = where
        choices = []
        while depth > 0:
            position, action = self.levels.step(depth, position)
            choices.append(action)
            depth -= 1
        return self.levels.step(0, position)[0], list(reversed(choices))

    def trace(self, where: tuple[int, int], violates: str | None = None,
              deadlock: bool = False) -> Trace:
        init_index, choices = self.path(where)
        return replay(self.compiled, init_index, choices, violates, deadlock)

    def _evaluation_error(self, err: RowError) -> Exception:
        # The error is met either checking the newest level's invariants or
        # expanding the frontier, which is then the newest level too.
        init_index, choices = self.path((len(self.levels) - 1, err.row))
        return evaluation_error(self.compiled, init_index, choices,
                                self.selection.indices(self.compiled))

    def result(self, seconds: float) -> CheckResult:
        names = [p.name for p in self.compiled.model.properties]
        # the worker processes' peaks beyond what they share with this one
        extra = self.owners.peak if self.owners is not None else 0
        stats = Stats(self.found.distinct, self.found.transitions, len(self.levels) - 1,
                      seconds, peak_memory_bytes() + extra)
        traces = {i: self.trace(where, violates=names[i])
                  for i, where in self.found.violations.items()}
        deadlock = (self.trace(self.found.deadlock, deadlock=True)
                    if self.found.deadlock else None)
        more = {i: [self.trace(where, violates=names[i]) for where in found]
                for i, found in self.found.more.items() if found}
        more_deadlocks = [self.trace(where, deadlock=True)
                          for where in self.found.more_deadlocks]
        result = assemble(self.compiled, self.selection, traces, deadlock, self.stop_reason,
                          stats, "numpy", more, more_deadlocks)
        notes: tuple[str, ...] = (self.symmetry.note(),) if self.symmetry is not None else ()
        cores = os.cpu_count() or 1
        if self.request.workers > cores:
            notes += (f"--workers {self.request.workers} on {cores} CPUs: workers beyond the "
                      "cores share them, which only adds overhead",)
        if notes:
            from dataclasses import replace

            result = replace(result, notes=result.notes + notes)
        return result


def check(compiled: CompiledModel, request: Request) -> CheckResult:
    """Every reachable state; a verdict per selected property."""
    if compiled.model.symbolic_knobs:
        raise UsageError("the explicit engine needs concrete knobs; "
                         f"{', '.join(compiled.model.symbolic_knobs)} are symbolic")
    started = time.perf_counter()
    search = Search(compiled, request)
    try:
        search.run()
        return search.result(time.perf_counter() - started)
    finally:
        search.close()


def reachable_rows(compiled: CompiledModel, max_states: int | None = None
                   ) -> tuple[Any, frozenset[str]] | None:
    """Every reachable state as a (W, n) batch and the properties some state
    violates; None when there are more than `max_states`."""
    limit = None if max_states is None else max_states + 1
    search = Search(compiled, Request(max_states=limit, symmetry=False))
    search.keep_states = True
    search.run()
    search.close()
    if search.stop_reason:
        return None
    model = compiled.model
    failing = frozenset(
        p.name for i, p in enumerate(model.properties)
        if (search.found.deadlock is not None if p.kind == PropertyKind.DEADLOCK_FREE
            else i in search.found.violations))
    rows = (np.concatenate(search.kept, axis=1) if search.kept
            else np.zeros((search.words, 0), dtype=np.int64))
    return rows, failing
