"""Errors a user can meet: each carries a location and a hint, and the CLI
prints it as one line with exit status 2 (no traceback)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


@dataclass(frozen=True)
class Location:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{_display_path(self.file)}:{self.line}"


def _display_path(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


class CcrError(Exception):
    """Base of every user-facing error."""

    def __init__(self, message: str, location: Location | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message}{hint}"


class SpecError(CcrError):
    """A mistake in a spec, a property module or a configuration file."""


class UsageError(CcrError):
    """A bad command line: unknown knob, bad value, unknown property."""


class ModelError(CcrError):
    """A model went wrong while running: a value left its domain."""


class EvaluationError(ModelError):
    """A reachable state where the model reads something undefined (a map at a key
    outside its index, a sequence past its length, a division by zero) or an
    update leaves its domain. Engines attach the trace that reaches the state."""

    def __init__(self, message: str, location: Location | None = None, hint: str = "",
                 trace: Any = None) -> None:
        super().__init__(message, location, hint)
        self.trace = trace  # a ccrverify.trace.Trace, when an engine found the state


def user_location() -> Location | None:
    """The innermost stack frame outside this package: the spec line being built."""
    frame = sys._getframe(1)
    while frame is not None:
        raw = frame.f_code.co_filename
        filename = os.path.abspath(raw)
        # "<string>", "<frozen ...>": generated code (dataclass __init__, importlib)
        if not raw.startswith("<") and not filename.startswith(_PACKAGE_DIR):
            return Location(filename, frame.f_lineno)
        frame = frame.f_back  # type: ignore[assignment]
    return None
