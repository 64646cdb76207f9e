"""Handing freed memory back to the operating system between phases.

glibc keeps the memory numpy frees in its heap for reuse; after the state graph
is built that is tens of megabytes of fragments between the arrays that stay,
which the liveness phases' differently sized arrays reuse poorly, so the peak
resident memory grows by it. `malloc_trim` returns the free pages at once.
Elsewhere (no glibc) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release() -> None:
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
