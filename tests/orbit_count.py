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


def by_permutations(matrix: Any, names: list[str], values: list[str]) -> int:
    """Distinct states up to renaming the values: every permutation tried."""
    columns_of = value_columns(names, values)
    matrix = matrix - matrix.min()  # one shift for all: a permutation swaps columns
    base = int(matrix.max()) + 1
    assert base ** matrix.shape[1] < 2**63  # a state as one integer, digit by digit
    weights = base ** np.arange(matrix.shape[1], dtype=np.int64)
    best = None
    for perm in itertools.permutations(values):
        columns = list(range(len(names)))
        for v, w in zip(values, perm, strict=True):
            for a, b in zip(columns_of[v], columns_of[w], strict=True):
                columns[a] = b
        code = matrix[:, columns] @ weights
        best = code if best is None else np.minimum(best, code)
    assert best is not None
    return len(np.unique(best))


def by_sorting(matrix: Any, names: list[str], values: list[str]) -> int:
    """Distinct states up to renaming the values: per state, the multiset of
    per-value tuples (sorted) with the global slots."""
    columns_of = value_columns(names, values)
    matrix = matrix - matrix.min()  # one shift for all: slots compared across values
    # a value's tuple as one integer, mixed radix; the i-th slot of every value is
    # the same variable, so one radix per position, the largest over the values
    position_columns = list(zip(*columns_of.values(), strict=True))
    radix = [int(matrix[:, list(cols)].max()) + 1 for cols in position_columns]
    assert np.prod(radix, dtype=object) < 2**62
    tuples = np.zeros((matrix.shape[0], len(values)), dtype=np.int64)
    for k, v in enumerate(values):
        for c, r in zip(columns_of[v], radix, strict=True):
            tuples[:, k] = tuples[:, k] * r + matrix[:, c]
    tuples.sort(axis=1)
    inside = {c for cols in columns_of.values() for c in cols}
    rest = [c for c in range(len(names)) if c not in inside]
    rows = np.concatenate([tuples, matrix[:, rest]], axis=1)
    return len(np.unique(rows, axis=0))
