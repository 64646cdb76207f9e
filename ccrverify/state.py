"""The state layout: every slot packed into one Python int.

Slot i occupies `width[i]` bits at `offset[i]` and stores ``value - lo``.
One int per state is compact (about 30-40 bytes for the object) and hashes
fast, which is what a Python dict of visited states needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ccrverify.model import Model, Slot


@dataclass(frozen=True)
class StateLayout:
    slots: tuple[Slot, ...]
    offsets: tuple[int, ...]
    widths: tuple[int, ...]

    @staticmethod
    def of(model: Model) -> StateLayout:
        offsets, widths, at = [], [], 0
        for slot in model.slots:
            width = max(0, (slot.hi - slot.lo).bit_length())
            offsets.append(at)
            widths.append(width)
            at += width
        return StateLayout(model.slots, tuple(offsets), tuple(widths))

    @property
    def bits(self) -> int:
        return sum(self.widths)

    def pack(self, values: Sequence[int]) -> int:
        state = 0
        for slot, off, value in zip(self.slots, self.offsets, values, strict=True):
            state |= (int(value) - slot.lo) << off
        return state

    def unpack(self, state: int) -> list[int]:
        return [((state >> off) & ((1 << w) - 1)) + slot.lo
                for slot, off, w in zip(self.slots, self.offsets, self.widths, strict=True)]


def decode_variables(model: Model, values: Sequence[int]) -> dict[str, Any]:
    """Slot values as named Python values: maps as dicts, sequences as tuples."""
    out: dict[str, Any] = {}
    for variable in model.variables:
        entries = {}
        for key, slots in variable.slots.items():
            entries[key] = _decode_entry(model, slots, values, variable.is_seq())
        out[variable.name] = entries[None] if variable.index is None else entries
    return out


def _decode_entry(model: Model, slots: tuple[int, ...], values: Sequence[int], is_seq: bool
                  ) -> Any:
    if is_seq:
        length = values[slots[0]]
        return tuple(_decode_scalar(model.slots[s], values[s]) for s in slots[1:1 + length])
    return _decode_scalar(model.slots[slots[0]], values[slots[0]])


def _decode_scalar(slot: Slot, value: int) -> Any:
    if slot.enum is not None:
        return slot.enum.values[value]
    if slot.sort == "bool":
        return bool(value)
    return value


def encode_variables(model: Model, named: dict[str, Any]) -> list[int]:
    """The inverse of `decode_variables`: named values to slot values."""
    values = [slot.lo for slot in model.slots]
    for variable in model.variables:
        given = named[variable.name]
        for key, slots in variable.slots.items():
            value = given if variable.index is None else given[key]
            if variable.is_seq():
                items = list(value)
                if len(items) > len(slots) - 1:
                    raise ValueError(f"{variable.name}: {len(items)} items exceed capacity")
                values[slots[0]] = len(items)
                for slot, item in zip(slots[1:], items, strict=False):
                    values[slot] = _encode_scalar(model.slots[slot], item)
            else:
                values[slots[0]] = _encode_scalar(model.slots[slots[0]], value)
    return values


def _encode_scalar(slot: Slot, value: Any) -> int:
    if slot.enum is not None:
        return slot.enum.values.index(value)
    code = int(value)
    if not slot.lo <= code <= slot.hi:
        raise ValueError(f"{slot.name}: {value!r} is outside {slot.lo}..{slot.hi}")
    return code
