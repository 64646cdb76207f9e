"""The generated kernel agrees with the reference interpreter on every
reachable state of small models: same enabled actions, same successors,
same property values."""

from __future__ import annotations

import pytest
from helpers import compiled

from ccrverify.explicit.bfs import check
from ccrverify.explicit.codegen import build_kernel
from ccrverify.model import PropertyKind

MODELS = [("examples/diehard.py", {}), ("examples/peterson.py", {}),
          ("examples/twophase.py", {"rm": 3}),
          pytest.param("ccr.py", {"dumpster_size": 2, "dumpster_time": 2, "messages": 2,
                                  "max_faults": 1}, marks=pytest.mark.slow)]


@pytest.mark.parametrize(("spec", "knobs"), MODELS, ids=["diehard", "peterson", "twophase", "ccr"])
def test_kernel_matches_interpreter_on_all_reachable_states(spec: str, knobs: dict[str, int]
                                                            ) -> None:
    model = compiled(spec, **knobs)
    kernel = build_kernel(model)
    layout = model.layout
    frontier = model.init_states()
    seen = set(frontier)
    invariants = [i for i, p in enumerate(model.model.properties)
                  if p.kind == PropertyKind.INVARIANT]
    while frontier:
        nxt = []
        for state in frontier:
            values = layout.unpack(state)
            expected = []
            for index in range(len(model.actions)):
                after = model.next_values(values, index)
                if after is not None:
                    expected.append((index, layout.pack(after)))
            assert kernel.successors(state) == expected
            for index in invariants:
                pending = [i == index for i in range(len(model.model.properties))]
                violated = bool(kernel.check([state], pending))
                assert violated == (not model.holds(values, index))
            for _, successor in expected:
                if successor not in seen:
                    seen.add(successor)
                    nxt.append(successor)
        frontier = nxt
    assert len(seen) == check(model).stats.distinct_states


def test_layout_packs_and_unpacks() -> None:
    model = compiled("ccr.py")
    values = model.init_values()[0]
    assert model.layout.unpack(model.layout.pack(values)) == values
    assert model.layout.bits < 64  # the default CCR state fits one machine word
