"""Reports as HTML (self-contained, with the timeline and the heat map) and as
Markdown with the same SVG pictures beside it."""

from __future__ import annotations

import re
import shlex
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from helpers import ROOT, run_cli

SPLIT_BRAIN = str(ROOT / "specs" / "ccr" / "split-brain-grace.toml")
SWEEP = "renew_grace=1..3 witness_lease=2..3"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _svgs(text: str) -> list[ET.Element]:
    return [ET.fromstring(block) for block in re.findall(r"<svg\b.*?</svg>", text, re.S)]


def test_html_report_is_self_contained_with_timeline_and_heatmap(tmp_path: Path) -> None:
    out = tmp_path / "split.html"
    status, text, _ = run_cli("report", SPLIT_BRAIN, "--sweep", SWEEP, "--no-store",
                              "--jobs", "1", "--out", str(out))
    assert status == 1 and f"wrote {out}" in text  # the report's exit status is the verdict
    page = out.read_text()
    parser = _Tags()
    parser.feed(page)
    names = [tag for tag, _ in parser.tags]
    assert names[0] == "html" and "script" not in names and "link" not in names
    assert "img" not in names and "iframe" not in names
    for _, attrs in parser.tags:  # nothing that a browser would fetch
        for key in ("src", "href"):
            assert attrs.get(key) is None, attrs
    assert "url(" not in page and "@import" not in page
    svgs = _svgs(page)
    classes = [svg.get("class") for svg in svgs]
    # NoSplitBrain, NoLostAckedMail and FailoverTime's lasso (never, in general)
    assert classes.count("timeline") == 3
    assert classes.count("heatmap") == 6  # one per property, deadlock freedom included
    assert "a lasso of" in page
    assert "Counterexample to NoSplitBrain" in page and "renew_grace &lt;= witness_lease" in page


def test_markdown_report_links_the_same_pictures(tmp_path: Path) -> None:
    out = tmp_path / "reports" / "split.md"
    status, _, _ = run_cli("report", SPLIT_BRAIN, "--property", "NoSplitBrain", "--sweep",
                           SWEEP, "--store", str(tmp_path / "s.sqlite"), "--out", str(out))
    assert status == 1
    page = out.read_text()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page)
    # --property NoSplitBrain: that property alone, in the check and in the sweep
    assert links == ["split/timeline-NoSplitBrain.svg", "split/sweep1-NoSplitBrain.svg"]
    for link in links:
        root = ET.parse(out.parent / link).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "## Sweep 1: renew_grace 1..3 × witness_lease 2, 3" in page
    assert "- **NoSplitBrain**: renew_grace <= witness_lease" in page
    # Regenerating replaces the pictures and reuses the stored sweep.
    status, _, _ = run_cli("report", SPLIT_BRAIN, "--property", "NoSplitBrain", "--out",
                           str(out))
    assert sorted(p.name for p in (out.parent / "split").iterdir()) == [
        "timeline-NoSplitBrain.svg"]


def test_report_rejects_other_formats(tmp_path: Path) -> None:
    status, _, err = run_cli("report", "ccr", "--out", str(tmp_path / "x.pdf"))
    assert status == 2 and ".md or .html" in err


def test_checked_in_reports_are_self_contained() -> None:
    pages = sorted((ROOT / "reports").glob("*.html"))
    assert {p.name for p in pages} >= {"ccr-default.html", "ccr-split-brain.html",
                                       "ccr-sweeps.html"}
    for page in pages:
        text = page.read_text()
        parser = _Tags()
        parser.feed(text)
        # Nothing fetched: no src, no stylesheet; a link (<a>) may lead to another
        # page of the repository or an anchor, never off the machine.
        for tag, attrs in parser.tags:
            assert not attrs.get("src"), (page.name, tag)
            href = attrs.get("href") or ""
            assert not href or (tag == "a" and "://" not in href), (page.name, tag, href)
        if "Counterexample to" in text:  # a sweep-only page has no run to draw
            assert "timeline" in [svg.get("class") for svg in _svgs(text)], page.name
    sweeps = (ROOT / "reports" / "ccr-sweeps.html").read_text()
    # two sweeps, a heat map per property each (3 safety, 3 liveness)
    assert [svg.get("class") for svg in _svgs(sweeps)].count("heatmap") == 12
    for md in (ROOT / "reports").glob("*.md"):
        for link in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md.read_text()):
            assert (md.parent / link).is_file(), link


def test_the_generated_by_line_is_a_command_that_runs_again(tmp_path: Path) -> None:
    out = tmp_path / "again.md"
    args = ["report", SPLIT_BRAIN, "--property", "NoSplitBrain", "--sweep", SWEEP,
            "--no-store", "--out", str(out)]
    assert run_cli(*args)[0] == 1
    line = next(x for x in out.read_text().splitlines() if x.startswith("Generated by `"))
    command = shlex.split(line.split("`")[1])
    assert command == ["ccrverify", *args]  # quoted as given: a multi-knob sweep stays one


def test_report_verdicts_show_the_response_figure(tmp_path: Path) -> None:
    out = tmp_path / "ft.md"
    status, _, _ = run_cli("report", str(ROOT / "specs" / "ccr.py"), "--property",
                           "FailoverTimeCaughtUp", "--no-store", "--out", str(out))
    assert status == 0
    assert "| FailoverTimeCaughtUp | holds (2 ticks)" in out.read_text()
