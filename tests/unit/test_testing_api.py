"""The pytest API (`ccrverify.testing`), used the way a user's test suite would."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccrverify.errors import UsageError
from ccrverify.loader import REPO_ROOT
from ccrverify.testing import assert_holds, assert_violated, check

DIEHARD = REPO_ROOT / "specs" / "examples" / "diehard.py"
TWOPHASE = REPO_ROOT / "specs" / "examples" / "twophase.py"
CCR = REPO_ROOT / "specs" / "ccr.py"
needs_ccr = pytest.mark.skipif(not CCR.is_file(), reason="specs/ccr.py not present")


def test_two_phase_commit_is_consistent() -> None:
    result = assert_holds(TWOPHASE, knobs={"rm": 3})
    assert result.complete and result.stats.distinct_states == 288


def test_two_phase_commit_survives_random_runs() -> None:
    result = assert_holds(str(TWOPHASE), knobs={"rm": 4}, engine="explore", max_examples=100)
    assert result.engine == "explore"
    assert result.to_json()["coverage"]["steps"] > 0


def test_a_violation_fails_the_test_with_the_trace_table() -> None:
    with pytest.raises(AssertionError) as failure:
        assert_holds(DIEHARD, engine="explore", max_examples=200)
    message = str(failure.value)
    assert message.startswith("a property is violated")
    assert "Counterexample to NotSolved" in message and "BigToSmall" in message
    assert "coverage: " in message


def test_explicit_engine_fails_unless_it_proves() -> None:
    with pytest.raises(AssertionError, match="did not prove"):
        assert_holds(TWOPHASE, max_states=10)


def test_assert_violated_returns_the_trace() -> None:
    assert len(assert_violated(DIEHARD, "NotSolved")) == 6
    trace = assert_violated(DIEHARD, "NotSolved", engine="explore", max_examples=200,
                            max_length=8)
    assert trace.ends_in == "violation of NotSolved"
    with pytest.raises(AssertionError, match="more than 3"):
        assert_violated(DIEHARD, "NotSolved", max_length=3)
    with pytest.raises(AssertionError, match="no counterexample to TCConsistent"):
        assert_violated(TWOPHASE, "TCConsistent", knobs={"rm": 2})


def test_bad_requests_are_usage_errors() -> None:
    with pytest.raises(UsageError):
        check(DIEHARD, engine="no-such-engine")
    with pytest.raises(UsageError):
        check(DIEHARD, no_such_limit=3)
    with pytest.raises(UsageError):
        check(DIEHARD, properties=["Nope"])
    with pytest.raises(UsageError):
        check(TWOPHASE, knobs={"no_such_knob": 1})


CLIMB = (Path(__file__).parent / "climb_spec.py").read_text()


def test_database_goes_where_it_is_told(tmp_path: Path) -> None:
    spec = tmp_path / "climb.py"
    spec.write_text(CLIMB)
    result = check(spec, engine="explore", seed=None, max_examples=100,
                   database=tmp_path / "db")
    assert str(result.property("Low").verdict) == "violated"
    assert any((tmp_path / "db" / "hypothesis").rglob("*"))


@needs_ccr
def test_ccr_split_brain_configuration() -> None:
    trace = assert_violated(CCR, "NoSplitBrain", config=REPO_ROOT / "specs" / "ccr" /
                            "split-brain-grace.toml", max_length=6)
    assert trace.steps[-1].state["role"] == {"A": "active", "B": "active"}


@pytest.mark.slow  # over 20 s on two busy cores; run with -m slow
@needs_ccr
def test_ccr_loses_acked_mail_in_random_runs() -> None:
    assert_violated(CCR, "NoLostAckedMail", engine="explore", max_examples=1000, max_length=12)
