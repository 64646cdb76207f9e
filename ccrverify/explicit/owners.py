"""The visited set shared out between processes: `--workers N` on N cores.

Threads do not scale the insertion: its probe rounds are many small numpy
operations, and each holds the interpreter lock between them. So each worker
process owns a share of the visited set (the states whose hash falls in its
range of the top 16 bits) and inserts that share of every batch, while this
process inserts its own share and expands the next batch. A share is a plain
`RowSet`: the smallest id of a new state still wins, within its share, so the
search's result is that of one worker.

This process has the smaller share (one part in 2N - 1, each worker two) since
it also expands; batches go out and results come back through a sender and a
receiver thread per worker, so that a full pipe never stalls the expansion.
The workers are forked before the search allocates anything large.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from ccrverify.errors import UsageError
from ccrverify.explicit.rowset import RowSet, split_by_region

SHARE_BITS = 16


def available() -> bool:
    """Forking is what shares the model with the workers for free."""
    return "fork" in multiprocessing.get_all_start_methods()


class OwnedVisitedSet:
    def __init__(self, words: int, workers: int) -> None:
        self.words = words
        weights = [1] + [2] * (workers - 1)
        cuts = np.cumsum([0] + weights) * (1 << SHARE_BITS) // sum(weights)
        self.bounds = cuts[1:-1]  # share s holds top bits in [cuts[s], cuts[s + 1])
        self.local = RowSet(words)
        context = multiprocessing.get_context("fork")
        self.remotes: list[_Remote] = []
        for _ in range(workers - 1):
            mine, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, words), daemon=True,
                                      name="ccrverify-visited")
            process.start()
            theirs.close()
            self.remotes.append(_Remote(mine, process))

    def submit(self, rows: Any, hashes: Any, ids: Any) -> Callable[[], Any]:
        """Start inserting a (W, n) batch; the returned function finishes it and gives
        the new-state mask (call them in the order the batches were submitted)."""
        top = hashes >> np.uint64(64 - SHARE_BITS)
        share = np.zeros(len(hashes), dtype=np.uint8 if len(self.bounds) < 256 else np.uint16)
        for bound in self.bounds:
            np.add(share, top >= np.uint64(bound), out=share, casting="unsafe")
        picks = split_by_region(share, len(self.remotes) + 1)  # a radix sort of bytes
        for remote, sel in zip(self.remotes, picks[1:], strict=True):
            remote.send((rows[:, sel], hashes[sel], ids[sel]))

        def finish() -> Any:
            new = np.zeros(rows.shape[1], dtype=bool)
            sel = picks[0]
            new[sel[self.local.add(rows[:, sel], hashes[sel], ids[sel])]] = True
            for remote, sel in zip(self.remotes, picks[1:], strict=True):
                new[sel[remote.receive()]] = True
            return new

        return finish

    def add(self, rows: Any, hashes: Any, ids: Any, pmap: Any = None, values: Any = None,
            met: Any = None) -> Any:
        assert values is None and met is None, "ids are kept by the in-process set only"
        return self.submit(rows, hashes, ids)()

    def close(self) -> None:
        for remote in self.remotes:
            remote.close()
        self.remotes = []


class _Remote:
    """One worker process, fed and read by threads of this process."""

    def __init__(self, connection: Any, process: Any) -> None:
        self.connection = connection
        self.process = process
        self.outbox: queue.Queue[Any] = queue.Queue()
        self.inbox: queue.Queue[Any] = queue.Queue()
        self.sender = threading.Thread(target=self._send_all, daemon=True)
        self.receiver = threading.Thread(target=self._receive_all, daemon=True)
        self.sender.start()
        self.receiver.start()

    def send(self, batch: Any) -> None:
        self.outbox.put(batch)

    def receive(self) -> Any:
        got = self.inbox.get()
        if isinstance(got, BaseException):
            raise UsageError(f"a worker process failed: {got}",
                             hint="run with --workers 1; if it recurs, report it") from got
        return got

    def _send_all(self) -> None:
        while True:
            batch = self.outbox.get()
            try:
                self.connection.send(batch)
            except (OSError, ValueError):
                return
            if batch is None:
                return

    def _receive_all(self) -> None:
        while True:
            try:
                got = self.connection.recv()
            except (EOFError, OSError):
                self.process.join(timeout=1)
                self.inbox.put(EOFError("it ended with exit status "
                                        f"{self.process.exitcode}"))
                return
            self.inbox.put(got)

    def close(self) -> None:
        self.outbox.put(None)
        self.sender.join(timeout=5)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
        self.connection.close()


def _serve(connection: Any, words: int) -> None:
    """A worker: insert each batch received into its share, answer with the mask."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    share = RowSet(words)
    while True:
        try:
            batch = connection.recv()
        except EOFError:
            return
        if batch is None:
            return
        rows, hashes, ids = batch  # unpickled: dtypes made canonical (fast paths)
        try:
            connection.send(share.add(np.asarray(rows, dtype=np.int64),
                                      np.asarray(hashes, dtype=np.uint64),
                                      np.asarray(ids, dtype=np.int64)))
        except MemoryError as err:
            connection.send(err)
            return
