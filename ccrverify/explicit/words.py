"""The vectorised state layout: every slot packed into W words of 63 bits.

The numpy engine keeps a batch of states as one int64 array of shape (W, n):
row j holds word j of every state, so decoding a slot is two operations on a
contiguous row. Slots are packed greedily in model order; a slot never straddles
two words and no word uses its sign bit, so every stored word is non-negative
(the visited set marks empty slots with -1). A state of at most 63 bits is one
word laid out exactly as `ccrverify.state.StateLayout` packs it, so a one-word
state *is* the packed int the rest of the code uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ccrverify.compile import CompiledModel
from ccrverify.model import Slot

WORD_BITS = 63  # keep the sign bit clear: stored words are >= 0, and -1 means empty


@dataclass(frozen=True)
class WordLayout:
    slots: tuple[Slot, ...]
    word: tuple[int, ...]  # per slot: the word holding it
    offset: tuple[int, ...]  # per slot: its lowest bit within that word
    width: tuple[int, ...]  # per slot: bits (0 for a slot with a single value)
    words: int  # W, at least 1

    @staticmethod
    def of(compiled: CompiledModel) -> WordLayout:
        layout = compiled.layout
        word, offset, at, current = [], [], 0, 0
        for width in layout.widths:
            if at + width > WORD_BITS:
                current, at = current + 1, 0
            word.append(current)
            offset.append(at)
            at += width
        return WordLayout(layout.slots, tuple(word), tuple(offset), layout.widths, current + 1)

    def mask(self, slot: int) -> int:
        """The slot's bits in its word."""
        return ((1 << self.width[slot]) - 1) << self.offset[slot]

    def pack(self, values: Sequence[int]) -> list[int]:
        """One state's slot values as its W words."""
        out = [0] * self.words
        for i, (slot, value) in enumerate(zip(self.slots, values, strict=True)):
            out[self.word[i]] |= (int(value) - slot.lo) << self.offset[i]
        return out

    def unpack(self, words: Sequence[int]) -> list[int]:
        """One state's W words as slot values."""
        return [((int(words[self.word[i]]) >> self.offset[i]) & ((1 << self.width[i]) - 1))
                + slot.lo for i, slot in enumerate(self.slots)]

    def columns(self, rows: Any) -> Any:
        """A (W, n) batch as an (n, slots) matrix of slot values."""
        n = rows.shape[1]
        out = np.empty((n, len(self.slots)), dtype=np.int64)
        for i, slot in enumerate(self.slots):
            bits = (rows[self.word[i]] >> self.offset[i]) & ((1 << self.width[i]) - 1)
            out[:, i] = bits + slot.lo
        return out

    def encode(self, matrix: Any) -> Any:
        """The inverse of `columns`: an (n, slots) matrix of values as a (W, n) batch."""
        rows = np.zeros((self.words, matrix.shape[0]), dtype=np.int64)
        for i, slot in enumerate(self.slots):
            if self.width[i]:
                rows[self.word[i]] |= (matrix[:, i] - slot.lo) << self.offset[i]
        return rows

    def packed(self, words: Sequence[int], compiled: CompiledModel) -> int:
        """A state as the int `ccrverify.state.StateLayout` packs (any width)."""
        return compiled.layout.pack(self.unpack(words))


def initial_rows(compiled: CompiledModel, layout: WordLayout) -> Any:
    """Every initial state as a (W, n) batch, in the order of
    `CompiledModel.init_values` (its position is the trace's initial-state index).

    Built group by group with broadcasting instead of one Python list per state:
    a model with ``ANY`` over several maps has millions of initial states."""
    from ccrverify.compile import evaluate

    model = compiled.model
    rows = np.zeros((layout.words, 1), dtype=np.int64)
    for group in model.init:
        if not group.alternatives:
            compiled.init_values()  # raises the "no initial state" error
        part = np.zeros((layout.words, len(group.alternatives)), dtype=np.int64)
        for a, row in enumerate(group.alternatives):
            for slot, expr in zip(group.slots, row, strict=True):
                value = evaluate(expr, [], model.knobs) - layout.slots[slot].lo
                part[layout.word[slot], a] |= value << layout.offset[slot]
        # product order: the first group varies slowest (itertools.product)
        rows = (rows[:, :, None] | part[:, None, :]).reshape(layout.words, -1)
    return rows
