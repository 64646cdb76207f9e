"""The engine seam: one protocol every engine implements, and one lazy registry.

An engine takes a compiled model and a `Request` and returns a `CheckResult`.
It declares which property kinds it can decide and which verdicts it can give,
so callers can refuse a question it cannot answer instead of guessing, and the
conformance tests know what to expect of it (Stateright's ``Checker``: every
engine answers the same questions). The registry maps a name to
``"module:attribute"`` and imports the module only when the engine is chosen
(Hypothesis's ``AVAILABLE_PROVIDERS``), so ``ccrverify check`` never loads z3
or Hypothesis. Adding an engine: a module with an object satisfying `Engine`,
and one line in `REGISTRY` (or an entry point in the ``ccrverify.engines``
group of an installed package).
"""

from __future__ import annotations

import importlib
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ccrverify.errors import UsageError
from ccrverify.model import PropertyKind
from ccrverify.result import VerdictKind

if TYPE_CHECKING:
    from ccrverify.compile import CompiledModel
    from ccrverify.request import Request
    from ccrverify.result import CheckResult


@runtime_checkable
class Engine(Protocol):
    name: str
    summary: str  # one line for --help and list-engines
    # The property kinds it gives verdicts for. Today: every kind on explicit/numpy/
    # python, bmc (liveness by fair lassos: violated or bounded, never holds), kind,
    # pdr, mined (liveness by k-liveness: ccrverify.kliveness) and z3; safety and
    # responses (through ccrverify.monitor) on explore.
    decides: frozenset[PropertyKind]
    verdicts: frozenset[VerdictKind]  # holds only for engines that prove
    counts_states: bool  # its statistics count every reachable state
    shortest: bool  # its counterexamples are shortest
    symbolic_knobs: bool  # it can leave value knobs symbolic (one proof for a range)

    def check(self, compiled: CompiledModel, request: Request) -> CheckResult: ...


REGISTRY: dict[str, str] = {
    "explicit": "ccrverify.explicit.engine:EXPLICIT",
    "numpy": "ccrverify.explicit.engine:NUMPY",
    "python": "ccrverify.explicit.engine:PYTHON",
    "bmc": "ccrverify.symbolic.bmc:ENGINE",
    "kind": "ccrverify.symbolic.kinduction:ENGINE",
    "pdr": "ccrverify.symbolic.spacer:ENGINE",
    "mined": "ccrverify.symbolic.synthesis:ENGINE",
    "z3": "ccrverify.symbolic.auto:ENGINE",
    "explore": "ccrverify.explore.search:ENGINE",
}

# Older spellings, kept working: check --backend, prove --method, sweep --engine.
ALIASES: dict[str, str] = {"auto": "explicit", "prove": "pdr"}


def names() -> list[str]:
    """Every engine name, registered or installed as a plugin."""
    return list(REGISTRY) + sorted(e.name for e in _plugins() if e.name not in REGISTRY)


def engine(name: str) -> Engine:
    """The engine of that name (its module imported now), or a one-line UsageError."""
    target = REGISTRY.get(ALIASES.get(name, name))
    if target is None:
        plugin = next((e for e in _plugins() if e.name == name), None)
        if plugin is None:
            raise UsageError(f"unknown engine {name!r}", hint="one of " + ", ".join(names()))
        target = plugin.value
    module_name, _, attribute = target.partition(":")
    try:
        found = getattr(importlib.import_module(module_name), attribute)
    except ImportError as err:
        raise UsageError(f"engine {name} cannot be loaded: {err}",
                         hint="is its package installed?") from None
    if not isinstance(found, Engine):
        raise UsageError(f"engine {name} ({target}) does not implement the Engine protocol")
    return found


def _plugins() -> list[EntryPoint]:
    return list(entry_points(group="ccrverify.engines"))


def require(engine: Engine, kinds: set[PropertyKind], named: bool) -> None:
    """Refuse, in one line, a property kind the engine cannot decide when the
    user asked for it by name (with the default selection it is left out)."""
    missing = kinds - engine.decides
    if missing and named:
        raise UsageError(f"engine {engine.name} cannot decide {', '.join(sorted(missing))} "
                         "properties", hint="choose an engine that can: "
                         + ", ".join(n for n in REGISTRY if _decides(n, missing)))


def _decides(name: str, kinds: set[PropertyKind]) -> bool:
    try:
        return kinds <= engine(name).decides
    except UsageError:
        return False
