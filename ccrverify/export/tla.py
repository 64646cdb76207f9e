"""A model with its knob values as a TLA+ module and a TLC configuration.

The module has the model's own variables (maps as functions over their index,
sequences as TLA+ sequences) with their type invariant ``TypeOK``, ``Init``,
one operator per action instance (guard, then effect, then ``UNCHANGED``),
``Next`` as their disjunction, ``Spec`` (``Init /\\ [][Next]_vars`` and one
``WF_vars``/``SF_vars`` conjunct per fairness group of the model: an action
instance, or all instances of an action together), one operator per invariant
and one per temporal property (``P ~> Q``, ``<>Q``, ``[]<>P``, ``<>[]P``).
Response properties count clock ticks from a trigger under assumptions of their
own (quiet action classes, prompt protocol actions): no plain TLA+ formula says
that, so they are left out, named in a comment and in ``Export.left_out``. The knobs are
``CONSTANTS`` set in the configuration, with an ``ASSUME`` that they have the
exported values: the structure (indexes, capacities, instances) was built for
them, so other values need another export.

TLC on the export finds the same reachable states as ccrverify: a state of the
IR is a vector of slots, and a sequence's items past its length always hold
the filler, so two IR states are equal exactly when their TLA+ values are.
It also fails where ccrverify reports an evaluation error (`tlaexpr`); a
model without ``terminal_states`` checks deadlock (``CHECK_DEADLOCK TRUE``).
The configuration names ``SPECIFICATION Spec`` and the temporal properties
(``PROPERTY``) when the model has fairness or one of them, else ``INIT`` and
``NEXT`` (TLC then skips the liveness machinery). ccrverify's liveness semantics
are TLA+'s (`ccrverify.explicit.liveness`), so the fairness conjuncts say what
its temporal verdicts assume.
Output is deterministic: model order throughout, no dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ccrverify.compile import evaluate
from ccrverify.errors import UsageError
from ccrverify.export.tlaexpr import (
    BOOL_KIND,
    INT_KIND,
    Names,
    Printer,
    SlotPlace,
    filler,
    shared_nodes,
    tla_int,
    tla_key,
    tla_string,
)
from ccrverify.expr import Expr
from ccrverify.intervals import interval
from ccrverify.lang.domain import Bool, Domain, Enum, Index, IntRange, Seq
from ccrverify.model import (
    ActionInstance,
    Fairness,
    Model,
    PropertyKind,
    Variable,
    fairness_groups,
)
from ccrverify.ops import Op

WIDTH = 100  # wrap long lists of definitions near this column

# The operators every export defines (the expression translator uses them).
HELPERS: tuple[str, ...] = (
    "\\* Sequences of at most n items of S.",
    "BSeq(S, n) == {s \\in Seq(S) : Len(s) <= n}",
    "\\* Item j (from 0) of s, or the filler d past its length, as ccrverify reads it.",
    "At(s, j, d) == IF j < Len(s) THEN s[j + 1] ELSE d",
    "\\* A read that is defined only where c holds: elsewhere an error, as in ccrverify.",
    "Read(c, v, m) == IF c THEN v ELSE Assert(FALSE, m)",
    "Div(a, b) == IF b > 0 THEN a \\div b",
    "             ELSE Assert(FALSE, \"division by \" \\o ToString(b) \\o "
    "\" (the divisor must be positive)\")",
    "Mod(a, b) == IF b > 0 THEN a % b",
    "             ELSE Assert(FALSE, \"modulo by \" \\o ToString(b) \\o "
    "\" (the divisor must be positive)\")",
    "\\* A condition as one value: TLC would take each true disjunct of a",
    "\\* disjunction in an action as a transition of its own.",
    "Holds(b) == b = TRUE",
    "Min(a, b) == IF a <= b THEN a ELSE b",
    "Max(a, b) == IF a >= b THEN a ELSE b",
    "\\* An updated value that must stay in its variable's domain.",
    "Checked(x, lo, hi, m) == IF lo <= x /\\ x <= hi THEN x ELSE Assert(FALSE, m)",
)


# The temporal properties as TLA+ formulas of their (trigger and) predicate.
TEMPORAL_FORMS: dict[PropertyKind, str] = {
    PropertyKind.LEADS_TO: "{p} ~> {q}",
    PropertyKind.EVENTUALLY: "<>{q}",
    PropertyKind.ALWAYS_EVENTUALLY: "[]<>{q}",
    PropertyKind.EVENTUALLY_ALWAYS: "<>[]{q}",
}

# Why a response property has no TLA+ counterpart (the module's comment).
RESPONSE_LEFT_OUT = (
    "a response property counts clock ticks from its trigger, with its quiet",
    "action classes not happening and protocol actions prompt: assumptions on",
    "the behaviours of its own, which no plain TLA+ temporal formula over Spec states.",
)


@dataclass(frozen=True)
class Export:
    module_name: str
    module: str  # the .tla text
    config: str  # the .cfg text
    left_out: tuple[str, ...] = ()  # properties with no TLA+ counterpart (response)


@dataclass(frozen=True)
class FairGroup:
    """One fairness constraint: its kind and the action instances it covers (the
    instances sharing a `fair_key`, in model order, as `liveness.Groups.of`)."""

    key: str
    kind: Fairness
    actions: tuple[int, ...]


def fair_groups(model: Model) -> tuple[FairGroup, ...]:
    return tuple(FairGroup(k, kind, tuple(a))
                 for k, (kind, a) in fairness_groups(model.actions).items())


class _Module:
    def __init__(self, model: Model, module_name: str) -> None:
        if model.symbolic_knobs:
            raise UsageError("export needs concrete knobs",
                             hint="give every knob a value (--set)")
        self.model = model
        self.module_name = module_name
        self.names = Names()
        self.names.taken.add(module_name)
        self.knobs = {k: self.names.name("knob", k) for k in model.knobs}
        self.enums: dict[Enum, str] = {}
        self.indexes: dict[str, tuple[str, Index]] = {}
        self.vars = {v.name: self.names.name("var", v.name) for v in model.variables}
        for variable in model.variables:
            if variable.index is not None and variable.index.name not in self.indexes:
                self.indexes[variable.index.name] = (
                    self.names.name("index", variable.index.name), variable.index)
            for enum in _enums_of(variable.domain):
                if enum not in self.enums:
                    self.enums[enum] = self.names.name("enum", enum.name)
        self.places = [SlotPlace("", None, s) for s in model.slots]
        for variable in model.variables:
            for key, slots in variable.slots.items():
                entry = self.vars[variable.name] + (
                    "" if variable.index is None else f"[{tla_key(key)}]")
                if variable.is_seq():
                    self.places[slots[0]] = SlotPlace(entry, -1, model.slots[slots[0]])
                    for j, slot in enumerate(slots[1:]):
                        self.places[slot] = SlotPlace(entry, j, model.slots[slot])
                else:
                    self.places[slots[0]] = SlotPlace(entry, None, model.slots[slots[0]])
        self.printer = Printer(model, self.places, self.vars, self.knobs, self.enums)
        self.actions = [self.names.name("action", a.label) for a in model.actions]
        self.invariants = [p for p in model.properties if p.kind == PropertyKind.INVARIANT]
        self.temporal = [p for p in model.properties if p.kind in TEMPORAL_FORMS]
        self.left_out = [p for p in model.properties if p.kind == PropertyKind.RESPONSE]
        self.props = {p.name: self.names.name("property", p.name)
                      for p in self.invariants + self.temporal}
        self.groups = fair_groups(model)

    # -- pieces ------------------------------------------------------------------------
    def domain(self, domain: Domain) -> str:
        if isinstance(domain, Bool):
            return "BOOLEAN"
        if isinstance(domain, Enum):
            return self.enums[domain]
        if isinstance(domain, IntRange):
            return f"{tla_int(domain.lo)}..{tla_int(domain.max)}"
        return f"BSeq({self.domain(domain.item)}, {domain.capacity})"

    def variable_type(self, variable: Variable) -> str:
        inner = self.domain(variable.domain)
        if variable.index is None:
            return inner
        return f"[{self.indexes[variable.index.name][0]} -> {inner}]"

    def value(self, variable: Variable, slots: tuple[int, ...], values: Sequence[int]) -> str:
        """The TLA+ value of one entry of a variable, from slot values."""
        if variable.is_seq():
            length = values[slots[0]]
            items = [self.scalar(slots[1 + j], values[slots[1 + j]]) for j in range(length)]
            return "<<" + ", ".join(items) + ">>"
        return self.scalar(slots[0], values[slots[0]])

    def scalar(self, slot: int, value: int) -> str:
        meta = self.model.slots[slot]
        if meta.sort == "bool":
            return "TRUE" if value else "FALSE"
        if meta.enum is not None:
            return tla_string(meta.enum.values[value])
        return tla_int(value)

    def slot_kind(self, slot: int) -> str:
        meta = self.model.slots[slot]
        if meta.sort == "bool":
            return BOOL_KIND
        return meta.enum.name if meta.enum is not None else INT_KIND

    # -- the module --------------------------------------------------------------------
    def header(self) -> list[str]:
        m = self.model
        bar = "-" * 4
        lines = [f"{bar} MODULE {self.module_name} {bar}",
                 f"(* {m.name}, exported by ccrverify from {_relative(m.source)} with",
                 "   " + (", ".join(f"{k} = {_knob_text(v)}" for k, v in m.knobs.items())
                          or "no knobs") + ".",
                 "   Check it with TLC: java -cp tla2tools.jar tlc2.TLC -workers 1 "
                 f"{self.module_name} *)",
                 "EXTENDS Integers, Sequences, TLC", ""]
        if self.knobs:
            lines.append("CONSTANTS " + ", ".join(self.knobs.values()))
            lines.append("\\* The model was built for these values: export it again for others.")
            lines.append("ASSUME " + " /\\ ".join(
                f"{name} = {_knob_text(m.knobs[k])}" for k, name in self.knobs.items()))
            lines.append("")
        return lines

    def definitions(self) -> list[str]:
        lines = []
        for name, index in self.indexes.values():
            lines.append(f"{name} == {_index_set(index)}")
        for enum, name in self.enums.items():
            lines.append(f"{name} == {{{', '.join(tla_string(v) for v in enum.values)}}}")
        return lines + [""] + list(HELPERS) + [""]

    def enum_helpers(self) -> list[str]:
        lines = []
        for enum, name in self.enums.items():
            if enum not in self.printer.enum_helpers:
                continue
            cases = " [] ".join(f"v = {tla_string(v)} -> {i}" for i, v in enumerate(enum.values))
            lines.append(f"{name}_ord(v) == CASE {cases}")
            values = ", ".join(tla_string(v) for v in enum.values)
            lines.append(f"{name}_val(i) == <<{values}>>[i + 1]")
        return lines + ([""] if lines else [])

    def variables(self) -> list[str]:
        names = list(self.vars.values())
        lines = _wrapped("VARIABLES ", names)
        lines.append("vars == <<" + ", ".join(names) + ">>")
        lines.append("")
        lines.append("TypeOK ==")
        for variable in self.model.variables:
            lines.append(f"    /\\ {self.vars[variable.name]} \\in {self.variable_type(variable)}")
        lines.append("")
        return lines

    def init(self) -> list[str]:
        lines = ["Init =="]
        groups = {(g.slots[0]): g for g in self.model.init}
        for variable in self.model.variables:
            name = self.vars[variable.name]
            choices: list[tuple[Any, list[str]]] = []
            for key, slots in variable.slots.items():
                group = groups[slots[0]]
                texts = []
                for row in group.alternatives:
                    values = [0] * len(self.model.slots)
                    for slot, e in zip(group.slots, row, strict=True):
                        values[slot] = evaluate(e, [], self.model.knobs)
                    texts.append(self.value(variable, slots, values))
                choices.append((key, list(dict.fromkeys(texts))))
            lines.append(f"    /\\ {name} {self.init_value(variable, choices)}")
        lines.append("")
        return lines

    def init_value(self, variable: Variable, choices: list[tuple[Any, list[str]]]) -> str:
        if variable.index is None:
            options = choices[0][1]
            return f"= {options[0]}" if len(options) == 1 else \
                f"\\in {{{', '.join(options)}}}"
        index = self.indexes[variable.index.name][0]
        if all(len(c[1]) == 1 for c in choices):
            values = {c[1][0] for c in choices}
            if len(values) == 1:
                return f"= [k \\in {index} |-> {values.pop()}]"
            return "= " + _function([(tla_key(k), c[0]) for k, c in choices])
        bound = [(tla_key(k), f"x{n}", c) for n, (k, c) in enumerate(choices, 1)]
        body = _function([(k, x) for k, x, _ in bound])
        ranges = ", ".join(f"{x} \\in {{{', '.join(c)}}}" for _, x, c in bound)
        return f"\\in {{{body} : {ranges}}}"

    def action(self, index: int) -> list[str]:
        action = self.model.actions[index]
        name = self.actions[index]
        lines = []
        where = f" ({_relative(action.location.file)}:{action.location.line})" \
            if action.location else ""
        lines.append(f"\\* {action.label}{where}" + (f": {action.doc}" if action.doc else ""))
        updates = [(s, e) for s, e in action.updates if not (e.op == Op.VAR and e.args[0] == s)]
        effects, unchanged = self.effects(index, action, dict(updates))
        roots = [action.guard] + [e for _, e in updates]
        bound, lets = self.lets(roots)
        body = [self.guard(g, bound) for g in _conjuncts(action.guard) if not g.is_const]
        if action.guard.is_const and not action.guard.value:
            body.append("FALSE")
        body += [f"{var}' = {text}" for var, text in effects(bound)]
        if unchanged:
            body.append("UNCHANGED <<" + ", ".join(unchanged) + ">>")
        body = body or ["TRUE"]
        lines.append(f"{name} ==")
        indent = "    "
        if lets:
            lines.append(f"{indent}LET " + lets[0])
            lines += [f"{indent}    {d}" for d in lets[1:]]
            lines.append(f"{indent}IN  /\\ {body[0]}")
            lines += [f"{indent}    /\\ {b}" for b in body[1:]]
        else:
            lines += [f"{indent}/\\ {b}" for b in body]
        lines.append("")
        return lines

    def guard(self, g: Expr, bound: dict[int, str]) -> str:
        """One conjunct of a guard. TLC takes a disjunction (also inside a conjunction,
        an IF or a definition) in an action as a choice, and makes the successor
        once per true disjunct, which would count one transition several times:
        such a conjunct is wrapped in Holds, which TLC evaluates as one value."""
        text = self.printer.text(g, BOOL_KIND, bound)
        if g.op in (Op.OR, Op.AND, Op.ITE, Op.MUST) or id(g) in bound:
            return f"Holds({text})"
        return text

    def lets(self, roots: Sequence[Expr]) -> tuple[dict[int, str], list[str]]:
        """LET definitions for the nodes printed more than once under the roots."""
        bound: dict[int, str] = {}
        lines = []
        n = 0
        for node in shared_nodes(self.printer, roots):
            n += 1
            while f"t{n}" in self.names.taken:
                n += 1
            name = f"t{n}"
            lines.append(f"{name} == {self.printer.text(node, None, bound)}")
            bound[id(node)] = name
        return bound, lines

    def effects(self, index: int, action: ActionInstance, updates: dict[int, Expr]
                ) -> tuple[Any, list[str]]:
        """The primed assignments (a function of the LET names) and the unchanged
        variables of one action instance."""
        touched = [v for v in self.model.variables
                   if any(s in updates for slots in v.slots.values() for s in slots)]
        unchanged = [self.vars[v.name] for v in self.model.variables if v not in touched]

        def render(bound: dict[int, str]) -> list[tuple[str, str]]:
            out = []
            for variable in touched:
                name = self.vars[variable.name]
                if variable.index is None:
                    out.append((name, self.entry(index, variable, None, updates, bound)))
                    continue
                changes = [f"![{tla_key(k)}] = {self.entry(index, variable, k, updates, bound)}"
                           for k, slots in variable.slots.items()
                           if any(s in updates for s in slots)]
                out.append((name, f"[{name} EXCEPT " + ", ".join(changes) + "]"))
            return out

        return render, unchanged

    def entry(self, index: int, variable: Variable, key: Any, updates: dict[int, Expr],
              bound: dict[int, str]) -> str:
        """The new value of one entry (a scalar, or a whole sequence)."""
        slots = variable.slots[key]
        if not variable.is_seq():
            return self.updated(index, slots[0], updates[slots[0]], bound)
        length = (self.updated(index, slots[0], updates[slots[0]], bound)
                  if slots[0] in updates else f"Len({self.places[slots[0]].entry})")
        items = []
        for j, slot in enumerate(slots[1:]):
            if slot in updates:
                items.append(self.updated(index, slot, updates[slot], bound))
            else:
                items.append(f"At({self.places[slot].entry}, {j}, "
                             f"{filler(self.model.slots[slot])})")
        if not items:
            return "<<>>"
        return f"SubSeq(<<{', '.join(items)}>>, 1, {length})"

    def updated(self, index: int, slot: int, e: Expr, bound: dict[int, str]) -> str:
        """An update's value, checked to stay in the slot's domain where it may not."""
        meta = self.model.slots[slot]
        text = self.printer.text(e, self.slot_kind(slot), bound)
        if meta.sort == "bool" or meta.enum is not None:
            return text
        lo, hi = interval(e, lambda s: (self.model.slots[s].lo, self.model.slots[s].hi), {})
        if meta.lo <= lo and hi <= meta.hi:
            return text
        label = self.model.actions[index].label
        message = tla_string(f"in action {label}: {meta.name} would leave "
                             f"{meta.lo}..{meta.hi}")
        return f"Checked({text}, {tla_int(meta.lo)}, {tla_int(meta.hi)}, {message})"

    def next(self) -> list[str]:
        if not self.actions:
            return ["Next == FALSE", ""]
        lines = ["Next =="]
        lines += [f"    \\/ {name}" for name in self.actions]
        return lines + [""]

    @property
    def temporal_spec(self) -> bool:
        """Whether TLC needs Spec (fairness or a temporal property to check)."""
        return bool(self.groups or self.temporal)

    def spec(self) -> list[str]:
        if not self.groups:
            return ["Spec == Init /\\ [][Next]_vars", ""]
        lines = ["\\* The behaviours ccrverify's temporal properties range over: one fairness",
                 "\\* conjunct per group (an action instance, or an action's instances together).",
                 "Spec ==", "    /\\ Init", "    /\\ [][Next]_vars"]
        for group in self.groups:
            which = "WF" if group.kind == Fairness.WEAK else "SF"
            lines += _wrapped(f"    /\\ {which}_vars(",
                              [self.actions[i] for i in group.actions], " \\/", ")")
        return lines + [""]

    def properties(self) -> list[str]:
        lines = []
        for prop in self.invariants:
            bound, lets = self.lets([prop.predicate])
            text = self.printer.text(prop.predicate, BOOL_KIND, bound)
            doc = f" {prop.description}" if prop.description else ""
            lines.append(f"\\* {prop.name}:{doc}")
            lines += _definition(self.props[prop.name], lets, text, inline=True)
        for prop in self.temporal:
            roots = [prop.predicate] + ([prop.trigger] if prop.trigger is not None else [])
            bound, lets = self.lets(roots)
            q = self.printer.text(prop.predicate, BOOL_KIND, bound)
            p = self.printer.text(prop.trigger, BOOL_KIND, bound) \
                if prop.trigger is not None else ""
            text = TEMPORAL_FORMS[prop.kind].format(p=_parenthesized(p), q=_parenthesized(q))
            doc = f" {prop.description}" if prop.description else ""
            lines.append(f"\\* {prop.name} ({prop.kind.value}, under Spec's fairness):{doc}")
            lines += _definition(self.props[prop.name], lets, text, inline=False)
        if self.left_out:
            lines.append("\\* Not exported: " + ", ".join(
                f"{p.name} ({p.kind.value})" for p in self.left_out) + ";")
            lines += [f"\\* {line}" for line in RESPONSE_LEFT_OUT]
            lines.append("")
        return lines

    def left_out_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.left_out)

    def module(self) -> str:
        body = self.variables() + self.init()
        for i in range(len(self.model.actions)):
            body += self.action(i)
        body += self.next()
        body += self.spec()
        body += self.properties()
        lines = self.header() + self.definitions() + self.enum_helpers() + body
        lines.append("=" * 4)
        return "\n".join(lines) + "\n"

    def config(self) -> str:
        lines = [f"\\* TLC configuration for {self.module_name}, exported by ccrverify."]
        if self.knobs:
            lines.append("CONSTANTS")
            lines += [f"    {name} = {_knob_text(self.model.knobs[k])}"
                      for k, name in self.knobs.items()]
        if self.temporal_spec:
            lines.append("SPECIFICATION Spec")
        else:
            lines += ["INIT Init", "NEXT Next"]
        lines.append("INVARIANT TypeOK")
        lines += [f"INVARIANT {self.props[p.name]}" for p in self.invariants]
        lines += [f"PROPERTY {self.props[p.name]}" for p in self.temporal]
        lines.append(f"CHECK_DEADLOCK {'FALSE' if self.model.terminal_states else 'TRUE'}")
        return "\n".join(lines) + "\n"


def export_tla(model: Model, module_name: str | None = None) -> Export:
    """The TLA+ module and TLC configuration of a built model."""
    from ccrverify.export.tlaexpr import identifier

    name = identifier(module_name or model.name)
    m = _Module(model, name)
    module = m.module()  # first: it records which helpers the expressions use
    return Export(name, module, m.config(), m.left_out_names())


def _enums_of(domain: Domain) -> list[Enum]:
    if isinstance(domain, Enum):
        return [domain]
    if isinstance(domain, Seq) and isinstance(domain.item, Enum):
        return [domain.item]
    return []


def _index_set(index: Index) -> str:
    values = list(index.values)
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values) and \
            values == list(range(values[0], values[0] + len(values))):
        return f"{tla_int(values[0])}..{tla_int(values[-1])}"
    return "{" + ", ".join(tla_key(v) for v in values) + "}"


def _function(pairs: list[tuple[str, str]]) -> str:
    return "(" + " @@ ".join(f"{k} :> {v}" for k, v in pairs) + ")"


def _parenthesized(text: str) -> str:
    """Text in parentheses, unless one pair already encloses all of it."""
    depth = 0
    for n, c in enumerate(text):
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth == 0 and n < len(text) - 1:
            return f"({text})"
    return text if text.startswith("(") else f"({text})"


def _conjuncts(e: Expr) -> tuple[Expr, ...]:
    return e.args if e.op == Op.AND else (e,)


def _knob_text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return tla_int(int(value))


def _relative(path: str) -> str:
    """A spec path that is the same on every machine: from the project's root when
    it lies inside it, else the file's name."""
    from pathlib import Path

    from ccrverify.loader import REPO_ROOT

    p = Path(path).resolve()
    try:
        return str(p.relative_to(REPO_ROOT))
    except ValueError:
        return p.name


def _wrapped(head: str, names: list[str], sep: str = ",", tail: str = "") -> list[str]:
    lines, line = [], head
    for n, name in enumerate(names):
        piece = name + (sep if n < len(names) - 1 else tail)
        if len(line) + len(piece) + 1 > WIDTH and line.strip() != head.strip():
            lines.append(line.rstrip())
            line = " " * len(head)
        line += piece + " "
    lines.append(line.rstrip())
    return lines


def _definition(name: str, lets: list[str], text: str, inline: bool) -> list[str]:
    """``name == text``, with the LET definitions it needs (on one line when there
    are none and `inline`), and a blank line after."""
    if not lets:
        return [f"{name} == {text}", ""] if inline else [f"{name} ==", f"    {text}", ""]
    return [f"{name} ==", "    LET " + lets[0], *(f"        {d}" for d in lets[1:]),
            f"    IN  {text}", ""]
