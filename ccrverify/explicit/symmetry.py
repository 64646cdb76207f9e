"""Symmetry reduction: one representative per orbit of an index declared symmetric.

An index declared with ``m.index(name, values, symmetric=True)`` says that
renaming its values changes nothing: permuting the values permutes the states
of each map over the index, and maps the initial states, the action instances
and the properties onto themselves. The visited set then stores one state per
orbit, its representative: the state with the per-value tuples of map slots
sorted (the sorted multiset of tuples is what every member of the orbit
shares). The levels keep the real states that were reached first, so every
counterexample is a real path and replays unchanged (`search.py`).

A declaration is checked, not trusted (a wrong reduction could say "holds"
wrongly): every swap of the first value with another must map the actions,
the initial states and the checked invariants onto themselves, expression by
expression (commutative operators compared without order), and no slot outside
the maps over the index may exist whose domain names the index's values.
Reduction keeps invariants and deadlock freedom; any other kind of property
(liveness: a lasso of representatives need not be a real lasso) is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ccrverify.compile import CompiledModel
from ccrverify.errors import UsageError
from ccrverify.explicit.bfs import Selection
from ccrverify.explicit.words import WordLayout
from ccrverify.expr import Expr
from ccrverify.model import Model, PropertyKind
from ccrverify.ops import Op
from ccrverify.request import Request

SAFE_KINDS = frozenset({PropertyKind.INVARIANT, PropertyKind.DEADLOCK_FREE})
COMMUTATIVE = frozenset({Op.AND, Op.OR, Op.EQ, Op.ADD, Op.MUL, Op.MIN, Op.MAX})
ASSOCIATIVE = COMMUTATIVE - {Op.EQ}


@dataclass(frozen=True)
class Group:
    """One symmetric index: per value, its map slots (the same variables in the
    same order for every value)."""

    index: str
    values: tuple[Any, ...]
    slots: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Reduction:
    groups: tuple[Group, ...]
    layout: WordLayout

    def describe(self) -> str:
        return "; ".join(f"{g.index}={','.join(map(str, g.values))}" for g in self.groups)

    def note(self) -> str:
        names = ", ".join(f"{g.index} ({len(g.values)} values)" for g in self.groups)
        return (f"symmetry: one state per orbit of {names}; distinct states counts orbits "
                "(--no-symmetry for every state)")

    def canon(self, rows: Any) -> Any:
        """Each state of a (W, n) batch replaced by its orbit's representative."""
        lay = self.layout
        matrix = lay.columns(rows)
        for group in self.groups:
            # an int per value: its slots' values, the first slot most significant
            code = np.zeros((matrix.shape[0], len(group.values)), dtype=np.int64)
            for k, slots in enumerate(group.slots):
                for s in slots:
                    code[:, k] = (code[:, k] << max(1, lay.width[s])) | (
                        matrix[:, s] - lay.slots[s].lo)
            code.sort(axis=1)
            for k, slots in enumerate(group.slots):
                rest = code[:, k]
                for s in reversed(slots):
                    bits = max(1, lay.width[s])
                    matrix[:, s] = (rest & ((1 << bits) - 1)) + lay.slots[s].lo
                    rest = rest >> bits
        return lay.encode(matrix)


def _groups(model: Model) -> list[Group]:
    out = []
    indexes = {id(v.index): v.index for v in model.variables
               if v.index is not None and getattr(v.index, "symmetric", False)}
    for index in indexes.values():
        maps = [v for v in model.variables if v.index is index]
        slots = tuple(tuple(s for v in maps for s in v.slots[value]) for value in index.values)
        out.append(Group(index.name, tuple(index.values), slots))
    return out


