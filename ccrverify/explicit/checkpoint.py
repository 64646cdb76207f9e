"""Checkpoints: a search saved at level boundaries, resumable after a crash.

A checkpoint directory holds the levels (`levels.LevelFiles`, written as the
search goes) and ``manifest.json``, which says how many levels are complete
and what the search had found by then (transitions counted, the first
violation of each property, the first deadlock). The manifest is replaced
atomically after the level's files are on disk, so a ``kill -9`` at any point
leaves the previous manifest, whose levels are all intact; whatever was
written after it is ignored and overwritten. Resuming rebuilds the visited
set from the saved levels and expands the last one again: the search is a
function of the levels alone (`search.py`), so the resumed run ends with
exactly the counts, verdicts and counterexamples of an uninterrupted one.

The manifest carries a fingerprint of what was being searched (model, spec
sources, knobs, state layout, properties, symmetry); a checkpoint of anything
else is refused.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccrverify.compile import CompiledModel
from ccrverify.errors import UsageError
from ccrverify.explicit.bfs import Selection

FORMAT = "ccrverify checkpoint 1"
MANIFEST = "manifest.json"


def fingerprint(compiled: CompiledModel, selection: Selection, symmetry: str) -> dict[str, Any]:
    model = compiled.model
    return {
        "model": model.name,
        "sources": model.source_hash,
        "knobs": {k: model.knobs[k] for k in sorted(model.knobs)},
        "slots": [[s.name, s.lo, s.hi] for s in model.slots],
        "actions": len(model.actions),
        "properties": [p.name for p in selection.chosen],
        "symmetry": symmetry,
    }


@dataclass(frozen=True)
class Saved:
    """What a manifest says."""

    sizes: list[int]
    transitions: int
    violations: dict[int, tuple[int, int]]
    deadlock: tuple[int, int] | None
    finished: bool


def describe_difference(saved: dict[str, Any], wanted: dict[str, Any]) -> str:
    for key, what in (("model", "model"), ("sources", "spec or property sources"),
                      ("knobs", "knobs"), ("slots", "state layout"),
                      ("actions", "actions"), ("properties", "properties"),
                      ("symmetry", "symmetry")):
        if saved.get(key) != wanted.get(key):
            if key == "model":
                return f"model {saved.get(key)}, not {wanted.get(key)}"
            if key == "knobs":
                diff = [f"{k}={v}" for k, v in sorted(saved.get(key, {}).items())
                        if wanted["knobs"].get(k) != v]
                return "knobs " + ", ".join(diff) if diff else "other knobs"
            if key == "properties":
                return "properties " + ", ".join(saved.get(key) or ["none"])
            return f"other {what}"
    return "another search"


class Checkpoint:
    def __init__(self, directory: Path, print_: dict[str, Any], words: int) -> None:
        self.directory = directory
        self.print = print_
        self.words = words

    @property
    def manifest(self) -> Path:
        return self.directory / MANIFEST

    def create(self) -> None:
        """Start a new checkpoint: the directory must be new or hold no checkpoint."""
        where = self.directory
        if where.exists() and not where.is_dir():
            raise UsageError(f"--checkpoint {where}: not a directory")
        if self.manifest.exists():
            raise UsageError(f"--checkpoint {where} already holds a checkpoint",
                             hint=f"continue it with --resume {where}, or choose a new "
                                  "directory")
        try:
            where.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise UsageError(f"--checkpoint {where}: {err.strerror or err}") from None

    def load(self) -> Saved:
        """The saved search, after checking it is this search's."""
        where = self.directory
        try:
            data = json.loads(self.manifest.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UsageError(f"--resume {where}: no checkpoint there",
                             hint="start one with --checkpoint DIR") from None
        except (OSError, ValueError) as err:
            raise UsageError(f"--resume {where}: the manifest cannot be read ({err})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise UsageError(f"--resume {where}: not a ccrverify checkpoint (or another "
                             "version's)", hint="start a new one with --checkpoint DIR")
        if data.get("fingerprint") != self.print or data.get("words") != self.words:
            raise UsageError(f"--resume {where}: the checkpoint is of "
                             f"{describe_difference(data.get('fingerprint') or {}, self.print)}",
                             hint="resume with the model, knobs and properties it was made "
                                  "with, or start a new checkpoint")
        violations = {int(k): (int(v[0]), int(v[1]))
                      for k, v in data.get("violations", {}).items()}
        deadlock = data.get("deadlock")
        return Saved([int(n) for n in data["sizes"]], int(data["transitions"]), violations,
                     None if deadlock is None else (int(deadlock[0]), int(deadlock[1])),
                     bool(data.get("finished")))

    def save(self, saved: Saved) -> None:
        """Replace the manifest atomically (the levels it lists are already synced)."""
        data = {
            "format": FORMAT,
            "fingerprint": self.print,
            "words": self.words,
            "sizes": saved.sizes,
            "transitions": saved.transitions,
            "violations": {str(k): list(v) for k, v in sorted(saved.violations.items())},
            "deadlock": None if saved.deadlock is None else list(saved.deadlock),
            "finished": saved.finished,
        }
        temporary = self.directory / (MANIFEST + ".tmp")
        with open(temporary, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, self.manifest)
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
