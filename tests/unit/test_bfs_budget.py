"""Progress reports and interruption: a run that stops keeps what it found."""

from __future__ import annotations

import pytest
from helpers import BACKENDS, compiled

from ccrverify.explicit import engine
from ccrverify.explicit.bfs import Progress
from ccrverify.request import Request


@pytest.mark.parametrize("backend", BACKENDS)
def test_progress_is_reported_with_growing_state_counts(backend: str) -> None:
    seen: list[Progress] = []
    result = engine.check(compiled("examples/twophase.py", rm=5),
                          request=Request(progress=seen.append, progress_every=0.0),
                          backend=backend)
    assert seen, "no progress reported"
    states = [p.states for p in seen]
    assert states == sorted(states) and states[-1] <= result.stats.distinct_states
    assert all(p.depth >= 1 and p.queue >= 0 for p in seen)


@pytest.mark.parametrize("backend", BACKENDS)
def test_interrupt_keeps_found_violations_and_says_incomplete(backend: str) -> None:
    calls = 0

    def interrupt_late(progress: Progress) -> None:
        nonlocal calls
        calls += 1
        if progress.depth >= 12:  # after NoSplitBrain (depth 6) was found
            raise KeyboardInterrupt

    result = engine.check(compiled("ccr.py", renew_grace=3, max_faults=3),
                          request=Request(progress=interrupt_late, progress_every=0.0),
                          backend=backend)
    assert calls > 0
    assert not result.complete and "interrupted" in result.notes[0]
    assert result.property("NoSplitBrain").verdict.kind == "violated"
    assert result.property("NoSplitBrain").trace_length == 6
    assert result.exit_status() == 1


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("limit", [1, 500, 5000])
def test_state_limit_is_respected_to_within_one_chunk(limit: int, backend: str) -> None:
    result = engine.check(compiled("examples/twophase.py", rm=5),
                          request=Request(max_states=limit), backend=backend)
    assert not result.complete
    assert limit <= result.stats.distinct_states < limit + 4096 * 16
    assert result.property("TCConsistent").verdict.kind == "unknown"
    assert result.exit_status() == 3
