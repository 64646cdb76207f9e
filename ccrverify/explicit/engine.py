"""The explicit engine: every reachable state, enumerated breadth first.

Two enumerators find the same states, transitions, depths and shortest
counterexamples (the tests hold them to it): the numpy frontier (`vector`,
`search`), a whole BFS level per vectorised step, for states of any width;
and the per-state generated kernel (`bfs`), the independent cross-check.
``explicit`` picks numpy when it is installed; ``numpy`` and ``python`` name
one. Workers, checkpoints, the memory budget and symmetry reduction are the
numpy enumerator's.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, replace

from ccrverify.compile import CompiledModel
from ccrverify.errors import UsageError
from ccrverify.explicit import bfs
from ccrverify.model import PropertyKind
from ccrverify.request import Request
from ccrverify.result import CheckResult, Stats, VerdictKind

BACKENDS = ("auto", "numpy", "python")


def choose_backend(compiled: CompiledModel, backend: str = "auto") -> str:
    if backend not in BACKENDS:
        raise UsageError(f"unknown backend {backend!r}", hint="auto, numpy or python")
    has_numpy = importlib.util.find_spec("numpy") is not None
    if backend == "numpy" and not has_numpy:
        raise UsageError("the numpy backend cannot run this model: numpy is not installed",
                         hint="use --engine python")
    if backend == "auto":
        return "numpy" if has_numpy else "python"
    return backend


@dataclass(frozen=True)
class ExplicitEngine:
    name: str
    backend: str
    summary: str
    decides: frozenset[PropertyKind] = frozenset(PropertyKind)
    verdicts: frozenset[VerdictKind] = frozenset(
        {VerdictKind.HOLDS, VerdictKind.VIOLATED, VerdictKind.UNKNOWN})
    counts_states: bool = True
    shortest: bool = True
    symbolic_knobs: bool = False

    def check(self, compiled: CompiledModel, request: Request) -> CheckResult:
        if all(p.is_safety for p in request.selected(compiled.model)):
            return self._safety(compiled, request)
        return self._with_liveness(compiled, request)

    def _safety(self, compiled: CompiledModel, request: Request) -> CheckResult:
        if choose_backend(compiled, self.backend) == "numpy":
            from ccrverify.explicit import vector

            return vector.check(compiled, request)
        _numpy_only(request)
        return bfs.check(compiled, request)

    def _with_liveness(self, compiled: CompiledModel, request: Request) -> CheckResult:
        """Temporal properties on the whole state graph, beside the safety verdicts.

        On numpy one search builds the graph and decides the safety properties. The
        safety properties get a search of their own on python (the cross-check) and
        with --checkpoint or --memory, which apply to that search only: the graph
        is built in memory, from nothing."""
        import time

        from ccrverify.explicit import liveness, stategraph, symmetry
        from ccrverify.explicit.bfs import peak_memory_bytes

        backend = choose_backend(compiled, self.backend)
        if backend == "python":
            _numpy_only(request)
        chosen = request.selected(compiled.model)
        temporal = tuple(p.name for p in chosen if not p.is_safety)
        safety_names = tuple(p.name for p in chosen if p.is_safety)
        started = time.perf_counter()
        notes: tuple[str, ...] = ()
        if backend == "numpy" and request.checkpoint is None and request.memory is None:
            graph, safety = stategraph.build(compiled, request, backend)
        else:
            safety = self._safety(compiled, replace(request, properties=safety_names)) \
                if safety_names else None
            graph, _ = stategraph.build(compiled, replace(
                request, properties=temporal, checkpoint=None, resume=False, memory=None),
                backend)
        decided = {r.name: r for r in liveness.decide(
            compiled, graph, [p for p in chosen if not p.is_safety])}
        seconds = time.perf_counter() - started
        if safety is not None:
            decided.update({r.name: r for r in safety.properties})
            notes = safety.notes + notes
        elif not graph.complete:
            notes = (f"incomplete: {graph.stop_reason}",) + notes
        if request.symmetry and symmetry.declared(compiled.model):
            notes += ("symmetry: the temporal properties were decided on every state (a "
                      "lasso through orbit representatives need not be a real lasso)",)
        stats = Stats(graph.size, len(graph.act), int(graph.depth.max(initial=0)), seconds,
                      peak_memory_bytes())
        results = tuple(decided[p.name] for p in chosen)
        complete = graph.complete and (safety is None or safety.complete)
        return CheckResult(compiled.model.name, dict(compiled.model.knobs), "explicit", stats,
                           results, complete, notes, backend=backend)


def _numpy_only(request: Request) -> None:
    wanted = [option for option, given in (
        ("--workers", request.workers > 1), ("--checkpoint/--resume", request.checkpoint),
        ("--memory", request.memory is not None)) if given]
    if wanted:  # the python backend is the plain cross-check: it would ignore them
        raise UsageError(f"{', '.join(wanted)}: only the numpy backend has them",
                         hint="use --engine numpy (or explicit with numpy installed)")


EXPLICIT = ExplicitEngine("explicit", "auto", "every reachable state (numpy when installed, "
                          "else python)")
NUMPY = replace(EXPLICIT, name="numpy", backend="numpy",
                summary="every reachable state, a BFS level at a time in numpy (any width)")
PYTHON = replace(EXPLICIT, name="python", backend="python",
                 summary="every reachable state, one at a time in generated Python (any width)")


def check(compiled: CompiledModel, request: Request | None = None,
          backend: str = "auto") -> CheckResult:
    """The explicit engine with a chosen backend (auto, numpy or python)."""
    engine = {"auto": EXPLICIT, "numpy": NUMPY, "python": PYTHON}.get(backend)
    if engine is None:
        choose_backend(compiled, backend)  # the unknown-backend error
        raise AssertionError("unreachable")
    return engine.check(compiled, request or Request())
