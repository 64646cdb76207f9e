"""Where sweep points run: local worker processes (the default) or a Dask
distributed cluster (``--executor dask://HOST:PORT``, the optional ``dask``
extra).

Executors yield results as they finish, in any order, so the runner can store
each point the moment it is done.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

from ccrverify.errors import UsageError
from ccrverify.sweep.point import PointResult, PointTask, run_point

Work = Callable[[PointTask], PointResult]


class Executor(Protocol):
    name: str

    def run(self, tasks: Sequence[PointTask], work: Work = run_point
            ) -> Iterator[PointResult]: ...


class InlineExecutor:
    """Runs points one after another in this process (``--jobs 1``)."""

    name = "inline"

    def run(self, tasks: Sequence[PointTask], work: Work = run_point
            ) -> Iterator[PointResult]:
        for task in tasks:
            yield work(task)


class ProcessExecutor:
    """A pool of local worker processes."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.name = f"{jobs} local processes"

    def run(self, tasks: Sequence[PointTask], work: Work = run_point
            ) -> Iterator[PointResult]:
        with ProcessPoolExecutor(max_workers=self.jobs, initializer=_exit_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            pending: set[Future[PointResult]] = {pool.submit(work, t) for t in tasks}
            try:
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield future.result()
            finally:
                for future in pending:
                    future.cancel()


def _exit_with_parent(parent: int) -> None:
    """In a worker: exit when the sweep that started it is gone (killed with SIGKILL,
    it cannot tell its workers), instead of waiting for work forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


class DaskExecutor:
    """Points as tasks on a running Dask distributed scheduler."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.name = f"dask scheduler {address}"

    def run(self, tasks: Sequence[PointTask], work: Work = run_point
            ) -> Iterator[PointResult]:
        try:
            import distributed
        except ImportError:
            raise UsageError("--executor dask:// needs Dask distributed",
                             hint="pip install 'ccrverify[dask]'") from None
        dask: Any = distributed  # untyped library
        try:
            client = dask.Client(self.address, timeout="10s")
        except (OSError, TimeoutError) as err:
            raise UsageError(f"cannot reach the Dask scheduler at {self.address}: {err}",
                             hint="start one with: dask scheduler --port PORT") from None
        try:
            futures = client.map(work, list(tasks), pure=False)
            for future in dask.as_completed(futures):
                yield future.result()
        finally:
            client.close()


def make_executor(spec: str | None, jobs: int | None) -> Executor:
    """``None`` or ``local``: processes; ``dask://HOST:PORT``: a Dask cluster."""
    if spec is None or spec == "local":
        count = jobs if jobs is not None else (os.cpu_count() or 1)
        if count < 1:
            raise UsageError("--jobs must be at least 1")
        return InlineExecutor() if count == 1 else ProcessExecutor(count)
    if spec.startswith("dask://"):
        return DaskExecutor("tcp://" + spec.removeprefix("dask://"))
    raise UsageError(f"--executor {spec!r}: expected local or dask://HOST:PORT")
