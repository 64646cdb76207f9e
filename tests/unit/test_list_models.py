"""list-models: every bundled model once, with its configurations; a helper module in
a model's own folder is not a model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

from ccrverify import loader


def test_every_bundled_model_is_listed_with_its_configurations() -> None:
    status, out, _ = run_cli("list-models", "--json")
    assert status == 0
    rows = {r["model"]: r for r in json.loads(out)}
    assert {"ccr", "dag", "wsfc", "pacemaker", "patroni", "examples/twophase"} <= set(rows)
    assert "specs/ccr/split-brain-grace.toml" in rows["ccr"]["configurations"]
    assert rows["ccr"]["knobs"]["heartbeat_tolerance"] == 2
    for r in rows.values():
        assert r["summary"], r["model"]


def test_helpers_beside_a_model_are_not_models(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "specs" / "m").mkdir(parents=True)
    (tmp_path / "specs" / "examples").mkdir()
    for name in ("m.py", "m/join.py", "examples/x.py", "_private.py"):
        (tmp_path / "specs" / name).write_text("")
    monkeypatch.setattr(loader, "REPO_ROOT", tmp_path)
    assert loader.bundled_models() == ["examples/x", "m"]
