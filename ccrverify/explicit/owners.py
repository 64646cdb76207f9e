"""The state space shared out between processes: `--workers N` on N cores.

Threads do not scale this search (1.0-1.1x measured with two): the visited
set's probe rounds are many small numpy operations, and the interpreter lock
is held between them. So N forked worker processes each own the states whose
hash falls in their share: that part of the visited set and of every level.
The search runs in one process until a level fills a chunk (`takeover`); each
owner inherits through the fork what was found, and keeps its share of the level.

A level is expanded in batches, ranges of its positions that every owner
walks in the same order. For each batch an owner expands its own states in
the range, keeps the candidates it owns, has its sending thread put each other
owner's part in shared memory (or, if too large, on the socket between them),
expands the next batch, and only then reads the others' parts and inserts what
it owns of the batch in one call, which keeps the smallest candidate id of
each new state. Ids carry level positions (parent position * actions +
action) and every earlier batch's ids are smaller, so each owner picks the
parents one worker would.

When the level is done the owners swap their new states' sorted ids: a new
state's position in the next level is its rank among all of them, which is
one worker's order. Each owner checks the invariants on its new states and
sends this process (which only coordinates) a summary (how many, failing
positions, deadlocks), then, on a socket of its own, their positions, parents
and actions. Once the summaries say the search goes on, the next level is
ordered, and the owners expand it while this process puts the last one in
place. Counts, verdicts and counterexamples are those of one worker.

Every owner's visited set grows at the start of a level, by a rule on totals
all owners know, so they rehash in the same level: one owner's rehash in the
middle of a level would keep the others waiting at its end.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
import queue
import signal
import socket
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import wait
from typing import Any

import numpy as np

from ccrverify.errors import UsageError
from ccrverify.explicit import search as search_module
from ccrverify.explicit.expand import Candidates, in_bfs_order
from ccrverify.explicit.rowset import hash_rows
from ccrverify.explicit.vector import RowError

SOCKET_BUFFER = 1 << 22  # bytes: fewer, larger copies between owners
SHARED_BYTES = 1 << 26  # an owner's shared memory for its parts to all its peers (touched as used)
SLOTS = 4  # buffers per pair of owners, used in turn (why 4: `Owner._send_batch`)


def takeover() -> int:
    """The level size from which the worker processes take the search over: a
    chunk (two owners' batch). Smaller levels cost more to share out than they
    save; larger ones would leave many workers idle on a mid-sized model."""
    return search_module.MAX_CHUNK


def available() -> bool:
    """Forking is what gives the workers the compiled model for free (POSIX)."""
    return "fork" in multiprocessing.get_all_start_methods()


def share_of(hashes: Any, count: int) -> Any:
    """Each state's owner (uint64): its hash's top 32 bits scaled to `count` (the
    visited set's slots come from the low bits)."""
    if not count & (count - 1):  # a power of two: the top bits alone
        return hashes >> np.uint64(64 - count.bit_length() + 1) \
            if count > 1 else np.zeros(hashes.shape, dtype=np.uint64)
    return (hashes >> np.uint64(32)) * np.uint64(count) >> np.uint64(32)


class Owners:
    """The coordinating process's side: forks the owners, runs a level at a time."""

    def __init__(self, search: Any) -> None:
        self.search = search
        self.count = search.request.workers
        self.size = search.frontier_size()  # states in the newest level
        self.peak = 0  # the owners' own peak memory (beyond what they share with this process)
        self.shared = _status("VmRSS")  # what each owner shares with this process at the fork
        self.healthy = True
        self.ordered = False  # the next level is ordered (its answers not read yet)
        self.finished = False  # told to stop (or stopped)
        context = multiprocessing.get_context("fork")
        controls: list[tuple[Any, Any]] = []
        # (this process's end, the owner's): each owner's level, in arrays
        data: list[tuple[socket.socket, socket.socket]] = []
        links: dict[tuple[int, int], tuple[socket.socket, socket.socket]] = {}
        self.processes = []
        try:
            for _ in range(self.count):
                controls.append(context.Pipe())
                data.append(_socket_pair())
            for p in range(self.count):
                for q in range(p + 1, self.count):
                    links[p, q] = _socket_pair()
            # (sender, receiver) -> the shared buffers that carry its batches' parts
            size = SHARED_BYTES // SLOTS // max(1, self.count - 1)
            slots = {(p, q): Slots(size) for p in range(self.count)
                     for q in range(self.count) if p != q}
            for index in range(self.count):
                process = context.Process(target=_serve, name=f"ccrverify-owner-{index}",
                                          args=(index, search, controls, data[index][1],
                                                links, slots),
                                          daemon=True)
                process.start()
                self.processes.append(process)
        except OSError as err:  # too many open files, no memory to fork
            for process in self.processes:
                process.kill()
                process.join()
            for mine, theirs in controls:
                mine.close()
                theirs.close()
            for pair in data:
                for end in pair:
                    end.close()
            raise UsageError(f"--workers {self.count}: the worker processes could not be "
                             f"started ({err.strerror or err})",
                             hint="use fewer workers, or raise the limit it names "
                                  "(ulimit -n for open files)") from None
        finally:  # this process keeps only its ends of the pipes to the owners
            for pair in links.values():
                for end in pair:
                    end.close()
        for (_, theirs), (_, their_data) in zip(controls, data, strict=True):
            theirs.close()
            their_data.close()
        self.controls = [mine for mine, _ in controls]
        self.data = [mine for mine, _ in data]

    # -- a level at a time ---------------------------------------------------------------
    def expand(self) -> None:
        if not self.ordered:  # (as a rule it was, as soon as the last level was counted)
            self._order()
        self._level()

    def _order(self) -> None:
        search = self.search
        limit = search.request.max_states
        room = None if limit is None else max(0, limit - search.found.distinct)
        # A new level has no violation yet: every pending invariant, as many as wanted.
        self._send([("expand", self.size, room, sorted(search.pending),
                     search.request.counterexamples)] * self.count)
        self.ordered = True

    def _level(self) -> None:
        """The owners find the next level and number it; here its parents are put in
        place and the invariants' failures recorded, as one worker would."""
        from ccrverify.explicit.search import action_dtype, parent_dtype

        search = self.search
        summaries = self._answers()
        self.ordered = False
        dead = sorted(d for summary in summaries for d in summary.dead)
        search.tally([(sum(summary.transitions for summary in summaries),
                       tuple(dead[:search.request.counterexamples]))])
        size = sum(summary.size for summary in summaries)
        if not size and len(search.levels):
            self.size = 0  # no new state: the search is over
            return
        actions = len(search.kernel.expand)
        parent = np.empty(size, dtype=parent_dtype(self.size))
        action = np.empty(size, dtype=action_dtype(actions))
        errors = [summary.error for summary in summaries if summary.error is not None]
        failures: dict[int, list[int]] = {}
        for summary in summaries:
            for index, positions in summary.failures.items():
                failures.setdefault(index, []).extend(positions)
        wanted = search.request.counterexamples
        with _whole():  # an interrupted run keeps whole levels only
            search.levels.append(parent, action)  # filled in by _place
            search.found.distinct += size
            self.size = size
            search.record_failures([{index: sorted(positions)[:wanted]
                                     for index, positions in sorted(failures.items())}])
            if size and not errors and not search._should_stop():
                self._order()  # the owners go on while this level is put in place
            self._place(summaries, parent, action)
        if errors:  # the first in the level, as one worker meets it
            raise RowError(*min(errors, key=lambda error: error[1]))

    def _place(self, summaries: list[Summary], parent: Any, action: Any) -> None:
        """Each owner's states' parents and actions at their positions in the level."""
        for i, summary in enumerate(summaries):
            if not summary.size:
                continue
            try:
                positions = _read(self.data[i], np.empty(summary.size, dtype=np.int64))
                parent[positions] = _read(self.data[i], np.empty(summary.size, parent.dtype))
                action[positions] = _read(self.data[i], np.empty(summary.size, action.dtype))
            except OSError:
                self.healthy = False
                raise self._ended(i) from None

    # -- talking to the owners -----------------------------------------------------------
    def _send(self, orders: list[tuple[Any, ...]]) -> None:
        self.healthy = False  # until every answer is in
        for control, order in zip(self.controls, orders, strict=True):
            control.send(order)

    def _answers(self) -> list[Any]:
        """Each owner's answer to its order (an evaluation error raised as one)."""
        answers: list[Any] = [None] * self.count
        waiting = set(range(self.count))
        while waiting:
            ready = wait([self.controls[i] for i in waiting]
                         + [self.processes[i].sentinel for i in waiting])
            for i in list(waiting):
                control, process = self.controls[i], self.processes[i]
                if control not in ready and process.sentinel not in ready:
                    continue
                try:
                    answers[i] = control.recv() if control.poll() else None
                except EOFError:
                    answers[i] = None
                if answers[i] is None:
                    raise self._ended(i)
                waiting.discard(i)
        # An owner's own failure first: its peers then only lose their connection to it.
        for kind in ("error", "failed", "cut off"):
            for i, answer in enumerate(answers):
                if answer[0] == kind == "error":
                    raise RowError(answer[1], answer[2])
                if answer[0] == kind:
                    raise RuntimeError(f"worker process {i} failed: {answer[1]}")
        self.healthy = True
        return [answer[1] for answer in answers]

    def _ended(self, i: int) -> RuntimeError:
        self.processes[i].join(timeout=1)
        return RuntimeError(f"worker process {i} ended without an answer (exit status "
                            f"{self.processes[i].exitcode})")

    def finish(self) -> None:
        """Tell the owners to stop, their peak memory read first (a stopped run
        counts too); `close` waits for them, once the result is out."""
        if not self.processes or self.finished:
            return
        self.finished = True
        self.peak = sum(max(0, _status("VmHWM", process.pid or 0) - self.shared)
                        for process in self.processes)
        if not self.healthy:  # an owner failed, or a level is ordered: not waited for
            for process in self.processes:
                process.kill()
            return
        try:
            self._send([("stop",)] * self.count)
        except OSError:
            pass

    def close(self) -> None:
        if not self.processes:
            return
        self.finish()
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
        for end in self.controls + self.data:
            end.close()
        self.processes = []


def _serve(index: int, search: Any, controls: list[Any],
           data: socket.socket,
           links: dict[tuple[int, int], tuple[socket.socket, socket.socket]],
           slots: dict[tuple[int, int], Slots]) -> None:
    """An owner process: answer orders until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the coordinator handles Ctrl-C
    # Keep only this owner's ends: a peer that dies must look closed to the others.
    control = controls[index][1]
    for i, (mine, theirs) in enumerate(controls):
        mine.close()
        if i != index:
            theirs.close()
    peers = {}
    for (p, q), (a, b) in links.items():
        if index in (p, q):
            peers[q if index == p else p] = a if index == p else b
            (b if index == p else a).close()
        else:
            a.close()
            b.close()
    owner = Owner(index, len(controls), search, peers, data,
                  {q: slots[index, q] for q in peers}, {q: slots[q, index] for q in peers})
    while True:
        try:
            order = control.recv()
        except EOFError:
            return
        if order[0] == "stop":  # (not answered: the coordinator does not wait for it)
            owner.stop()
            os._exit(0)  # nothing to tidy: the kernel frees the arrays at once
        try:
            answer: tuple[Any, ...] = ("ok", getattr(owner, order[0])(*order[1:]))
        except RowError as err:
            answer = ("error", err.state, err.row)
        except OSError as err:
            answer = ("cut off", f"{type(err).__name__}: {err}")
        except BaseException:  # noqa: BLE001 -- reported to the coordinator, which raises
            answer = ("failed", traceback.format_exc(limit=-3).strip().splitlines()[-1])
        if answer[0] != "ok":
            # What is queued goes out first: the coordinator may still be reading
            # the last level's parents, and a peer this batch's part.
            owner.drain()
            control.send(answer)
            return
        control.send(answer)


def _status(field: str, pid: int | str = "self") -> int:
    """Bytes of a memory figure of /proc/PID/status (0 where there is none)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@contextmanager
def _whole() -> Iterator[None]:
    """Ctrl-C takes effect after the block, which puts a level in place: a level
    half in place would give wrong traces. (The block waits only for data an owner
    has already queued, or for its end.)"""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield  # Ctrl-C raises nothing here, or its handler is not Python's: left alone
        return
    pressed: list[int] = []

    signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if pressed:
        raise KeyboardInterrupt


def _socket_pair() -> tuple[socket.socket, socket.socket]:
    pair = socket.socketpair()
    for end in pair:
        end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
        end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_BUFFER)
    return pair


@dataclass
class Summary:
    """An owner's part of a new level, numbered as one worker numbers it: the
    arrays follow on the owner's data socket (int64 positions, ascending; each
    state's parent position; its action instance)."""

    size: int  # its new states
    failures: dict[int, list[int]]  # invariant -> its first failing positions
    transitions: int = 0  # of the states it expanded
    dead: tuple[int, ...] = ()  # its first deadlocked positions in the expanded level
    error: tuple[int, int] | None = None  # (state, position): an invariant undefined there


class Owner:
    """One worker process's share: its part of the visited set and of the level."""

    def __init__(self, index: int, count: int, search: Any, peers: dict[int, socket.socket],
                 data: socket.socket, slots_out: dict[int, Slots],
                 slots_in: dict[int, Slots]) -> None:
        self.index, self.count = index, count
        self.kernel = search.kernel
        self.expander = search.expander()
        self.words = search.words
        self.symmetric = search.canon is not None
        self.peers = peers
        self.data = data
        self.slots_out, self.slots_in = slots_out, slots_in
        # What the search found in one process, inherited by the fork: its visited
        # set, kept whole (the other owners' states in it are never looked for, and
        # it is small), and this owner's share of the newest level.
        (self.visited,) = search.visited.regions
        self.sizes = [search.levels.size(depth) for depth in range(len(search.levels))]
        self.inherited = len(self.visited)
        frontier = search.frontier
        keys = frontier if search.canon is None else search.canon(frontier)
        self.positions: Any = np.flatnonzero(share_of(hash_rows(keys), count) == index)
        self.frontier: Any = frontier[:, self.positions]  # each state's position, ascending
        self.new_states: list[Any] = []  # the level being found, batch by batch
        self.new_ids: list[Any] = []
        self.incoming = Scratch(self.words, self.symmetric)  # this thread's
        self.outgoing = Scratch(self.words, self.symmetric)  # the sending thread's
        # Sends go through one thread, in order, while this one expands and reads:
        # two owners blocked on full sockets never wait for each other.
        self.outbox: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self.sender = threading.Thread(target=self._send_all, daemon=True)
        self.sender.start()

    def expand(self, n: int, room: int | None, pending: list[int], wanted: int) -> Summary:
        """Expand this owner's states of the level (n states in all), batch by batch
        in step with the other owners; number the new states found."""
        self._grow_ahead()
        transitions, dead = 0, list[int]()
        # A batch of half a chunk per owner: with two batches in flight (one ahead),
        # their candidates and the insertion's temporaries stay near the cache
        # (measured 1.03-1.3x faster than a whole chunk on TwoPhase rm = 8 and 9,
        # AntiEntropy and Rumor in benchmarks/, with less memory).
        chunk = max(1, search_module.MAX_CHUNK // 2)
        batch = min(search_module.BATCH, chunk * self.count)
        # One batch ahead: the next is expanded (and sent) before this one's
        # candidates from the others are read, so that nobody waits for them.
        previous = None
        for start in range(0, n, batch):
            low, high = (int(i) for i in np.searchsorted(self.positions, [start, start + batch]))
            parts = [self._chunk(a, min(a + chunk, high)) for a in range(low, high, chunk)]
            for part in parts:
                transitions += part.transitions
                dead += part.dead
            current = self._share_out(parts)
            if previous is not None:
                self._take_in(*previous)
            previous = current
        if previous is not None:
            self._take_in(*previous)
        summary = self._number(n, room, pending, wanted)
        summary.transitions, summary.dead = transitions, tuple(dead[:self.expander.wanted])
        return summary

    def _grow_ahead(self) -> None:
        """Make room in the visited set for the level about to be found: as many
        new states as the last level had, times its growth (at most 4), shared
        evenly with 5 % to spare, beside the states inherited at the fork. Every
        owner knows these totals, so all of them grow now or none does."""
        last, before = self.sizes[-1], self.sizes[-2] if len(self.sizes) > 1 else 1
        expected = last * min(4.0, last / max(before, 1))
        found = sum(self.sizes) - self.inherited
        self.visited.make_room(int(self.inherited + (found + expected) / self.count * 1.05))

    def _chunk(self, a: int, b: int) -> Candidates:
        try:
            part: Candidates = self.expander._chunk(self.frontier[:, a:b], 0,
                                                    self.positions[a:b])
            return part
        except RowError as err:
            err.row = int(self.positions[a + err.row])
            raise

    def _share_out(self, parts: list[Candidates]) -> tuple[list[Candidates], list[Any]]:
        """A batch's candidates to their owners (queued for the sending thread);
        the positions this owner keeps of each part."""
        parts = [part for part in parts if part.size]
        owner = [share_of(part.hashes, self.count) for part in parts]
        outgoing = {q: [np.flatnonzero(o == q) for o in owner] for q in self.peers}
        self.outbox.put(partial(self._send_batch, parts, outgoing))
        return parts, [np.flatnonzero(o == self.index) for o in owner]

    def _take_in(self, parts: list[Candidates], kept: list[Any]) -> None:
        """What this owner gets of a batch goes into one set of arrays (its own
        gathered, its peers' read straight in) and into its visited set in one
        call, so that the smallest id of a new state wins."""
        counts = [sum(sel.size for sel in kept)] + [_read_count(self.peers[q])
                                                    for q in sorted(self.peers)]
        every = self.incoming.view(sum(counts))
        at = 0
        for part, sel in zip(parts, kept, strict=True):
            _gather(part, sel, every, at, self.symmetric)
            at += sel.size
        for q, count in zip(sorted(self.peers), counts[1:], strict=True):
            shared = self.slots_in[q].next(self.words, count, self.symmetric)
            for i, target in enumerate(_arrays(every, self.symmetric)):
                if shared is not None:
                    np.copyto(target[..., at:at + count], _arrays(shared, self.symmetric)[i])
                    continue
                for row in np.atleast_2d(target):
                    _read(self.peers[q], row[at:at + count])
            at += count
        if not every.size:
            return
        new = np.flatnonzero(self.visited.add(every.keys, every.hashes, every.ids))
        order = new[in_bfs_order(every.ids[new], new.size)]
        self.new_states.append(every.states[:, order])
        self.new_ids.append(every.ids[order])

    def _send_batch(self, parts: list[Candidates], outgoing: dict[int, list[Any]]) -> None:
        """Each peer's candidates of the batch, gathered into one piece: into the
        next of its shared buffers, then their count on the socket; or, where they
        do not fit there, the count, then each array (a word of the states at a
        time) on the socket.

        A buffer is written again 4 parts later, by which time the peer has read
        it: this owner queues batch b after reading the peer's part of b - 2,
        which the peer sent before reading our part of b - 3 and after reading
        our part of b - 4 (each owner reads batch b - 1 after sending b)."""
        for q in sorted(self.peers):
            sels = outgoing[q]
            count = sum(sel.size for sel in sels)
            peer = self.peers[q]
            shared = self.slots_out[q].next(self.words, count, self.symmetric)
            piece = shared if shared is not None else self.outgoing.view(count)
            at = 0
            for part, sel in zip(parts, sels, strict=True):
                _gather(part, sel, piece, at, self.symmetric)
                at += sel.size
            peer.sendall(np.array([count], dtype=np.int64).tobytes())
            if shared is None:
                for target in _arrays(piece, self.symmetric):
                    for row in np.atleast_2d(target):
                        peer.sendall(memoryview(row).cast("B"))

    def _number(self, n: int, room: int | None, pending: list[int], wanted: int) -> Summary:
        """The level (expanded from `n` states) is found: each new state's position
        is its rank among every owner's new ids; keep those within the state limit
        (`room`) as the frontier and check the invariants on them."""
        ids = _joined(self.new_ids, np.zeros(0, dtype=np.int64))
        states = _joined(self.new_states, np.zeros((self.words, 0), dtype=np.int64))
        self.new_states, self.new_ids = [], []
        self.outbox.put(partial(_send_ids, list(self.peers.values()), ids))
        # The invariants are checked while the others' ids come in; under a state
        # limit only once the level is cut to it (no state beyond it is evaluated).
        failing = self._failing(states, pending, wanted) if room is None else None
        positions = np.arange(ids.size, dtype=np.int64)
        total = ids.size
        for q in sorted(self.peers):
            others = _receive_ids(self.peers[q])
            positions += np.searchsorted(others, ids)
            total += others.size
        if room is not None:
            keep = int(np.searchsorted(positions, room))
            states, ids, positions = states[:, :keep], ids[:keep], positions[:keep]
            total = min(total, room)
            failing = self._failing(states, pending, wanted)
        self.sizes.append(total)
        self.frontier, self.positions = states, positions
        # In the level's own dtypes: the coordinator reads them straight in.
        from ccrverify.explicit.search import action_dtype, parent_dtype

        actions = len(self.kernel.expand)
        parents = ids // actions  # (one division: `%` would be a second, EdgeLog.level)
        action = (ids - parents * actions).astype(action_dtype(actions))
        parent = parents.astype(parent_dtype(n))
        if ids.size:
            self.outbox.put(partial(_send_arrays, [self.data], [positions, parent, action]))
        summary = Summary(int(ids.size), {})
        assert failing is not None
        if isinstance(failing, RowError):  # the coordinator numbers the level first
            summary.error = (failing.state, int(positions[failing.row]))
        else:
            summary.failures = {index: [int(p) for p in positions[at]]
                                for index, at in failing.items()}
        return summary

    def _failing(self, states: Any, pending: list[int], wanted: int
                 ) -> dict[int, Any] | RowError:
        """Where (indices into `states`) each pending invariant first fails, up to
        `wanted` states each; or the evaluation error met first."""
        from ccrverify.explicit.search import failing_positions

        failures: dict[int, list[int]] = {}
        chunk = search_module.MAX_CHUNK
        try:
            for a in range(0, states.shape[1], chunk) if pending else ():
                found = failing_positions(self.kernel, pending, wanted, states[:, a:a + chunk],
                                          np.arange(a, min(a + chunk, states.shape[1])))
                for index, at in found.items():
                    failures.setdefault(index, []).extend(at)
        except RowError as err:
            return err
        return {index: np.array(at[:wanted], dtype=np.int64) for index, at in failures.items()}

    def _send_all(self) -> None:
        while (job := self.outbox.get()) is not None:
            try:
                job()
            except OSError:  # a peer that is gone: the coordinator sees its process end
                pass

    def drain(self) -> None:
        """Send what is queued, then end the sending thread (a peer gone makes its
        sends fail at once; the wait is bounded all the same)."""
        self.outbox.put(None)
        self.sender.join(timeout=60)

    def stop(self) -> None:
        """The owner's last act before its process exits (benchmarks/workers.py reads
        its CPU seconds here)."""
        self.outbox.put(None)


def _joined(parts: list[Any], empty: Any) -> Any:
    """The parts along their last axis (one part as it is: no copy)."""
    return empty if not parts else parts[0] if len(parts) == 1 else np.concatenate(parts, -1)


def _empty(words: int, count: int, symmetric: bool) -> Candidates:
    states = np.empty((words, count), dtype=np.int64)
    keys = np.empty((words, count), dtype=np.int64) if symmetric else states
    return Candidates(0, states, keys, np.empty(count, dtype=np.uint64),
                      np.empty(count, dtype=np.int64))


class Slots:
    """Shared memory that carries one owner's batch parts to another (mapped
    before the fork, so both see it): SLOTS buffers, taken in turn by both ends
    for every part with candidates."""

    def __init__(self, size: int) -> None:
        self.size = size
        # (pages are used as they are touched; a mapping has one at least)
        self.memory = mmap.mmap(-1, max(SLOTS * size, mmap.PAGESIZE))
        self.turn = 0

    def next(self, words: int, count: int, symmetric: bool) -> Candidates | None:
        """The next buffer as the arrays of `count` candidates (None when there is
        none to carry, or they do not fit: they go by socket)."""
        if not count:
            return None
        at = self.turn % SLOTS * self.size
        self.turn += 1
        if count * 8 * (words * (2 if symmetric else 1) + 2) > self.size:
            return None

        def array(shape: tuple[int, ...], dtype: Any) -> Any:
            nonlocal at
            part = np.frombuffer(self.memory, dtype, int(np.prod(shape)), at).reshape(shape)
            at += part.nbytes
            return part

        states = array((words, count), np.int64)
        keys = array((words, count), np.int64) if symmetric else states
        return Candidates(0, states, keys, array((count,), np.uint64), array((count,), np.int64))


class Scratch:
    """Arrays reused from batch to batch: fresh ones of a few MB each would cost a
    page fault (and a zeroed page) per 4 KB on every batch."""

    def __init__(self, words: int, symmetric: bool) -> None:
        self.words, self.symmetric = words, symmetric
        self.whole = _empty(words, 0, symmetric)

    def view(self, count: int) -> Candidates:
        """Room for `count` candidates (valid until the next call)."""
        if count > self.whole.size:
            self.whole = _empty(self.words, max(count, self.whole.size * 3 // 2),
                                self.symmetric)
        w = self.whole
        return Candidates(0, w.states[:, :count], w.keys[:, :count], w.hashes[:count],
                          w.ids[:count])


def _arrays(c: Candidates, symmetric: bool) -> list[Any]:
    """What goes from owner to owner: the keys only when they are not the states."""
    return [c.states] + ([c.keys] if symmetric else []) + [c.hashes, c.ids]


def _gather(source: Candidates, sel: Any, target: Candidates, at: int,
            symmetric: bool) -> None:
    """target[at:at + len(sel)] = source[sel], a row of each array at a time."""
    for whole, part in zip(_arrays(target, symmetric), _arrays(source, symmetric), strict=True):
        for into, row in zip(np.atleast_2d(whole), np.atleast_2d(part), strict=True):
            np.take(row, sel, out=into[at:at + sel.size], mode="wrap")


def _read_count(peer: socket.socket) -> int:
    return int(_read(peer, np.zeros(1, dtype=np.int64))[0])


def _send_ids(peers: list[socket.socket], ids: Any) -> None:
    for peer in peers:
        peer.sendall(np.array([ids.size], dtype=np.int64).tobytes())
    _send_arrays(peers, [ids])


def _send_arrays(peers: list[socket.socket], arrays: list[Any]) -> None:
    for peer in peers:
        for array in arrays:
            if array.size:
                contiguous: Any = np.ascontiguousarray(array)
                peer.sendall(memoryview(contiguous).cast("B"))


def _receive_ids(peer: socket.socket) -> Any:
    return _read(peer, np.empty(_read_count(peer), dtype=np.int64))

def _read(peer: socket.socket, into: Any) -> Any:
    view = memoryview(into).cast("B")
    got = 0
    while got < len(view):
        n = peer.recv_into(view[got:])
        if not n:
            raise ConnectionError("a peer worker process closed its socket")
        got += n
    return into
