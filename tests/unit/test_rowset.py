"""The exact visited set: the smallest id of each new state wins, across growth."""

from __future__ import annotations

import numpy as np
import pytest

from ccrverify.explicit.rowset import MAX_LOAD, RowSet


@pytest.mark.parametrize("words", [1, 3])
def test_new_states_are_the_smallest_ids_through_many_growths(words: int) -> None:
    rng = np.random.default_rng(words)
    visited = RowSet(words, capacity=16)
    first_id: dict[tuple[int, ...], int] = {}
    next_id = 0
    for batch in range(30):
        distinct = rng.integers(0, 2**40, size=(words, 50 + 40 * batch))
        rows = distinct[:, rng.integers(0, distinct.shape[1], size=3 * distinct.shape[1])]
        ids = rng.permutation(rows.shape[1]) + next_id  # any order in the batch
        next_id += rows.shape[1]
        new = visited.add(rows, ids=ids)
        expected: dict[tuple[int, ...], int] = {}
        for i in range(rows.shape[1]):
            state = tuple(int(w) for w in rows[:, i])
            if state not in first_id and (state not in expected or ids[i] < ids[expected[state]]):
                expected[state] = i
        assert sorted(np.flatnonzero(new)) == sorted(expected.values())
        first_id.update({state: int(ids[i]) for state, i in expected.items()})
        assert len(visited) == len(first_id)
        assert len(visited) <= MAX_LOAD * visited.capacity
    everything = np.array(list(first_id), dtype=np.int64).T.reshape(words, -1)
    assert visited.contains(everything).all()
    assert not visited.contains(everything + 2**41).any()


def test_copies_of_a_state_count_once_when_the_set_grows() -> None:
    # 10 states in 10,000 copies need a table of 32 slots, not one sized by the copies.
    visited = RowSet(1, capacity=16)
    rows = np.repeat(np.arange(10, dtype=np.int64), 1000)[None, :]
    assert visited.add(rows).sum() == 10
    assert visited.capacity == 32
