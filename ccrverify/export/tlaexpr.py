"""Expressions of the IR as TLA+ text: one translation per operator (`TLA`, made
with `ccrverify.ops.exhaustive`, so a new operator without one fails at import).

The state is exported as the model's own variables, not as slots: a slot is
read as ``role["A"]``, a sequence's length as ``Len(log["A"])`` and item ``j``
as ``At(log["A"], j, filler)`` (the filler past the length, as in the IR, where
equal sequences are equal slot for slot). Enumeration values are strings;
where the IR computes with an enumeration's codes (``<``, ``min``) the value
is turned into its position by ``E_ord`` and back by ``E_val``.

Partial operators fail in TLC exactly where they fail in ccrverify:
``MUST`` becomes ``Read(cond, value, message)``, which is the value where the
condition holds and ``Assert(FALSE, message)`` elsewhere (a map read outside
its index reads ``f[k]`` directly, which TLC refuses just the same), and
``DIV``/``MOD`` become ``Div``/``Mod``, defined for a positive divisor only.
TLC evaluates ``/\\``, ``\\/``, ``IF`` and operator arguments lazily, left to
right, which is the IR's short-circuit order (`ccrverify.defined`).

A shared subexpression (sequence operations build DAGs) is printed once, as a
``LET`` definition, and referred to by name, so text stays linear in the DAG.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ccrverify.expr import BOOL, Expr, walk
from ccrverify.lang.domain import Enum
from ccrverify.model import Model, Slot
from ccrverify.ops import LEAVES, Op, exhaustive

INT_KIND = "int"
BOOL_KIND = "bool"


def tla_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def tla_int(value: int) -> str:
    return str(value) if value >= 0 else f"(-{-value})"


def tla_key(key: Any) -> str:
    """An index value (a map key, an action parameter) as a TLA+ value."""
    if isinstance(key, bool):
        return "TRUE" if key else "FALSE"
    if isinstance(key, int):
        return tla_int(key)
    if isinstance(key, tuple):
        return "<<" + ", ".join(tla_key(k) for k in key) + ">>"
    return tla_string(str(key))


@dataclass(frozen=True)
class SlotPlace:
    """Where a slot lives in the exported state."""

    entry: str  # the TLA+ expression of the variable or map entry: log["A"]
    position: int | None  # None: the entry itself; -1: its length; j >= 0: item j
    slot: Slot


class Names:
    """Every module-level name, checked against TLA+'s reserved words and each other."""

    RESERVED = frozenset("""
        ASSUME ASSUMPTION AXIOM BOOLEAN CASE CHOOSE CONSTANT CONSTANTS COROLLARY DOMAIN
        ELSE ENABLED EXCEPT EXTENDS FALSE IF IN INSTANCE LEMMA LET LOCAL MODULE OTHER
        PROPOSITION RECURSIVE STRING SUBSET THEN THEOREM TRUE UNCHANGED UNION VARIABLE
        VARIABLES WITH ACTION HAVE HIDE OBVIOUS OMITTED PICK PROOF PROVE QED STATE
        SUFFICES TAKE TEMPORAL USE WITNESS BY DEF DEFS NEW ONLY
        Nat Int Real Seq Len Append Head Tail SubSeq SelectSeq Print PrintT Assert
        JavaTime TLCGet TLCSet Permutations SortSeq RandomElement Any ToString TLCEval
        Init Next Spec TypeOK vars Read Div Mod Min Max At BSeq Checked Holds
        """.split())

    def __init__(self) -> None:
        self.taken: set[str] = set(self.RESERVED)
        self.given: dict[tuple[str, str], str] = {}

    def name(self, kind: str, wanted: str) -> str:
        """A fresh identifier for (kind, wanted), the same every time it is asked."""
        key = (kind, wanted)
        if key in self.given:
            return self.given[key]
        base = identifier(wanted)
        candidate, n = base, 1
        while candidate in self.taken or candidate.startswith(("WF_", "SF_")):
            n += 1
            candidate = f"{base}_{n}"
        self.taken.add(candidate)
        self.given[key] = candidate
        return candidate


def identifier(text: str) -> str:
    """Text as a TLA+ identifier: letters, digits and _, with at least one letter."""
    out = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in text)
    out = "_".join(part for part in out.split("_") if part) or "x"
    if not any(c.isalpha() for c in out):
        out = "v" + out
    return out


