"""Graph algorithms over edge arrays in CSR form (row offsets, target columns).

The state graph's edges are sorted by source, so a subset of them (a bool mask
per edge) is a CSR graph as it stands: no sparse-matrix object and no copy in
another dtype. Reachability is a level-synchronous breadth-first search in
numpy (a level costs a few array operations, whatever its size). Strongly
connected components come from scipy's compiled iterative Pearce algorithm,
called on int32 arrays directly: its public entry point first copies the
graph into a float64 matrix (8 bytes an edge) that the algorithm never reads.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def edges_of(offsets: Any, nodes: Any) -> Any:
    """The ids of the edges leaving `nodes` (rows offsets[v]:offsets[v + 1])."""
    starts = offsets[nodes]
    counts = offsets[np.asarray(nodes) + 1] - starts
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    shift = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return shift + np.arange(total, dtype=np.int64)


def row_ranges(offsets: Any, size: int) -> list[tuple[int, int]]:
    """Consecutive ranges of whole rows (lo, hi), about `size` edges each (a row
    longer than that is a range of its own), covering every row."""
    n, total = len(offsets) - 1, int(offsets[-1])
    cuts = np.searchsorted(offsets, np.arange(size, total, size), side="right") - 1
    bounds = sorted({0, n, *cuts.tolist()})  # (np.unique's first call costs milliseconds)
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def reach(offsets: Any, columns: Any, roots: Any, inside: Any, allowed: Any = None) -> Any:
    """Nodes of `inside` (a bool mask) reachable from `roots` (ids; those outside
    `inside` are ignored) over the edges of rows `offsets` with targets `columns`
    whose mask `allowed` is set (every edge when None)."""
    n = len(inside)
    seen = np.zeros(n, dtype=bool)
    frontier = np.asarray(roots, dtype=np.int64)
    frontier = frontier[inside[frontier]]
    seen[frontier] = True
    if np.array_equal(seen, inside):  # every state is a root: nothing to search
        return seen
    frontier = np.flatnonzero(seen)
    slot = np.empty(n, dtype=np.int64)  # scratch for removing duplicates without a sort
    while frontier.size:
        found = []
        # A slice of the level at a time: the temporaries stay a slice's edges.
        for start in range(0, frontier.size, REACH_SLICE):
            edges = edges_of(offsets, frontier[start:start + REACH_SLICE])
            if allowed is not None:
                edges = edges[allowed[edges]]
            targets = columns[edges]
            targets = targets[inside[targets] & ~seen[targets]]
            positions = np.arange(targets.size)
            slot[targets] = positions
            targets = targets[slot[targets] == positions]  # one copy of each
            seen[targets] = True
            found.append(targets)
        frontier = np.concatenate(found)
    return seen


REACH_SLICE = 1 << 16


def components(n: int, sources: Any, columns: Any, keep: Any = None) -> Any:
    """Strongly connected component labels (int32 per node) of the graph on nodes
    0..n-1 over the edges in `keep` (every edge when None; edges sorted by source)."""
    # A cycle through two states has an edge to a smaller id, whatever the order of
    # the ids: without one every state is its own component (scipy not even loaded).
    backward = columns < sources
    if not (backward if keep is None else keep & backward).any():
        return np.arange(n, dtype=np.int32)
    del backward
    # a self-loop joins no two states
    keep = columns != sources if keep is None else keep & (columns != sources)
    kept, targets = _trimmed(n, sources[keep], columns[keep])
    if not kept.size:
        return np.arange(n, dtype=np.int32)
    # Each (source, target) pair once, rows sorted: scipy's routine loops for ever
    # on a repeated edge (its public entry point sums duplicates first). Sorting the
    # pairs keeps the sources in order: they are `kept` still.
    pairs = kept.astype(np.int64) * n + targets
    del targets
    pairs.sort()
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = pairs[1:] != pairs[:-1]
    pairs %= n
    indices = pairs.astype(np.int32)[first]
    del pairs
    kept = kept[first]
    del first
    indptr = np.searchsorted(kept, np.arange(n + 1, dtype=kept.dtype)).astype(np.int32)
    del kept
    labels = np.full(n, -1, dtype=np.int32)
    if len(indices) >= 2**31:  # beyond the routine's int32 offsets
        return _public_components(indptr.astype(np.int64), indices, n)
    try:
        from scipy.sparse.csgraph._traversal import _connected_components_directed
    except ImportError:  # a scipy without the private routine: the public one
        return _public_components(indptr, indices, n)
    _connected_components_directed(indices, indptr, labels)
    return labels


TRIM_WORK = 8  # trimming stops after touching this many times the edges


def _trimmed(n: int, sources: Any, targets: Any) -> tuple[Any, Any]:
    """The edges left after repeatedly dropping every state with no edge in or no
    edge out (such a state is alone in its component): an acyclic graph vanishes,
    most often in a few rounds. A long chain takes a round per state, so the work
    is capped; what is left goes to the decomposition."""
    budget = TRIM_WORK * sources.size
    while sources.size and budget > 0:
        budget -= sources.size
        has_out = np.zeros(n, dtype=bool)
        has_out[sources] = True
        both = np.zeros(n, dtype=bool)
        both[targets] = True
        both &= has_out
        stay = both[sources] & both[targets]
        if stay.all():
            break
        sources, targets = sources[stay], targets[stay]
    return sources, targets


def _public_components(indptr: Any, indices: Any, n: int) -> Any:
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    matrix = csr_matrix((np.ones(len(indices), dtype=np.int8), indices, indptr), shape=(n, n))
    _, labels = connected_components(matrix, directed=True, connection="strong")
    return labels.astype(np.int32)
