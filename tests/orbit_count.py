"""Orbits of reachable states under renaming an index's values, counted
independently of the symmetry reduction (`ccrverify.explicit.symmetry`), to
check its counts.

Both counters take the reachable states of an *unreduced* search as a matrix
(a row per state, a column per slot), the slot names (``var[value]`` for a map
over the index) and the index's values. A slot outside the maps is global: a
renaming leaves it alone (the reduction refuses a model whose global slots
hold the index's values, so the counters need not rename them).

- `by_permutations`: every permutation applied to every state, the least image
  kept; n! passes, so for small n only.
- `by_sorting`: a state's per-value tuples (that value's map slots) sorted,
  beside the global slots; one sort, so it scales to TwoPhase rm=8 (1.7M states).
  `by_permutations` is its cross-check at small sizes.
Neither imports ccrverify.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np


def value_columns(names: list[str], values: list[str]) -> dict[str, list[int]]:
    """Per value, the columns of its map slots, in the same variable order for every value."""
    out = {}
    for v in values:
        tail = f"[{v}]"
        found = {n[: -len(tail)]: i for i, n in enumerate(names) if n.endswith(tail)}
        out[v] = [found[var] for var in sorted(found)]
        inner = [n for n in names if tail in n and not n.endswith(tail)]
        if inner:  # e.g. a map over two indexes: not what these counters handle
            raise ValueError(f"{inner[0]} names {v} but not as its last index")
    if len({len(c) for c in out.values()}) != 1:
        raise ValueError("the values do not have the same map slots")
    return out


def digits(matrix: Any, columns_of: dict[str, list[int]]) -> tuple[Any, list[int]]:
    """The slots as rows (a copy of the matrix transposed, for contiguous slots),
    shifted to digits from 0, and each slot's radix; the slots of one variable
    (the same position in every value's list) share both, so that a renaming,
    which swaps them, compares like with like."""
    groups = [list(cols) for cols in zip(*columns_of.values(), strict=True)]
    inside = {c for g in groups for c in g}
    groups += [[c] for c in range(matrix.shape[1]) if c not in inside]
    slots = matrix.T.copy()
    radix = [0] * len(slots)
    for g in groups:
        lo = min(int(slots[c].min()) for c in g)
        hi = max(int(slots[c].max()) for c in g)
        for c in g:
            slots[c] -= lo
            radix[c] = hi - lo + 1
    return slots, radix


def by_permutations(matrix: Any, names: list[str], values: list[str]) -> int:
    """Distinct states up to renaming the values: every permutation tried."""
    columns_of = value_columns(names, values)
    slots, radix = digits(matrix, columns_of)
    assert np.prod(radix, dtype=object) < 2**63  # a state as one integer, mixed radix
    weights = np.array([int(np.prod(radix[:i], dtype=object)) for i in range(len(radix))],
                       dtype=np.int64)
    best = None
    for perm in itertools.permutations(values):
        columns = list(range(len(names)))
        for v, w in zip(values, perm, strict=True):
            for a, b in zip(columns_of[v], columns_of[w], strict=True):
                columns[a] = b
        code = weights @ slots[columns]
        best = code if best is None else np.minimum(best, code)
    assert best is not None
    return len(np.unique(best))


def by_sorting(matrix: Any, names: list[str], values: list[str]) -> int:
    """Distinct states up to renaming the values: per state, the multiset of
    per-value tuples (sorted) with the global slots."""
    columns_of = value_columns(names, values)
    slots, radix = digits(matrix, columns_of)
    first = columns_of[values[0]]
    assert np.prod([radix[c] for c in first], dtype=object) < 2**63
    # a value's tuple as one integer, mixed radix (every value's i-th slot is the
    # same variable, with the same radix)
    tuples = np.zeros((len(values), matrix.shape[0]), dtype=np.int64)
    for k, v in enumerate(values):
        for c in columns_of[v]:
            tuples[k] = tuples[k] * radix[c] + slots[c]
    tuples.sort(axis=0)  # per state, its values' tuples in order
    inside = {c for cols in columns_of.values() for c in cols}
    rest = [c for c in range(len(names)) if c not in inside]
    rows = np.concatenate([tuples, slots[rest]], axis=0)  # a state per column
    row_radix = [int(np.prod([radix[c] for c in first], dtype=object))] * len(values) + [
        radix[c] for c in rest]
    if np.prod(row_radix, dtype=object) >= 2**63:
        return int(np.unique(rows, axis=1).shape[1])
    code = np.zeros(rows.shape[1], dtype=np.int64)  # a state as one integer: a faster unique
    for k, r in enumerate(row_radix):
        code = code * r + rows[k]
    return len(np.unique(code))