class Printer:
    """Prints expressions of one model; tracks which enumeration helpers it used."""

    def __init__(self, model: Model, places: Sequence[SlotPlace], var_names: Mapping[str, str],
                 knob_names: Mapping[str, str], enum_names: Mapping[Enum, str]) -> None:
        self.model = model
        self.places = places
        self.var_names = var_names
        self.knob_names = knob_names
        self.enum_names = enum_names
        self.enum_helpers: set[Enum] = set()  # enumerations whose E_ord/E_val are used

    # -- kinds --------------------------------------------------------------------------
    def kind(self, node: Expr) -> str:
        """What the node's text is in TLA+: a boolean, an integer or an enum's string."""
        if node.sort == BOOL:
            return BOOL_KIND
        if node.op in (Op.VAR, Op.CONST, Op.ITE, Op.MUST) and node.enum is not None:
            return node.enum.name
        return INT_KIND

    def coerce(self, text: str, have: str, want: str, enum: Enum | None) -> str:
        if have == want:
            return text
        if have == BOOL_KIND and want == INT_KIND:
            return f"(IF {text} THEN 1 ELSE 0)"
        if want == INT_KIND and enum is not None:
            self.enum_helpers.add(enum)
            return f"{self.enum_names[enum]}_ord({text})"
        if have == INT_KIND and enum is not None:
            self.enum_helpers.add(enum)
            return f"{self.enum_names[enum]}_val({text})"
        raise ValueError(f"cannot print a {have} as a {want}")

    # -- printing -------------------------------------------------------------------------
    def text(self, root: Expr, want: str | None = None, bound: Mapping[int, str] | None = None,
             ) -> str:
        """The expression as TLA+ (as `want`: a kind; None: its own kind), with the
        nodes in `bound` (node id -> a LET name) printed as their names."""
        return _Render(self, bound or {}).go(root, want)

    def printed_children(self, node: Expr) -> list[Expr]:
        """The sub-expressions the printer prints for `node` (a pattern may skip some)."""
        pattern = self.pattern(node)
        if pattern is not None:
            return pattern[1]
        return [a for a in node.args if isinstance(a, Expr)]

    def pattern(self, node: Expr) -> tuple[Callable[[_Render], str], list[Expr]] | None:
        """A readable form of a MUST read: ``f[k]`` for a map read at a state-dependent
        key, ``s[j + 1]`` for a sequence item read at a constant position. Both fail in
        TLC where the IR's read is undefined."""
        if node.op != Op.MUST:
            return None
        cond, value = node.args[0], node.args[1]
        item = self._item_read(cond, value)
        if item is not None:
            return item
        return self._map_read(cond, value, node.args[3])

    def _item_read(self, cond: Expr, value: Expr
                   ) -> tuple[Callable[[_Render], str], list[Expr]] | None:
        if cond.op != Op.LT or value.op != Op.VAR:
            return None
        position, length = cond.args
        if not position.is_const or length.op != Op.VAR:
            return None
        item, size = self.places[value.args[0]], self.places[length.args[0]]
        if (size.position != -1 or item.entry != size.entry or item.position is None
                or item.position != position.value):
            return None
        text = f"{item.entry}[{item.position + 1}]"
        return (lambda r: text), []

    def _map_read(self, cond: Expr, value: Expr, key: Expr
                  ) -> tuple[Callable[[_Render], str], list[Expr]] | None:
        tests = cond.args if cond.op == Op.OR else (cond,)
        keys: list[Expr] = []
        for test in tests:
            if test.op != Op.EQ or not test.args[1].is_const or test.args[0] is not key:
                return None
            keys.append(test.args[1])
        chain: list[tuple[Expr, Expr]] = []
        node = value
        while node.op == Op.ITE:
            test, then = node.args[0], node.args[1]
            if test.op != Op.EQ or test.args[0] is not key or not test.args[1].is_const:
                return None
            chain.append((test.args[1], then))
            node = node.args[2]
        if node.op != Op.VAR or len(chain) + 1 != len(keys):
            return None
        chain.append((keys[-1], node))
        variable = None
        for constant, entry in chain:
            if entry.op != Op.VAR:
                return None
            place = self.places[entry.args[0]]
            slot = place.slot
            found = self.model.variable(slot.var)
            if place.position is not None or found.index is None:
                return None
            if variable is None:
                variable = found
            elif variable is not found:
                return None
            entry_key = next(k for k, slots in found.slots.items() if slots[0] == entry.args[0])
            if self.constant_text(constant) != tla_key(entry_key):
                return None
        if variable is None or len(chain) != len(variable.keys()):
            return None
        base = self.var_names[variable.name]
        return (lambda r: f"{base}[{r.go(key, None)}]"), [key]

    def constant_text(self, node: Expr) -> str:
        if node.sort == BOOL:
            return "TRUE" if node.value else "FALSE"
        if node.enum is not None:
            return tla_string(node.enum.values[node.value])
        return tla_int(node.value)


