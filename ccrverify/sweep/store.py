"""The results store: one SQLite row per finished point.

A row is keyed by the model's source hash (spec and property files), the full
knob values and the check options (engine, properties, limits), so a rerun of
the same sweep finds its finished points and a changed spec never reuses stale
answers. Every point is committed in its own transaction as soon as it
finishes, in WAL mode, so a sweep killed with SIGKILL loses no finished point;
the primary key makes a point present at most once.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccrverify.errors import UsageError
from ccrverify.sweep.point import PointResult

DEFAULT_STORE = Path(".ccrverify") / "results.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS points (
    source_hash TEXT NOT NULL,
    knobs TEXT NOT NULL,        -- every knob, canonical JSON (sorted keys)
    options TEXT NOT NULL,      -- engine, properties, limits, canonical JSON
    model TEXT NOT NULL,
    spec TEXT NOT NULL,
    result TEXT NOT NULL,       -- PointResult.to_json()
    finished REAL NOT NULL,     -- Unix time, for listing only
    PRIMARY KEY (source_hash, knobs, options)
)
"""


@dataclass(frozen=True)
class PointKey:
    source_hash: str
    knobs: str
    options: str

    @staticmethod
    def of(source_hash: str, knobs: Iterable[tuple[str, Any]], options: str) -> PointKey:
        return PointKey(source_hash, json.dumps(dict(sorted(knobs)), sort_keys=True), options)


@dataclass(frozen=True)
class StoredPoint:
    key: PointKey
    model: str
    spec: str
    result: PointResult
    finished: float

    def to_json(self) -> dict[str, Any]:
        out = {"model": self.model, "spec": self.spec, "source_hash": self.key.source_hash,
               "options": json.loads(self.key.options)}
        out.update(self.result.to_json())
        out["knobs"] = json.loads(self.key.knobs)
        return out


_COLUMNS = ("source_hash", "knobs", "options", "model", "spec", "result", "finished")
_FIX = "move it aside, name another with --store, or use --no-store"


def open_store(path: Path) -> ResultStore:
    """The store at `path`, or a one-line UsageError saying what is wrong with it."""
    if path.is_dir():
        raise UsageError(f"the results store {path} is a directory", hint=_FIX)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"cannot create the results store's directory {path.parent}: "
                         f"{err.strerror or err}", hint="run from a writable directory, "
                         "name a store with --store, or use --no-store") from None
    try:
        return ResultStore(path)
    except sqlite3.DatabaseError as err:
        raise UsageError(f"the results store {path} is damaged or not a ccrverify store: "
                         f"{err}", hint=_FIX) from None


class ResultStore:
    """A connection to one store file; use as a context manager. Open it with
    `open_store`, which turns a damaged or foreign file into a clear error."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.skipped = 0  # damaged rows read past (each costs its point, not the run)
        # autocommit mode: each statement below is its own transaction.
        self._db = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            columns = tuple(row[1] for row in self._db.execute("PRAGMA table_info(points)"))
        except sqlite3.DatabaseError:
            self._db.close()
            raise
        if columns != _COLUMNS:
            self._db.close()
            raise sqlite3.DatabaseError("its table 'points' has other columns")

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def get(self, key: PointKey) -> PointResult | None:
        row = self._db.execute(
            "SELECT result FROM points WHERE source_hash=? AND knobs=? AND options=?",
            (key.source_hash, key.knobs, key.options)).fetchone()
        return None if row is None else self._decode(row[0])

    def _decode(self, text: Any) -> PointResult | None:
        """A stored result, or None (counted in `skipped`) when the row is damaged."""
        try:
            return PointResult.from_json(json.loads(text))
        except (TypeError, ValueError, KeyError, AttributeError):
            self.skipped += 1
            return None

    def put(self, key: PointKey, model: str, spec: str, result: PointResult) -> None:
        """Store one finished point, committed before this returns."""
        if result.error:
            raise ValueError("points that failed with an error are not stored")
        self._db.execute(
            "INSERT OR REPLACE INTO points VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key.source_hash, key.knobs, key.options, model, spec,
             json.dumps(result.to_json(), sort_keys=True), time.time()))

    def points(self, model: str | None = None, source_hash: str | None = None
               ) -> Iterator[StoredPoint]:
        query, params = "SELECT * FROM points", []
        where = []
        if model is not None:
            where.append("model = ?")
            params.append(model)
        if source_hash is not None:
            where.append("source_hash = ?")
            params.append(source_hash)
        if where:
            query += " WHERE " + " AND ".join(where)
        query += " ORDER BY model, source_hash, options, knobs"
        for row in self._db.execute(query, params):
            key = PointKey(row[0], row[1], row[2])
            try:
                json.loads(row[1]), json.loads(row[2])
            except (TypeError, ValueError):
                self.skipped += 1
                continue
            result = self._decode(row[5])
            if result is not None:
                yield StoredPoint(key, str(row[3]), str(row[4]), result, float(row[6] or 0))

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM points").fetchone()[0])
