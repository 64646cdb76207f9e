"""The state space shared out between processes: `--workers N` on N cores.

Threads do not scale this search (1.0-1.1x measured with two): the visited
set's probe rounds are many small numpy operations, and the interpreter lock
is held between them. So N forked worker processes each own the states whose
hash falls in their share: that part of the visited set and of every level.

A level is expanded in batches, ranges of its positions that every owner
walks in the same order. For each batch an owner expands its own states in
the range, keeps the candidates it owns, sends each other owner its part (a
socket per pair, written by one sending thread, so two full sockets cannot
block each other), expands the next batch, and only then reads the others'
parts and inserts what it owns of the batch in one call, which keeps the
smallest candidate id of each new state. Ids carry level positions (parent
position * actions + action) and every earlier batch's ids are smaller, so
each owner picks the parents one worker would.

When the level is done the owners swap their new states' sorted ids: a new
state's position in the next level is its rank among all of them, which is
one worker's order. Each owner checks the invariants on its new states and
sends this process (which only coordinates) their positions, parents,
actions and failing positions; here they are put in place as the level.
Counts, verdicts and counterexamples are those of one worker.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import wait
from typing import Any

import numpy as np

from ccrverify.errors import UsageError
from ccrverify.explicit import search as search_module
from ccrverify.explicit.expand import Candidates, in_bfs_order
from ccrverify.explicit.rowset import RowSet, hash_rows
from ccrverify.explicit.vector import RowError

SOCKET_BUFFER = 1 << 22  # bytes: fewer, larger copies between owners


def available() -> bool:
    """Forking is what gives the workers the compiled model for free (POSIX)."""
    return "fork" in multiprocessing.get_all_start_methods()


def share_of(hashes: Any, count: int) -> Any:
    """Each state's owner: its hash's top 32 bits scaled to `count` (the visited
    set's slots come from the low bits)."""
    if not count & (count - 1):  # a power of two: the top bits alone
        return (hashes >> np.uint64(64 - count.bit_length() + 1)).astype(np.intp) \
            if count > 1 else np.zeros(hashes.shape, dtype=np.intp)
    return ((hashes >> np.uint64(32)) * np.uint64(count) >> np.uint64(32)).astype(np.intp)


class Owners:
    """The coordinating process's side: forks the owners, runs a level at a time."""

    def __init__(self, search: Any, rows: Any, keys: Any) -> None:
        self.search = search
        self.count = search.request.workers
        self.size = 0  # states in the newest level
        self.peak = 0  # the owners' own peak memory (beyond what they share with this process)
        self.shared = _status("VmRSS")  # what each owner shares with this process at the fork
        self.healthy = True
        context = multiprocessing.get_context("fork")
        controls: list[tuple[Any, Any]] = []
        links: dict[tuple[int, int], tuple[socket.socket, socket.socket]] = {}
        self.processes = []
        try:
            for _ in range(self.count):
                controls.append(context.Pipe())
            for p in range(self.count):
                for q in range(p + 1, self.count):
                    links[p, q] = socket.socketpair()
                    for end in links[p, q]:
                        end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
                        end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_BUFFER)
            for index in range(self.count):
                process = context.Process(target=_serve, name=f"ccrverify-owner-{index}",
                                          args=(index, search, rows, keys, controls, links),
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
            raise UsageError(f"--workers {self.count}: the worker processes could not be "
                             f"started ({err.strerror or err})",
                             hint="use fewer workers, or raise the limit it names "
                                  "(ulimit -n for open files)") from None
        finally:  # this process keeps only its ends of the control pipes
            for pair in links.values():
                for end in pair:
                    end.close()
        for _, theirs in controls:
            theirs.close()
        self.controls = [mine for mine, _ in controls]

    # -- a level at a time ---------------------------------------------------------------
    def initial(self) -> None:
        self._level("initial")

    def expand(self) -> None:
        self._level("expand")

    def _level(self, order: str) -> None:
        """The owners find the next level and number it; here its parents are put in
        place and the invariants' failures recorded, as one worker would."""
        from ccrverify.explicit.search import action_dtype, parent_dtype

        search = self.search
        limit = search.request.max_states
        room = None if limit is None else max(0, limit - search.found.distinct)
        # A new level has no violation yet: every pending invariant, as many as wanted.
        check = (sorted(search.pending), search.request.counterexamples)
        replies = self._ask([(order, self.size, room) + check] * self.count)
        if order == "expand":
            dead = sorted(d for reply in replies for d in reply.dead)
            search.tally([(sum(reply.transitions for reply in replies),
                           tuple(dead[:search.request.counterexamples]))])
        size = sum(reply.positions.size for reply in replies)
        if not size and len(search.levels):
            self.size = 0  # no new state: the search is over
            return
        actions = len(search.kernel.expand)
        parent = np.empty(size, dtype=np.int64 if order == "initial" else parent_dtype(self.size))
        action = np.empty(size, dtype=action_dtype(actions))
        for reply in replies:
            parent[reply.positions] = reply.parent
            action[reply.positions] = reply.action
        search.levels.append(parent, action)
        search.found.distinct += size
        self.size = size
        errors = [reply.error for reply in replies if reply.error is not None]
        if errors:  # the first in the level, as one worker meets it
            raise RowError(*min(errors, key=lambda error: error[1]))
        failures: dict[int, list[int]] = {}
        for reply in replies:
            for index, positions in reply.failures.items():
                failures.setdefault(index, []).extend(positions)
        search.record_failures([{index: sorted(positions)[:check[1]]
                                 for index, positions in sorted(failures.items())}])

    # -- talking to the owners -----------------------------------------------------------
    def _ask(self, orders: list[tuple[Any, ...]]) -> list[Any]:
        """Each owner's answer to its order (an evaluation error raised as one)."""
        self.healthy = False  # until every answer is in
        for control, order in zip(self.controls, orders, strict=True):
            control.send(order)
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
                    process.join(timeout=1)
                    raise RuntimeError(f"worker process {i} ended without an answer (exit "
                                       f"status {process.exitcode})")
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

    def close(self) -> None:
        """Stop the owners (their peak memory read first: a stopped run counts too)."""
        if not self.processes:
            return
        self.peak = sum(max(0, _status("VmHWM", process.pid or 0) - self.shared)
                        for process in self.processes)
        if self.healthy:
            try:
                self._ask([("stop",)] * self.count)
            except (RuntimeError, OSError, EOFError):
                pass
        for process in self.processes:
            process.join(timeout=5 if self.healthy else 0)
            if process.is_alive():
                process.kill()
                process.join()
        for control in self.controls:
            control.close()
        self.processes = []


def _serve(index: int, search: Any, rows: Any, keys: Any, controls: list[Any],
           links: dict[tuple[int, int], tuple[socket.socket, socket.socket]]) -> None:
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
    owner = Owner(index, len(controls), search, rows, keys, peers)
    while True:
        try:
            order = control.recv()
        except EOFError:
            return
        try:
            answer: tuple[Any, ...] = ("ok", getattr(owner, order[0])(*order[1:]))
        except RowError as err:
            answer = ("error", err.state, err.row)
        except OSError as err:
            answer = ("cut off", f"{type(err).__name__}: {err}")
        except BaseException:  # noqa: BLE001 -- reported to the coordinator, which raises
            answer = ("failed", traceback.format_exc(limit=-3).strip().splitlines()[-1])
        control.send(answer)
        if order[0] == "stop" or answer[0] != "ok":
            return


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


@dataclass
class Reply:
    """An owner's part of a new level, numbered as one worker numbers it."""

    positions: Any  # int64, ascending: its new states' positions in the level
    parent: Any  # each one's parent position (initial states: the index of the state)
    action: Any  # each one's action instance (initial states: -1)
    failures: dict[int, list[int]]  # invariant -> its first failing positions
    transitions: int = 0  # of the states it expanded
    dead: tuple[int, ...] = ()  # its first deadlocked positions in the expanded level
    error: tuple[int, int] | None = None  # (state, position): an invariant undefined there


class Owner:
    """One worker process's share: its part of the visited set and of the level."""

    def __init__(self, index: int, count: int, search: Any, rows: Any, keys: Any,
                 peers: dict[int, socket.socket]) -> None:
        self.index, self.count = index, count
        self.kernel = search.kernel
        self.expander = search.expander()
        self.words = search.words
        self.symmetric = search.canon is not None
        self.visited = RowSet(self.words)
        self.peers = peers
        self.initial_rows: Any = (rows, keys)
        self.frontier: Any = np.zeros((self.words, 0), dtype=np.int64)
        self.positions: Any = np.zeros(0, dtype=np.int64)  # each frontier state's, ascending
        self.new_states: list[Any] = []  # the level being found, batch by batch
        self.new_ids: list[Any] = []
        self.incoming = Scratch(self.words, self.symmetric)  # this thread's
        self.outgoing = Scratch(self.words, self.symmetric)  # the sending thread's
        # Sends go through one thread, in order, while this one expands and reads:
        # two owners blocked on full sockets never wait for each other.
        self.outbox: queue.Queue[Callable[[], None] | None] = queue.Queue()
        threading.Thread(target=self._send_all, daemon=True).start()

    def initial(self, n: int, room: int | None, pending: list[int], wanted: int) -> Reply:
        """This owner's initial states (their ids: their indices)."""
        rows, keys = self.initial_rows
        self.initial_rows = None
        hashes = hash_rows(keys)
        mine = np.flatnonzero(share_of(hashes, self.count) == self.index)
        first = mine[self.visited.add(keys[:, mine], hashes[mine], mine)]
        self.new_states, self.new_ids = [rows[:, first]], [first]
        return self._number(n, room, pending, wanted, initial=True)

    def expand(self, n: int, room: int | None, pending: list[int], wanted: int) -> Reply:
        """Expand this owner's states of the level (n states in all), batch by batch
        in step with the other owners; number the new states found."""
        transitions, dead = 0, list[int]()
        # A batch of about a chunk per owner: the insertion's temporaries stay small
        chunk = search_module.MAX_CHUNK
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
        reply = self._number(n, room, pending, wanted)
        reply.transitions, reply.dead = transitions, tuple(dead[:self.expander.wanted])
        return reply

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
            for target in _arrays(every, self.symmetric):
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
        """Each peer's candidates of the batch: their count, then each array (a word
        of the states at a time), gathered into one piece."""
        for q in sorted(self.peers):
            sels = outgoing[q]
            count = sum(sel.size for sel in sels)
            peer = self.peers[q]
            peer.sendall(np.array([count], dtype=np.int64).tobytes())
            if not count:
                continue
            piece = self.outgoing.view(count)
            at = 0
            for part, sel in zip(parts, sels, strict=True):
                _gather(part, sel, piece, at, self.symmetric)
                at += sel.size
            for target in _arrays(piece, self.symmetric):
                for row in np.atleast_2d(target):
                    peer.sendall(memoryview(row).cast("B"))

    def _number(self, n: int, room: int | None, pending: list[int], wanted: int,
                initial: bool = False) -> Reply:
        """The level (expanded from `n` states) is found: each new state's position
        is its rank among every owner's new ids; keep those within the state limit
        (`room`) as the frontier and check the invariants on them."""
        ids = _joined(self.new_ids, np.zeros(0, dtype=np.int64))
        states = _joined(self.new_states, np.zeros((self.words, 0), dtype=np.int64))
        self.new_states, self.new_ids = [], []
        self.outbox.put(partial(_send_ids, list(self.peers.values()), ids))
        positions = np.arange(ids.size, dtype=np.int64)
        for q in sorted(self.peers):
            others = _receive_ids(self.peers[q])
            positions += np.searchsorted(others, ids)
        if room is not None:
            keep = int(np.searchsorted(positions, room))
            states, ids, positions = states[:, :keep], ids[:keep], positions[:keep]
        self.frontier, self.positions = states, positions
        if initial:
            parent, action = ids, np.full(ids.size, -1, dtype=np.int16)
        else:  # in the level's own dtypes: less to send, nothing to convert there
            from ccrverify.explicit.search import action_dtype, parent_dtype

            actions = len(self.kernel.expand)
            parent = (ids // actions).astype(parent_dtype(n))
            action = (ids % actions).astype(action_dtype(actions))
        reply = Reply(positions, parent, action, {})
        try:
            reply.failures = self._failures(pending, wanted)
        except RowError as err:  # in the new level: the coordinator numbers it first
            reply.error = (err.state, err.row)
        return reply

    def _failures(self, pending: list[int], wanted: int) -> dict[int, list[int]]:
        from ccrverify.explicit.search import failing_positions

        failures: dict[int, list[int]] = {}
        chunk = search_module.MAX_CHUNK
        for a in range(0, self.positions.size, chunk) if pending else ():
            found = failing_positions(self.kernel, pending, wanted, self.frontier[:, a:a + chunk],
                                      self.positions[a:a + chunk])
            for index, positions in found.items():
                failures.setdefault(index, []).extend(positions)
        return {index: positions[:wanted] for index, positions in failures.items()}

    def _send_all(self) -> None:
        while (job := self.outbox.get()) is not None:
            try:
                job()
            except OSError:  # a peer that is gone: the coordinator sees its process end
                pass

    def stop(self) -> None:
        self.outbox.put(None)


def _joined(parts: list[Any], empty: Any) -> Any:
    """The parts along their last axis (one part as it is: no copy)."""
    return empty if not parts else parts[0] if len(parts) == 1 else np.concatenate(parts, -1)


def _empty(words: int, count: int, symmetric: bool) -> Candidates:
    states = np.empty((words, count), dtype=np.int64)
    keys = np.empty((words, count), dtype=np.int64) if symmetric else states
    return Candidates(0, states, keys, np.empty(count, dtype=np.uint64),
                      np.empty(count, dtype=np.int64))


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
        if ids.size:
            peer.sendall(memoryview(ids).cast("B"))


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