class _Render:
    def __init__(self, printer: Printer, bound: Mapping[int, str]) -> None:
        self.p = printer
        self.bound = bound

    def go(self, node: Expr, want: str | None) -> str:
        have = self.p.kind(node)
        if id(node) in self.bound:
            text = self.bound[id(node)]
        else:
            pattern = self.p.pattern(node)
            text = pattern[0](self) if pattern is not None else TLA[node.op](self, node)
        if want is None or want == have:
            return text
        return self.p.coerce(text, have, want, node.enum)

    def int(self, node: Expr) -> str:
        return self.go(node, INT_KIND)

    def bool(self, node: Expr) -> str:
        return self.go(node, BOOL_KIND)

    def same(self, a: Expr, b: Expr) -> tuple[str, str]:
        """Two operands in one kind: their own when they agree, else integers."""
        ka, kb = self.p.kind(a), self.p.kind(b)
        kind = ka if ka == kb else INT_KIND
        return self.go(a, kind), self.go(b, kind)


def _var(r: _Render, node: Expr) -> str:
    place: SlotPlace = r.p.places[node.args[0]]
    if place.position is None:
        return place.entry
    if place.position == -1:
        return f"Len({place.entry})"
    return f"At({place.entry}, {place.position}, {filler(place.slot)})"


def filler(slot: Slot) -> str:
    """The value an item slot holds past the sequence's length."""
    if slot.sort == BOOL:
        return "TRUE" if slot.lo else "FALSE"
    if slot.enum is not None:
        return tla_string(slot.enum.values[slot.lo])
    return tla_int(slot.lo)


def _must(r: _Render, node: Expr) -> str:
    cond, value, what, detail = node.args
    kind = r.p.kind(node)
    parts = str(what).split("{0}")
    message = f" \\o ToString({r.go(detail, None)}) \\o ".join(tla_string(p) for p in parts)
    return f"Read({r.bool(cond)}, {r.go(value, kind)}, {message})"


def _ite(r: _Render, node: Expr) -> str:
    kind = r.p.kind(node)
    c, a, b = node.args
    return f"(IF {r.bool(c)} THEN {r.go(a, kind)} ELSE {r.go(b, kind)})"


def _join(r: _Render, node: Expr, op: str) -> str:
    return "(" + f" {op} ".join(r.bool(a) for a in node.args) + ")"


def _compare(op: str) -> Callable[[_Render, Expr], str]:
    def show(r: _Render, node: Expr) -> str:
        a, b = node.args
        if op == "=":
            x, y = r.same(a, b)
        else:
            x, y = r.int(a), r.int(b)
        return f"({x} {op} {y})"
    return show


def _infix(op: str) -> Callable[[_Render, Expr], str]:
    return lambda r, n: f"({r.int(n.args[0])} {op} {r.int(n.args[1])})"


def _call(name: str) -> Callable[[_Render, Expr], str]:
    return lambda r, n: f"{name}({r.int(n.args[0])}, {r.int(n.args[1])})"


TLA: dict[Op, Callable[[_Render, Expr], str]] = exhaustive({
    Op.CONST: lambda r, n: r.p.constant_text(n),
    Op.VAR: _var,
    Op.KNOB: lambda r, n: r.p.knob_names[n.args[0]],
    Op.NOT: lambda r, n: f"~{r.bool(n.args[0])}",
    Op.AND: lambda r, n: _join(r, n, "/\\"),
    Op.OR: lambda r, n: _join(r, n, "\\/"),
    Op.EQ: _compare("="),
    Op.LT: _compare("<"),
    Op.LE: _compare("<="),
    Op.ADD: _infix("+"),
    Op.SUB: _infix("-"),
    Op.MUL: _infix("*"),
    Op.DIV: _call("Div"),
    Op.MOD: _call("Mod"),
    Op.MIN: _call("Min"),
    Op.MAX: _call("Max"),
    Op.ITE: _ite,
    Op.B2I: lambda r, n: f"(IF {r.bool(n.args[0])} THEN 1 ELSE 0)",
    Op.MUST: _must,
}, "the TLA+ exporter")


def shared_nodes(printer: Printer, roots: Iterable[Expr]) -> list[Expr]:
    """Nodes printed more than once under the roots (not leaves), children first:
    each becomes a LET definition."""
    roots = list(roots)
    # Left to right, as printed: the definitions come out in reading order.
    order = walk(reversed(roots), lambda node: reversed(printer.printed_children(node)))
    uses: dict[int, int] = {}
    for node in [*roots, *(c for n in order for c in printer.printed_children(n))]:
        uses[id(node)] = uses.get(id(node), 0) + 1
    return [n for n in order if uses.get(id(n), 0) > 1 and n.op not in LEAVES
            and not (n.op == Op.NOT and n.args[0].op in LEAVES)]


def size(roots: Iterable[Expr]) -> int:
    return sum(1 for _ in walk(roots))
