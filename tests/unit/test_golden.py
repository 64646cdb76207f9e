"""Rendered traces are golden files (tests/golden/); regenerate them by hand
with the command in each test when a change to the rendering is intended."""

from __future__ import annotations

from helpers import ROOT, run_cli


def counterexample_part(out: str) -> str:
    return out[out.index("Counterexample"):]


def test_diehard_trace_table() -> None:
    # ccrverify check examples/diehard | sed -n '/^Counterexample/,$p'
    _, out, _ = run_cli("check", "examples/diehard")
    assert counterexample_part(out) == (ROOT / "tests/golden/diehard_check.txt").read_text()


def test_ccr_split_brain_markdown_trace() -> None:
    # ccrverify check ccr --set renew_grace=3 --property NoSplitBrain --trace-format markdown
    _, out, _ = run_cli("check", "ccr", "--set", "renew_grace=3", "--property", "NoSplitBrain",
                        "--trace-format", "markdown")
    assert counterexample_part(out) == (ROOT / "tests/golden/ccr_split_brain.md").read_text()
