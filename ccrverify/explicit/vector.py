"""The vectorised kernel: each action instance as one numpy function over a
whole batch of states.

A batch is an int64 array of shape (W, n), word j of every state in row j
(`ccrverify.explicit.words`; W = 1 for states of at most 63 bits). For each
action instance the generated code

1. tests the guard's ``slot == constant`` conjuncts with one masked compare
   per word, ``(F[0] & M) == V``, and keeps only the states that pass
   (most actions are disabled in most states: the rest of the guard and the
   updates then run on a few columns, not on the whole batch);
2. evaluates the rest of the guard on those, and gathers the enabled states;
3. writes each updated word as ``(word & ~M) | V | (new << offset)``, so a
   constant update costs nothing per slot, and says which successors are
   candidates for the visited set: not self-loops (transitions, but never new
   states), and not the successor an earlier *twin* gives the same parent.
   An update is checked against its slot's domain only where its interval,
   with the guard's bounds (``x < cap``), may leave it; and successors are
   compared with their parents only where no update surely changes its slot.

Twins are action instances with the same updates (Push(a, b) and Pull(b, a)
of a gossip protocol): where both are enabled they lead to one successor, and
the search keeps the earlier instance's transition (the smallest id wins), so
the later one's candidate could only cost a lookup. When the later guard
implies the earlier one, the later instance computes no successors for the
search at all.

Stable interface for other code (the liveness checker builds the whole state
graph with it):

- ``kernel = build(compiled)``; ``kernel.layout.words`` is W.
- ``kernel.actions[i](F)`` -> ``(mask, successors)``: ``mask[k]`` says whether
  action instance i is enabled in state k of F; ``successors`` is a (W, m)
  batch, one column per enabled state in order (self-loops included). A
  one-word model also accepts and returns 1-D arrays (the packed ints).
- ``kernel.expand[i](F)`` -> ``(parents, successors, moved)``: the same with
  the enabled states' positions in F; ``moved`` is None when every successor
  is a candidate, else a boolean per successor (False: a self-loop, or the
  successor an earlier twin gives the same parent; such a column of
  ``successors`` is unspecified, and may be zeros).
- ``kernel.properties[i](F)`` -> a boolean per state (True for non-invariants).
- ``initial_rows(compiled, kernel.layout)`` (words.py): every initial state,
  in `CompiledModel.init_values` order. `ccrverify.explicit.rowset.RowSet`
  maps states to ids: ``RowSet.add``/``contains``, or `StateIndex` below.
- Evaluation errors raise `StateError` with ``row`` (the column of F) and
  ``state`` (the packed int of `ccrverify.state.StateLayout`).

`check` and `reachable` run the breadth-first search of `search.py` on it.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ccrverify.compile import CompiledModel
from ccrverify.defined import conjuncts, structure
from ccrverify.explicit.codegen import StateError
from ccrverify.explicit.exprcode import NumpyWriter
from ccrverify.explicit.words import WordLayout
from ccrverify.expr import Expr, all_of, any_of, implied_values, slots_used, substitute
from ccrverify.intervals import interval
from ccrverify.model import ActionInstance, Model, PropertyKind
from ccrverify.ops import Op
from ccrverify.request import Request
from ccrverify.result import CheckResult


class RowError(StateError):
    """`StateError` from the vectorised kernel: the column of the batch, and the
    state as the packed int of the compiled layout."""

    def __init__(self, state: int, row: int) -> None:
        super().__init__(state)
        self.row = row


def fits(compiled: CompiledModel) -> bool:
    """Whether the numpy engine can run the model: any width, concrete knobs."""
    return not compiled.model.symbolic_knobs


@dataclass(frozen=True)
class VectorKernel:
    source: str
    layout: WordLayout
    actions: tuple[Callable[[Any], tuple[Any, Any]], ...]
    expand: tuple[Callable[[Any], tuple[Any, Any, Any]], ...]
    properties: tuple[Callable[[Any], Any], ...]
    # per action instance: `expand` leaves out self-loops only (no twin's successor),
    # so its candidates are exactly the instance's transitions that move
    exact: tuple[bool, ...] = ()


class _Writer:
    """Lines of one generated function."""

    def __init__(self, compiled: CompiledModel, layout: WordLayout) -> None:
        self.model = compiled.model
        self.layout = layout
        self.knobs = dict(self.model.knobs)
        self.lines: list[str] = []

    def emit(self, text: str, indent: int = 1) -> None:
        self.lines.append("    " * indent + text)

    def decode(self, batch: str, slots: set[int]) -> None:
        """Locals v<i> (integers) and b<i> (booleans) of the slots, read from a batch."""
        lay = self.layout
        for w in sorted({lay.word[i] for i in slots if lay.width[i]}):
            self.emit(f"x{w} = {batch}[{w}]")
        for i in sorted(slots):
            meta, off, width = self.model.slots[i], lay.offset[i], lay.width[i]
            x = f"x{lay.word[i]}"
            if meta.sort == "bool":
                self.emit(f"b{i} = ({x} & {1 << off}) != 0" if width
                          else f"b{i} = np.{'True_' if meta.lo else 'False_'}")
                continue
            if not width:
                self.emit(f"v{i} = np.int64({meta.lo})")
                continue
            text = f"({x} >> {off}) & {(1 << width) - 1}" if off else f"{x} & {(1 << width) - 1}"
            self.emit(f"v{i} = ({text}) + {meta.lo}" if meta.lo else f"v{i} = {text}")

    def expression(self, prefix: str, roots: list[Expr]) -> list[str]:
        writer = NumpyWriter(self.knobs, prefix)
        temps, codes = writer.write(roots, {})
        for t in temps:
            self.emit(t)
        return codes

    def check_defined(self, condition: Expr, batch: str, shape: str, where: str) -> None:
        """Stop with an evaluation error at the first state of the batch where the
        condition fails (`where` maps a column of the batch to one of F)."""
        self.decode(batch, slots_used([condition]))
        (code,) = self.expression("d", [condition])
        self.emit(f"bad = np.flatnonzero(~np.broadcast_to({code}, {shape}))")
        self.emit(f"if bad.size: _state_error(F, {where.format('bad[0]')})")


def _prefilter(guard: Expr, layout: WordLayout) -> tuple[dict[int, tuple[int, int]], list[Expr],
                                                           bool]:
    """Split a guard into its ``slot == constant`` conjuncts, as (mask, value) per
    word, and the rest; False when the conjuncts contradict each other."""
    wanted: dict[int, int] = {}
    rest: list[Expr] = []
    for part in guard.args if guard.op == Op.AND else (guard,):
        found = None
        if part.op == Op.VAR:
            found = (part.args[0], 1)
        elif part.op == Op.NOT and part.args[0].op == Op.VAR:
            found = (part.args[0].args[0], 0)
        elif part.op == Op.EQ:
            a, b = part.args
            if a.op == Op.VAR and b.is_const:
                found = (a.args[0], b.value)
            elif b.op == Op.VAR and a.is_const:
                found = (b.args[0], a.value)
        if found is None:
            rest.append(part)
            continue
        slot, value = found
        lo, hi = layout.slots[slot].lo, layout.slots[slot].hi
        if wanted.get(slot, value) != value or not lo <= value <= hi:
            return {}, [], False
        wanted[slot] = value
    words: dict[int, tuple[int, int]] = {}
    for slot, value in wanted.items():
        if not layout.width[slot]:
            continue  # a single-valued slot: the range test above settled it
        w = layout.word[slot]
        mask, bits = words.get(w, (0, 0))
        words[w] = (mask | layout.mask(slot),
                    bits | (value - layout.slots[slot].lo) << layout.offset[slot])
    return words, rest, True


MAX_TWINS = 8  # earlier twins whose guards a later instance tests


@dataclass(frozen=True)
class Twins:
    """Of an action instance: the guards' conjuncts of its earlier twins that its own
    guard lacks (one tuple per twin); `implied` when some twin lacks none."""

    missing: tuple[tuple[Expr, ...], ...]
    implied: bool


def twins(model: Model) -> list[Twins | None]:
    """Per action instance, its earlier twins (None: it has none)."""
    memo: dict[int, object] = {}
    seen: dict[object, list[int]] = {}
    out: list[Twins | None] = []
    for j, action in enumerate(model.actions):
        updates = tuple(sorted(((s, structure(e, memo)) for s, e in action.updates
                                if not (e.op == Op.VAR and e.args[0] == s)),
                               key=lambda pair: pair[0]))
        earlier = seen.setdefault(updates, [])
        if not updates or not earlier:  # no updates: every successor is a self-loop
            earlier.append(j)
            out.append(None)
            continue
        mine = {structure(c, memo) for c in conjuncts(action.guard)}
        missing = tuple(tuple(c for c in conjuncts(model.actions[i].guard)
                              if structure(c, memo) not in mine) for i in earlier[:MAX_TWINS])
        implied = any(not rest for rest in missing)
        out.append(Twins(() if implied else missing, implied))
        earlier.append(j)
    return out


def _action(out: _Writer, index: int, twin: Twins | None) -> None:
    if twin is not None and twin.implied:
        # The search needs no successor of this instance; the state graph does.
        _expand(out, index, twin, "expand")
        out.lines.append("")
        _expand(out, index, None, "full")
    else:
        _expand(out, index, twin, "expand")
    out.lines.append("")
    out.emit(f"def action_{index}(F):", 0)
    full = "full" if twin is not None and twin.implied else "expand"
    out.emit(f"idx, G, _ = {full}_{index}(F)")
    out.emit("mask = np.zeros(F.shape[1], dtype=bool)")
    out.emit("mask[idx] = True")
    out.emit("return mask, (G if G is not None else F[:, :0])")
    out.lines.append("")


def _expand(out: _Writer, index: int, twin: Twins | None, name: str) -> None:
    model, lay = out.model, out.layout
    action = model.actions[index]
    out.emit(f"def {name}_{index}(F):  # {action.label}  ({action.location})", 0)
    out.emit("n = F.shape[1]")
    if action.defined_guard is not None:
        out.check_defined(action.defined_guard, "F", "(n,)", "{}")
    words, rest, possible = _prefilter(action.guard, lay)
    if not possible or (action.guard.is_const and not action.guard.value):
        out.emit("return _NONE, None, None")
        return
    if twin is not None and twin.implied and _enabled_only(out, words, rest):
        return
    if words:
        test = " & ".join(f"((F[{w}] & {m}) == {v})" for w, (m, v) in sorted(words.items()))
        out.emit(f"idx = np.flatnonzero({test})")
        out.emit("if not idx.size: return idx, None, None")
        out.emit("G = F[:, idx]")
        if rest:
            guard = all_of(rest)
            out.decode("G", slots_used([guard]))
            (code,) = out.expression("g", [guard])
            out.emit(f"sel = np.broadcast_to({code}, idx.shape)")
            out.emit("if not sel.all():")
            out.emit("idx = idx[sel]", 2)
            out.emit("if not idx.size: return idx, None, None", 2)
            out.emit("G = G[:, sel]", 2)
    elif action.guard.is_const:
        out.emit("idx = np.arange(n)")
        out.emit("G = F.copy()")
    else:
        out.decode("F", slots_used([action.guard]))
        (code,) = out.expression("g", [action.guard])
        out.emit(f"idx = np.flatnonzero(np.broadcast_to({code}, (n,)))")
        out.emit("if not idx.size: return idx, None, None")
        out.emit("G = F[:, idx]")
    if twin is not None and twin.implied:
        out.emit("return idx, G, np.zeros(idx.size, dtype=bool)")
        return
    _updates(out, index, twin)


def _enabled_only(out: _Writer, words: dict[int, tuple[int, int]], rest: list[Expr]) -> bool:
    """For an instance whose successors the search never needs: where it is enabled,
    by masked compares on the whole batch and nothing gathered, when its guard is
    only ``slot == c`` and ``slot != c`` conjuncts (else False: nothing emitted)."""
    lay = out.layout
    tests = [f"((F[{w}] & {m}) == {v})" for w, (m, v) in sorted(words.items())]
    for part in rest:
        inner = part.args[0] if part.op == Op.NOT else part
        if not (part.op == Op.NOT and inner.op == Op.EQ):
            return False
        a, b = inner.args
        var, value = (a, b) if a.op == Op.VAR else (b, a)
        if var.op != Op.VAR or not value.is_const or not lay.width[var.args[0]]:
            return False
        slot = var.args[0]
        meta = lay.slots[slot]
        if meta.lo <= value.value <= meta.hi:  # else the conjunct always holds
            tests.append(f"((F[{lay.word[slot]}] & {lay.mask(slot)}) != "
                         f"{(value.value - meta.lo) << lay.offset[slot]})")
    if not tests:
        return False
    out.emit(f"idx = np.flatnonzero({' & '.join(tests)})")
    out.emit("return idx, np.zeros((F.shape[0], idx.size), dtype=np.int64), "
             "np.zeros(idx.size, dtype=bool)")
    return True


def _updates(out: _Writer, index: int, twin: Twins | None) -> None:
    """The successors of the enabled states G (their positions in F are idx)."""
    model, lay = out.model, out.layout
    action = model.actions[index]
    known = implied_values(action.guard)
    updates = [(s, substitute(e, known)) for s, e in action.updates
               if not (e.op == Op.VAR and e.args[0] == s)]
    checks = [] if action.defined_updates is None else [substitute(action.defined_updates,
                                                                   known)]
    variable = [(s, e) for s, e in updates if not e.is_const]
    out.decode("G", slots_used([e for _, e in variable] + checks))
    if checks:
        (code,) = out.expression("d", checks)
        out.emit(f"bad = np.flatnonzero(~np.broadcast_to({code}, idx.shape))")
        out.emit("if bad.size: _state_error(F, idx[bad[0]])")
    values = out.expression("t", [e for _, e in variable])
    per_word: dict[int, list[str]] = {}
    clear: dict[int, int] = {}
    constant: dict[int, int] = {}
    moves = _always_moves(action)
    bounds = _guard_bounds(action.guard, model)
    for slot, e in updates:
        meta, w, off = model.slots[slot], lay.word[slot], lay.offset[slot]
        if e.is_const:
            if not meta.lo <= e.value <= meta.hi:
                out.emit(f"_check_domain({meta.lo}, {meta.hi}, np.int64({e.value}), F, idx)")
            moves |= slot in known and known[slot] != e.value
            if lay.width[slot]:
                clear[w] = clear.get(w, 0) | lay.mask(slot)
                constant[w] = constant.get(w, 0) | (e.value - meta.lo) << off
            continue
        value = values[[s for s, _ in variable].index(slot)]
        name = f"n{slot}"
        out.emit(f"{name} = np.asarray({value}, dtype=np.int64)")
        lo, hi = interval(e, bounds, {})
        if lo < meta.lo or hi > meta.hi:
            # only the bound the interval cannot vouch for; the full check finds the state
            outside = ([f"({name} < {meta.lo})"] if lo < meta.lo else []) + (
                [f"({name} > {meta.hi})"] if hi > meta.hi else [])
            out.emit(f"if ({' | '.join(outside)}).any(): "
                     f"_check_domain({meta.lo}, {meta.hi}, {name}, F, idx)")
        if lay.width[slot]:
            clear[w] = clear.get(w, 0) | lay.mask(slot)
            shifted = f"({name} - {meta.lo})" if meta.lo else name
            per_word.setdefault(w, []).append(f"({shifted} << {off})" if off else shifted)
    touched = sorted(clear)
    if not touched:  # every successor is its parent
        out.emit("return idx, G, np.zeros(idx.size, dtype=bool)")
        return
    candidate = [] if moves else [" | ".join(f"(y{w} != G[{w}])" for w in touched)]
    if twin is not None:  # read before G becomes the successors
        earlier = any_of(all_of(rest) for rest in twin.missing)
        out.decode("G", slots_used([earlier]))
        (code,) = out.expression("e", [earlier])
        candidate.append(f"~np.broadcast_to({code}, idx.shape)")
    for w in touched:
        parts = [f"(G[{w}] & {~clear[w]})"]
        if constant.get(w):
            parts.append(str(constant[w]))
        parts += per_word.get(w, [])
        out.emit(f"y{w} = " + " | ".join(parts))
    if candidate:
        out.emit("moved = " + " & ".join(f"({c})" for c in candidate))
    for w in touched:
        out.emit(f"G[{w}] = y{w}")
    out.emit(f"return idx, G, {'moved' if candidate else 'None'}")


def _guard_bounds(guard: Expr, model: Model) -> Callable[[int], tuple[int, int]]:
    """Each slot's range where the guard holds: its domain, narrowed by conjuncts
    ``x < c``, ``x <= c``, ``c < x`` and ``c <= x`` (a counter below its cap then
    needs no domain check when it counts up)."""
    narrowed: dict[int, tuple[int, int]] = {}

    def domain(slot: int) -> tuple[int, int]:
        return narrowed.get(slot, (model.slots[slot].lo, model.slots[slot].hi))

    for part in conjuncts(guard):
        if part.op not in (Op.LT, Op.LE):
            continue
        a, b = part.args
        strict = 1 if part.op == Op.LT else 0
        if a.op == Op.VAR and b.is_const:
            lo, hi = domain(a.args[0])
            narrowed[a.args[0]] = (lo, min(hi, b.value - strict))
        elif b.op == Op.VAR and a.is_const:
            lo, hi = domain(b.args[0])
            narrowed[b.args[0]] = (max(lo, a.value + strict), hi)
    return domain


def _always_moves(action: ActionInstance) -> bool:
    """Whether some update surely changes its slot: ``x := x + c`` or ``x := x - c``
    with c != 0, or a conjunct of the guard says so: ``x < e``, ``e < x`` or
    ``x != e`` with the update ``x := e`` (Push: b's older version)."""
    for slot, e in action.updates:
        if (e.op in (Op.ADD, Op.SUB) and e.args[0].op == Op.VAR and e.args[0].args[0] == slot
                and e.args[1].is_const and e.args[1].value != 0):
            return True
    memo: dict[int, object] = {}
    new = {slot: structure(e, memo) for slot, e in action.updates}
    for part in conjuncts(action.guard):
        if part.op == Op.NOT and part.args[0].op == Op.EQ:
            pair = part.args[0].args
        elif part.op == Op.LT:
            pair = part.args
        else:
            continue
        for x, e in (pair, pair[::-1]):
            if x.op == Op.VAR and new.get(x.args[0], None) == structure(e, memo):
                return True
    return False


def _property(out: _Writer, index: int) -> None:
    prop = out.model.properties[index]
    if prop.kind != PropertyKind.INVARIANT:  # deadlocks: found by expansion
        out.emit(f"def property_{index}(F):  # {prop.name}: not a state predicate", 0)
        out.emit("return np.ones(F.shape[1], dtype=bool)")
        out.lines.append("")
        return
    out.emit(f"def property_{index}(F):  # {prop.name}", 0)
    out.emit("n = F.shape[1]")
    if prop.defined is not None:
        out.check_defined(prop.defined, "F", "(n,)", "{}")
    out.decode("F", slots_used([prop.predicate]))
    (code,) = out.expression("c", [prop.predicate])
    out.emit(f"return np.broadcast_to({code}, (n,))")
    out.lines.append("")


def generate(compiled: CompiledModel, layout: WordLayout | None = None,
             with_twins: bool = True) -> str:
    """The kernel's source; `with_twins=False`: every expansion exact (the state
    graph needs each transition, not one per successor)."""
    layout = layout or WordLayout.of(compiled)
    model = compiled.model
    out = _Writer(compiled, layout)
    out.lines += [f"# Vector kernel generated by ccrverify for {model.name}: "
                  f"{layout.words} word(s) per state", ""]
    found = twins(model) if with_twins else [None] * len(model.actions)
    for index, twin in enumerate(found):
        _action(out, index, twin)
    for index in range(len(model.properties)):
        _property(out, index)
    return "\n".join(out.lines)


def build(compiled: CompiledModel, with_twins: bool = True) -> VectorKernel:
    model = compiled.model
    layout = WordLayout.of(compiled)
    source = generate(compiled, layout, with_twins)

    def state_error(states: Any, row: Any) -> None:
        row = int(row)
        raise RowError(layout.packed(states[:, row].tolist(), compiled), row)

    def check_domain(lo: int, hi: int, new: Any, states: Any, idx: Any) -> None:
        values = np.broadcast_to(new, idx.shape)
        bad = np.flatnonzero((values < lo) | (values > hi))
        if bad.size:
            state_error(states, idx[bad[0]])

    namespace: dict[str, Any] = {"np": np, "_check_domain": check_domain,
                                 "_state_error": state_error,
                                 "_NONE": np.empty(0, dtype=np.int64)}
    kind = "" if with_twins else " exact"
    filename = f"<ccrverify-vector {model.name} {model.source_hash}{kind}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)  # our own generated source
    count = len(model.actions)
    return VectorKernel(
        source, layout,
        tuple(_flat(namespace[f"action_{i}"]) for i in range(count)),
        tuple(namespace[f"expand_{i}"] for i in range(count)),
        tuple(_flat_mask(namespace[f"property_{i}"]) for i in range(len(model.properties))),
        tuple(twin is None for twin in twins(model)) if with_twins else (True,) * count)


def _flat(fn: Callable[[Any], tuple[Any, Any]]) -> Callable[[Any], tuple[Any, Any]]:
    """Also accept a 1-D array of one-word states (and answer in kind)."""
    def call(states: Any) -> tuple[Any, Any]:
        if states.ndim == 1:
            mask, succ = fn(states[None, :])
            return mask, succ[0]
        return fn(states)

    return call


def _flat_mask(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def call(states: Any) -> Any:
        return fn(states[None, :] if states.ndim == 1 else states)

    return call


class StateIndex:
    """Ids for a fixed set of states: ``StateIndex(rows).ids(batch)`` gives each
    state's position in `rows` (a (W, n) batch without repeats), or -1."""

    def __init__(self, rows: Any) -> None:
        from ccrverify.explicit.rowset import RowSet

        self.rows = rows
        self._set = RowSet(rows.shape[0], rows.shape[1] * 2)
        self._set.add(rows)
        # the set's slot of each member -> its id
        self._id = np.full(self._set.capacity, -1, dtype=np.int64)
        self._id[self._set.find(rows)] = np.arange(rows.shape[1])

    def ids(self, batch: Any) -> Any:
        slots = self._set.find(batch)
        out = np.full(batch.shape[1], -1, dtype=np.int64)
        hit = slots >= 0
        out[hit] = self._id[slots[hit]]
        return out


def check(compiled: CompiledModel, request: Request | None = None) -> CheckResult:
    """Every reachable state, a breadth-first level at a time (`search.py`)."""
    from ccrverify.explicit.search import check as search_check

    return search_check(compiled, request or Request())


@dataclass(frozen=True)
class Reachable:
    states: Any  # a row per reachable state, a column per slot
    failing: frozenset[str]  # the properties some reachable state violates


def reachable(compiled: CompiledModel, max_states: int | None = None) -> Reachable | None:
    """Every reachable state as one slot-value matrix, and which properties fail
    somewhere; None when there are more than `max_states`. For lemma mining."""
    from ccrverify.explicit.search import reachable_rows

    found = reachable_rows(compiled, max_states)
    if found is None:
        return None
    rows, failing = found
    return Reachable(WordLayout.of(compiled).columns(rows), failing)