def _shape(e: Any, perm: dict[int, int]) -> Any:
    """An expression as nested tuples, slots renamed by `perm`, commutative
    operators' operands flattened and sorted (so that a renamed ``all_of`` or sum
    compares equal)."""
    if not isinstance(e, Expr):
        return repr(e)
    if e.op == Op.VAR:
        return ("var", perm.get(e.args[0], e.args[0]))
    operands = list(e.args)
    if e.op in ASSOCIATIVE:  # a + (b + c) as one sum of a, b, c
        while any(isinstance(a, Expr) and a.op == e.op for a in operands):
            operands = [x for a in operands
                        for x in (a.args if isinstance(a, Expr) and a.op == e.op else (a,))]
    args = [_shape(a, perm) for a in operands]
    if e.op in COMMUTATIVE:
        args.sort(key=repr)
    return (e.op.value, tuple(args))


def _refuse(group: Group, what: str) -> UsageError:
    return UsageError(f"index {group.index} is declared symmetric, but {what}",
                      hint="drop symmetric=True from the index, or run with --no-symmetry")


def _check(model: Model, selection: Selection, group: Group) -> None:
    width = {len(s) for s in group.slots}
    if len(width) != 1:
        raise _refuse(group, "its values do not have the same map slots")
    inside = {s for slots in group.slots for s in slots}
    names = {str(v) for v in group.values}
    for i, slot in enumerate(model.slots):
        if i not in inside and slot.enum is not None and names <= set(map(str, slot.enum.values)):
            raise _refuse(group, f"{slot.name} holds its values (renaming them would need "
                                 "renaming that variable's values too)")

    def actions(perm: dict[int, int]) -> list[Any]:
        return sorted((repr((_shape(a.guard, perm),
                             sorted((perm.get(s, s), repr(_shape(e, perm)))
                                    for s, e in a.updates),
                             _shape(a.defined_guard, perm), _shape(a.defined_updates, perm))))
                      for a in model.actions)

    def inits(perm: dict[int, int]) -> list[Any]:
        return sorted(repr((sorted(perm.get(s, s) for s in g.slots),
                            sorted(repr([_shape(e, perm) for _, e in sorted(
                                zip([perm.get(s, s) for s in g.slots], row, strict=True),
                                key=lambda p: p[0])]) for row in g.alternatives)))
                      for g in model.init)

    identity: dict[int, int] = {}
    want_actions, want_inits = actions(identity), inits(identity)
    invariants = [p for p in selection.chosen if p.kind == PropertyKind.INVARIANT]
    want_props = [repr(_shape(p.predicate, identity)) for p in invariants]
    for other in range(1, len(group.values)):
        perm = {}
        for a, b in zip(group.slots[0], group.slots[other], strict=True):
            perm[a], perm[b] = b, a
        swap = f"swapping {group.values[0]} and {group.values[other]}"
        if actions(perm) != want_actions:
            raise _refuse(group, f"{swap} does not map the actions onto themselves")
        if inits(perm) != want_inits:
            raise _refuse(group, f"{swap} does not map the initial states onto themselves")
        for prop, want in zip(invariants, want_props, strict=True):
            if repr(_shape(prop.predicate, perm)) != want:
                raise _refuse(group, f"{swap} changes invariant {prop.name}")


def declared(model: Model) -> list[Group]:
    """The symmetric indexes the model declares (of more than one value)."""
    return [g for g in _groups(model) if len(g.values) > 1]


def reduction(compiled: CompiledModel, layout: WordLayout, selection: Selection,
              request: Request) -> Reduction | None:
    """The reduction the model declares, checked; None when there is none or it is off."""
    if not request.symmetry:
        return None
    groups = declared(compiled.model)
    if not groups:
        return None
    for prop in selection.chosen:
        if prop.kind not in SAFE_KINDS:
            raise UsageError(f"symmetry reduction cannot decide {prop.name} ({prop.kind}): a "
                             "path through orbit representatives need not be a real lasso",
                             hint="run it with --no-symmetry")
    for group in groups:
        _check(compiled.model, selection, group)
        if sum(max(1, layout.width[s]) for s in group.slots[0]) > 62:
            raise _refuse(group, "a value's map slots take more than 62 bits (they are "
                                 "sorted as one integer)")
    return Reduction(tuple(groups), layout)

