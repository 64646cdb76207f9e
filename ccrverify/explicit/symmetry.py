"""Symmetry reduction (placeholder)."""

from __future__ import annotations

from typing import Any


def reduction(compiled: Any, layout: Any, selection: Any, request: Any) -> Any:
    return None
