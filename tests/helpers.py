"""Test helpers: paths, building models, running the CLI in-process."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import sys
from pathlib import Path
from typing import Any

from ccrverify.cli import main
from ccrverify.compile import CompiledModel, compile_model
from ccrverify.loader import load

ROOT = Path(__file__).resolve().parent.parent


def compiled(spec: str, **knobs: Any) -> CompiledModel:
    return compile_model(load(str(ROOT / "specs" / spec)).build(knobs))


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    return status, out.getvalue(), err.getvalue()


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    status, out, _ = run_cli(*args, "--json")
    return status, json.loads(out)


def load_reference(model: str = "ccr") -> Any:
    """The independent plain-Python reference of a model (tests/reference/), loaded once."""
    name = f"{model}_reference"
    if name in sys.modules:
        return sys.modules[name]
    path = ROOT / "tests" / "reference" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses in it look their module up by name
    spec.loader.exec_module(module)
    return module


BACKENDS = ("python", "numpy")
