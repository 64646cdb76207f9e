"""Where a search keeps its levels: per state, its parent's position in the
previous level and the action that produced it (enough to walk any path
back), and the newest level's states (the frontier).

`MemoryLevels` keeps the arrays; `LevelFiles` keeps them in a directory, one
file per array, appended batch by batch, and reads back single entries (a
path) or runs of states (a chunk of the frontier) without mapping whole files:
the memory budget (`--memory`) and checkpoints (`--checkpoint`) both rest on
it. Files are raw little-endian arrays: ``level-00007.states`` (int64, W
words per state, state after state), ``.parent`` (int64) and ``.action``
(int32).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

PARENT = np.dtype("<i8")
ACTION = np.dtype("<i4")
WORD = np.dtype("<i8")


class MemoryLevels:
    def __init__(self) -> None:
        self.parents: list[Any] = []
        self.actions: list[Any] = []

    def __len__(self) -> int:
        return len(self.parents)

    def size(self, depth: int) -> int:
        return len(self.parents[depth])

    def append(self, parent: Any, action: Any) -> None:
        self.parents.append(parent)
        self.actions.append(action)

    def step(self, depth: int, position: int) -> tuple[int, int]:
        """The parent's position and the action of state `position` of level `depth`."""
        return int(self.parents[depth][position]), int(self.actions[depth][position])


class LevelFiles:
    """Levels as files in a directory."""

    def __init__(self, directory: Path, words: int) -> None:
        self.directory = directory
        self.words = words
        self.sizes: list[int] = []

    def __len__(self) -> int:
        return len(self.sizes)

    def size(self, depth: int) -> int:
        return self.sizes[depth]

    def path(self, depth: int, kind: str) -> Path:
        return self.directory / f"level-{depth:05d}.{kind}"

    def start(self, depth: int) -> None:
        """Begin level `depth` (empty files; any older ones of that number go)."""
        for kind in ("states", "parent", "action"):
            self.path(depth, kind).write_bytes(b"")
        del self.sizes[depth:]
        self.sizes.append(0)

    def write(self, depth: int, states: Any, parent: Any, action: Any) -> None:
        """Append a batch of states (W, n) with their parents and actions."""
        assert depth == len(self.sizes) - 1
        with open(self.path(depth, "states"), "ab") as fh:
            np.ascontiguousarray(states.T, dtype=WORD).tofile(fh)
        with open(self.path(depth, "parent"), "ab") as fh:
            np.asarray(parent, dtype=PARENT).tofile(fh)
        with open(self.path(depth, "action"), "ab") as fh:
            np.asarray(action, dtype=ACTION).tofile(fh)
        self.sizes[depth] += len(parent)

    def sync(self, depth: int) -> None:
        for kind in ("states", "parent", "action"):
            fd = os.open(self.path(depth, kind), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def states(self, depth: int, start: int = 0, stop: int | None = None) -> Any:
        """States start..stop of a level as a (W, n) batch."""
        stop = self.sizes[depth] if stop is None else stop
        count = max(0, stop - start)
        rows = np.fromfile(self.path(depth, "states"), dtype=WORD, count=count * self.words,
                           offset=start * self.words * WORD.itemsize)
        return np.ascontiguousarray(rows.reshape(count, self.words).T).astype(np.int64)

    def arrays(self, depth: int, start: int = 0, stop: int | None = None
               ) -> tuple[Any, Any]:
        """Parents and actions of states start..stop of a level."""
        stop = self.sizes[depth] if stop is None else stop
        count = max(0, stop - start)
        parent = np.fromfile(self.path(depth, "parent"), dtype=PARENT, count=count,
                             offset=start * PARENT.itemsize)
        action = np.fromfile(self.path(depth, "action"), dtype=ACTION, count=count,
                             offset=start * ACTION.itemsize)
        return parent.astype(np.int64), action.astype(np.int64)

    def step(self, depth: int, position: int) -> tuple[int, int]:
        parent, action = self.arrays(depth, position, position + 1)
        return int(parent[0]), int(action[0])

    def check_sizes(self) -> bool:
        """Whether every file holds exactly the states the sizes say (or more:
        a batch written after the last checkpoint is ignored)."""
        for depth, n in enumerate(self.sizes):
            for kind, width in (("states", self.words * WORD.itemsize),
                                ("parent", PARENT.itemsize), ("action", ACTION.itemsize)):
                path = self.path(depth, kind)
                if not path.exists() or path.stat().st_size < n * width:
                    return False
        return True
