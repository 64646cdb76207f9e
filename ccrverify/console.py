"""The command line's output streams: a verdict's exit status must survive
whatever happens to stdout or stderr.

- A reader that leaves early (``ccrverify check ... | head -1``) closes the pipe:
  the next write fails with EPIPE. `PipeSafe` swallows that, sends the rest of
  the output to /dev/null and lets the command finish, so the exit status is
  still the verdict's (not 0, not Python's 120 for a failed final flush).
- A terminal or pipe whose encoding cannot show ``⟨⟩``, ``≠`` or ``∧`` (cp1252,
  ascii) gets ASCII stand-ins instead of an UnicodeEncodeError after the work.
"""

from __future__ import annotations

import codecs
import io
import os
import sys
from typing import Any, TextIO

ASCII_STAND_INS = {
    "⟨": "<", "⟩": ">", "≠": "!=", "≤": "<=", "≥": ">=", "∧": "&", "∨": "|", "¬": "~",
    "⇒": "=>", "∈": "in", "·": "*", "×": "x", "…": "...", "—": "-", "–": "-", "→": "->",
    "←": "<-", "↺": "(loop)", "✓": "ok", "✗": "x", "•": "*", "│": "|", "─": "-",
}
ERRORS = "ccrverify-ascii"


def _ascii_stand_in(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    text = err.object[err.start:err.end]
    return "".join(ASCII_STAND_INS.get(ch, "?") for ch in text), err.end


codecs.register_error(ERRORS, _ascii_stand_in)


class PipeSafe:
    """A text stream whose writes never fail because the reader has gone."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.reader_gone = False

    def write(self, text: str) -> int:
        if not self.reader_gone:
            try:
                self._stream.write(text)
            except (BrokenPipeError, ConnectionResetError):
                self._reader_left()
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self._stream.flush()
            except (BrokenPipeError, ConnectionResetError):
                self._reader_left()

    def _reader_left(self) -> None:
        self.reader_gone = True
        try:  # later flushes (at interpreter exit too) go nowhere instead of failing
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, io.UnsupportedOperation):
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def install() -> tuple[Any, Any]:
    """Make both streams pipe-safe and encoding-safe; returns the old streams."""
    old = sys.stdout, sys.stderr
    for stream in old:
        reconfigure = getattr(stream, "reconfigure", None)
        if callable(reconfigure):
            try:
                reconfigure(errors=ERRORS)
            except (ValueError, io.UnsupportedOperation):
                pass
    # Both: an error's one line goes to stderr, and `2>&1 | head -1` closes it early.
    if not isinstance(sys.stdout, PipeSafe):
        sys.stdout = PipeSafe(sys.stdout)
    if not isinstance(sys.stderr, PipeSafe):
        sys.stderr = PipeSafe(sys.stderr)
    return old


def restore(old: tuple[Any, Any]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    sys.stdout, sys.stderr = old
