"""The symbolic engine as a sweep engine (``--engine prove``): property
directed reachability with Z3's Spacer (`ccrverify.symbolic.spacer`), which
proves a property (with a re-checked certificate) or refutes it with a
replayed counterexample. It decides invariants only, so deadlock freedom is
not part of its answer, and it counts no states.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from ccrverify.errors import UsageError
from ccrverify.model import Model
from ccrverify.result import CheckResult


def _prover() -> Any:
    try:
        module = importlib.import_module("ccrverify.symbolic.spacer")
    except ImportError as err:
        raise UsageError(f"--engine prove is not available: {err}",
                         hint="use --engine explicit") from None
    if not callable(getattr(module, "check", None)):
        raise UsageError("--engine prove is not available: ccrverify.symbolic.spacer "
                         "has no check()", hint="use --engine explicit")
    return module


def require_prover() -> None:
    """Fail early, with one line, when the symbolic engine cannot run."""
    _prover()


def prove(model: Model, properties: Sequence[str] | None) -> CheckResult:
    from ccrverify.compile import compile_model

    result, _certificate = _prover().check(compile_model(model), properties)
    if not isinstance(result, CheckResult):
        raise TypeError("ccrverify.symbolic.spacer.check returned no CheckResult")
    return result
