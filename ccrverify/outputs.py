"""Files a command writes: checked before any work, written after the verdict.

A proof that runs for minutes must not end in "cannot write" and lose its
verdict, so every command checks its output paths first (`writable`), prints
its verdict, and only then writes (`write_text`); a write that still fails
(disk full) is reported on one line and the verdict stands (`exit_status`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ccrverify.errors import UsageError

EXIT_VIOLATED, EXIT_USAGE = 1, 2


def writable(path: str, option: str, suffixes: Iterable[str] = (),
             not_same_as: Iterable[Path] = (), create_parents: bool = False) -> Path:
    """The path, if a file can be written there (with `create_parents`, in
    directories still to be made); else a one-line UsageError."""
    p = Path(path)
    allowed = tuple(suffixes)
    if allowed and p.suffix not in allowed:
        raise UsageError(f"{option} {path}: the format is chosen by the suffix",
                         hint="use " + " or ".join(allowed))
    if p.is_dir():
        raise UsageError(f"{option} {path}: is a directory", hint="name a file")
    parent = p.parent if str(p.parent) else Path(".")
    if create_parents:
        writable_directory(str(parent), option)
        return p
    if not parent.is_dir():
        raise UsageError(f"{option} {path}: the directory {parent} does not exist",
                         hint=f"create it first (mkdir -p {parent}) or choose another path")
    if not os.access(parent, os.W_OK | os.X_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise UsageError(f"{option} {path}: not writable", hint="choose a writable path")
    for other in not_same_as:
        if p.exists() and other.exists() and p.resolve() == other.resolve():
            raise UsageError(f"{option} {path} is the results store; writing there would "
                             "destroy it", hint="choose another file")
    return p


def writable_directory(path: str, option: str) -> Path:
    """A directory that exists or can be created, checked before the work."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise UsageError(f"{option} {path}: is a file, not a directory")
    existing = p
    while not existing.exists():
        existing = existing.parent if str(existing.parent) != str(existing) else Path(".")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: not writable", hint="choose a writable directory")
    return p


def write_text(path: Path, text: str) -> str:
    """Write the file; the error in one line, or "" when it was written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        return f"cannot write {path}: {err.strerror or err}"
    return ""


def exit_status(verdict_status: int, write_errors: Iterable[str]) -> int:
    """A failed write turns success into exit 2; a violation keeps its 1."""
    if any(write_errors) and verdict_status != EXIT_VIOLATED:
        return EXIT_USAGE
    return verdict_status
