"""The explicit engine's entry point: picks the numpy frontier (`vector`) when
the state fits 63 bits and numpy is installed, else the per-state kernel
(`bfs`). Both enumerate the same states and find counterexamples of the same
length; the tests hold them to it."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence

from ccrverify.compile import CompiledModel
from ccrverify.errors import UsageError
from ccrverify.explicit import bfs
from ccrverify.explicit.bfs import Budget
from ccrverify.result import CheckResult

BACKENDS = ("auto", "numpy", "python")


def choose_backend(compiled: CompiledModel, backend: str = "auto") -> str:
    if backend not in BACKENDS:
        raise UsageError(f"unknown backend {backend!r}", hint="auto, numpy or python")
    has_numpy = importlib.util.find_spec("numpy") is not None
    fits = compiled.layout.bits <= 63
    if backend == "numpy" and not (has_numpy and fits):
        reason = "numpy is not installed" if not has_numpy else (
            f"a state needs {compiled.layout.bits} bits (at most 63)")
        raise UsageError(f"the numpy backend cannot run this model: {reason}",
                         hint="use --backend python")
    if backend == "auto":
        return "numpy" if has_numpy and fits else "python"
    return backend


def check(compiled: CompiledModel, properties: Sequence[str] | None = None,
          budget: Budget | None = None, backend: str = "auto") -> CheckResult:
    if choose_backend(compiled, backend) == "numpy":
        from ccrverify.explicit import vector

        return vector.check(compiled, properties, budget)
    return bfs.check(compiled, properties, budget)
