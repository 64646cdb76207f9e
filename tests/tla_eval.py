"""A small evaluator of the TLA+ that `ccrverify export` writes, for tests where
TLC is not installed: it parses with the tree-sitter grammar of TLA+ (an
independent parser) and evaluates the parse tree, so a module that parses
here and behaves here like the IR is checked without ccrverify's own code.

It knows the fragment the exporter uses: integers, booleans, strings,
functions (``[k \\in S |-> e]``, ``:>``, ``@@``, ``EXCEPT``), sequences
(``<<...>>``, ``Len``, ``SubSeq``), sets of values, ``IF``, ``CASE``, ``LET``,
conjunction and disjunction lists, primed assignments and ``UNCHANGED``, and
operators defined in the module. ``Assert(FALSE, m)`` and a function applied
outside its domain raise `TlaError`, as TLC stops with an error.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class TlaError(Exception):
    """Where TLC would stop with an evaluation error."""


@dataclass(frozen=True)
class Fn:
    """A TLA+ function (a map, or a sequence: domain 1..n)."""

    items: tuple[tuple[Any, Any], ...]

    def get(self, key: Any) -> Any:
        for k, v in self.items:
            if k == key:
                return v
        raise TlaError(f"function applied outside its domain: {key!r}")

    def domain(self) -> list[Any]:
        return [k for k, _ in self.items]


def seq(values: list[Any]) -> Fn:
    return Fn(tuple((i + 1, v) for i, v in enumerate(values)))


def seq_values(f: Fn) -> list[Any]:
    keys = f.domain()
    if keys != list(range(1, len(keys) + 1)):
        raise TlaError("not a sequence")
    return [v for _, v in f.items]


def parser() -> Any:
    import warnings

    import tree_sitter_tlaplus
    from tree_sitter import Language, Parser

    with warnings.catch_warnings():  # the grammar hands its language over as an int
        warnings.simplefilter("ignore", DeprecationWarning)
        return Parser(Language(tree_sitter_tlaplus.language()))


@dataclass(frozen=True)
class FnSet:
    """[S -> T]"""

    domain: Any
    codomain: Any


@dataclass(frozen=True)
class SeqSet:
    """Seq(S)"""

    items: Any


@dataclass(frozen=True)
class Filtered:
    """{x \\in S : P(x)}"""

    base: Any
    name: str
    predicate: Any
    module: Any
    env: Any


def member(value: Any, s: Any) -> bool:
    if isinstance(s, frozenset):
        return value in s
    if isinstance(s, FnSet):
        return (isinstance(value, Fn) and set(value.domain()) == set(s.domain)
                and all(member(v, s.codomain) for _, v in value.items))
    if isinstance(s, SeqSet):
        try:
            return all(member(v, s.items) for v in seq_values(value))
        except TlaError:
            return False
    if isinstance(s, Filtered):
        return member(value, s.base) and Eval(s.module, {**s.env, s.name: value}).truth(
            s.predicate)
    raise TlaError(f"not a set: {s!r}")


def errors(tree: Any) -> list[Any]:
    found = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            found.append(node)
        stack.extend(node.children)
    return found


class Module:
    """The operator definitions of a parsed module."""

    def __init__(self, source: str) -> None:
        self.source = source.encode()
        self.tree = parser().parse(self.source)
        bad = errors(self.tree)
        if bad:
            raise SyntaxError(f"parse error at {bad[0].start_point}")
        module = self.tree.root_node.children[0]
        self.defs: dict[str, tuple[list[str], Any]] = {}
        for node in module.named_children:
            if node.type == "operator_definition":
                name = self.text(node.child_by_field_name("name"))
                params = [self.text(p) for p in node.children_by_field_name("parameter")
                          if p.type == "identifier"]
                self.defs[name] = (params, node.child_by_field_name("definition"))

    def text(self, node: Any) -> str:
        return self.source[node.start_byte:node.end_byte].decode()

    def eval(self, name: str, env: dict[str, Any]) -> Any:
        params, body = self.defs[name]
        assert not params
        return Eval(self, env).go(body)

    def step(self, name: str, state: dict[str, Any]) -> dict[str, Any] | None:
        """The successor of `state` by action `name` (deterministic actions only),
        or None when it is not enabled."""
        params, body = self.defs[name]
        ev = Eval(self, dict(state))
        primed: dict[str, Any] = {}
        if not ev.action(body, primed):
            return None
        missing = set(state) - set(primed)
        if missing:
            raise TlaError(f"successor not completely specified: {sorted(missing)}")
        return primed

    def initial(self, state_names: list[str]) -> list[dict[str, Any]]:
        """Every initial state (Init as a conjunction of `x = e` and `x \\in S`)."""
        _, body = self.defs["Init"]
        choices: list[tuple[str, list[Any]]] = []
        ev = Eval(self, {})
        for part in _conjuncts(self, body):
            lhs, op, rhs = _infix(self, part)
            name = self.text(lhs)
            values = [ev.go(rhs)] if op == "eq" else sorted(ev.go(rhs), key=repr)
            choices.append((name, values))
        assert sorted(n for n, _ in choices) == sorted(state_names)
        return [dict(zip([n for n, _ in choices], combo, strict=True))
                for combo in itertools.product(*[v for _, v in choices])]


def _infix(m: Module, node: Any) -> tuple[Any, str, Any]:
    node = _unparen(node)
    if node.type != "bound_infix_op":
        raise TlaError(f"expected an infix operator: {m.text(node)[:60]}")
    symbol = node.child_by_field_name("symbol").type
    return node.child_by_field_name("lhs"), symbol, node.child_by_field_name("rhs")


def _unparen(node: Any) -> Any:
    while node.type == "parentheses":
        node = node.named_children[0]
    return node


def _conjuncts(m: Module, node: Any) -> list[Any]:
    node = _unparen(node)
    if node.type == "conj_list":
        return [item.named_children[-1] for item in node.named_children
                if item.type == "conj_item"]
    if node.type == "bound_infix_op" and node.child_by_field_name("symbol").type == "land":
        return _conjuncts(m, node.child_by_field_name("lhs")) + _conjuncts(
            m, node.child_by_field_name("rhs"))
    return [node]


class Eval:
    def __init__(self, module: Module, env: dict[str, Any]) -> None:
        self.m = module
        self.env = env  # names -> values, or (params, node, env) for LET definitions

    # -- actions ------------------------------------------------------------------------
    def action(self, node: Any, primed: dict[str, Any]) -> bool:
        node = _unparen(node)
        if node.type == "let_in":
            inner = Eval(self.m, self._let(node))
            return inner.action(node.child_by_field_name("expression"), primed)
        for part in _conjuncts(self.m, node):
            part = _unparen(part)
            if part.type == "bound_prefix_op" and part.child_by_field_name(
                    "symbol").type == "unchanged":
                for name in self._tuple_names(part.child_by_field_name("rhs")):
                    primed[name] = self.env[name]
                continue
            if part.type == "bound_infix_op" and part.child_by_field_name(
                    "symbol").type == "eq":
                lhs = _unparen(part.child_by_field_name("lhs"))
                if lhs.type == "bound_postfix_op":
                    name = self.m.text(lhs.child_by_field_name("lhs"))
                    primed[name] = self.go(part.child_by_field_name("rhs"))
                    continue
            if not self.truth(part):
                return False
        return True

    def _tuple_names(self, node: Any) -> list[str]:
        node = _unparen(node)
        if node.type == "tuple_literal":
            return [self.m.text(c) for c in node.named_children
                    if c.type not in ("langle_bracket", "rangle_bracket")]
        return [self.m.text(node)]

    def _let(self, node: Any) -> dict[str, Any]:
        env = dict(self.env)
        for d in node.children_by_field_name("definitions"):
            name = self.m.text(d.child_by_field_name("name"))
            env[name] = _Lazy(self.m, d.child_by_field_name("definition"), env)
        return env

    # -- expressions ----------------------------------------------------------------------
    def truth(self, node: Any) -> bool:
        value = self.go(node)
        if not isinstance(value, bool):
            raise TlaError(f"not a boolean: {self.m.text(node)[:60]}")
        return value

    def go(self, node: Any) -> Any:
        method: Callable[[Any], Any] | None = getattr(self, "_" + node.type, None)
        if method is None:
            raise NotImplementedError(f"{node.type}: {self.m.text(node)[:80]}")
        return method(node)

    def _parentheses(self, node: Any) -> Any:
        return self.go(node.named_children[0])

    def _nat_number(self, node: Any) -> Any:
        return int(self.m.text(node))

    def _boolean_set(self, node: Any) -> Any:
        return frozenset({False, True})

    def _boolean(self, node: Any) -> Any:
        return self.m.text(node) == "TRUE"

    def _string(self, node: Any) -> Any:
        text = self.m.text(node)[1:-1]
        return text.replace('\\"', '"').replace("\\\\", "\\")

    def _identifier_ref(self, node: Any) -> Any:
        name = self.m.text(node)
        if name in self.env:
            value = self.env[name]
            return value.force() if isinstance(value, _Lazy) else value
        if name == "BOOLEAN":
            return frozenset({False, True})
        params, body = self.m.defs[name]
        return Eval(self.m, self.env).go(body)

    def _let_in(self, node: Any) -> Any:
        return Eval(self.m, self._let(node)).go(node.child_by_field_name("expression"))

    def _if_then_else(self, node: Any) -> Any:
        if self.truth(node.child_by_field_name("if")):
            return self.go(node.child_by_field_name("then"))
        return self.go(node.child_by_field_name("else"))

    def _case(self, node: Any) -> Any:
        for arm in node.named_children:
            if arm.type == "case_arm" and self.truth(arm.named_children[0]):
                return self.go(arm.named_children[-1])
        raise TlaError("no CASE arm applies")

    def _conj_list(self, node: Any) -> Any:
        return all(self.truth(item.named_children[-1]) for item in node.named_children
                   if item.type == "conj_item")

    def _disj_list(self, node: Any) -> Any:
        return any(self.truth(item.named_children[-1]) for item in node.named_children
                   if item.type == "disj_item")

    def _tuple_literal(self, node: Any) -> Any:
        return seq([self.go(c) for c in node.named_children
                    if c.type not in ("langle_bracket", "rangle_bracket")])

    def _finite_set_literal(self, node: Any) -> Any:
        return frozenset(self.go(c) for c in node.named_children)

    def _function_evaluation(self, node: Any) -> Any:
        f, *keys = node.named_children
        fn = self.go(f)
        key = self.go(keys[0]) if len(keys) == 1 else tuple(self.go(k) for k in keys)
        if not isinstance(fn, Fn):
            raise TlaError("not a function")
        return fn.get(key)

    def _function_literal(self, node: Any) -> Any:
        bound = node.named_children[0]
        name = self.m.text(bound.child_by_field_name("intro"))
        domain = self.go(bound.child_by_field_name("set"))
        body = node.named_children[-1]
        return Fn(tuple((k, Eval(self.m, {**self.env, name: k}).go(body))
                        for k in _ordered(domain)))

    def _except(self, node: Any) -> Any:
        fn = self.go(node.child_by_field_name("expr_to_update"))
        items = dict(fn.items)
        for update in node.named_children[1:]:
            spec, new = update.named_children  # (the field names also match "!" and "=")
            key = self.go(spec.named_children[0].named_children[0])
            if key not in items:
                raise TlaError("EXCEPT outside the domain")
            items[key] = self.go(new)
        return Fn(tuple(items.items()))

    def _set_of_functions(self, node: Any) -> Any:
        domain, codomain = [c for c in node.named_children if c.type != "maps_to"]
        return FnSet(self.go(domain), self.go(codomain))

    def _set_filter(self, node: Any) -> Any:
        bound = node.child_by_field_name("generator")
        return Filtered(self.go(bound.child_by_field_name("set")),
                        self.m.text(bound.child_by_field_name("intro")),
                        node.child_by_field_name("filter"), self.m, dict(self.env))

    def _set_map(self, node: Any) -> Any:
        bounds = node.children_by_field_name("generator")
        names = [self.m.text(b.child_by_field_name("intro")) for b in bounds]
        sets = [_ordered(self.go(b.child_by_field_name("set"))) for b in bounds]
        body = node.child_by_field_name("map")
        return frozenset(Eval(self.m, {**self.env, **dict(zip(names, combo, strict=True))})
                         .go(body) for combo in itertools.product(*sets))

    def _bound_prefix_op(self, node: Any) -> Any:
        symbol = node.child_by_field_name("symbol").type
        value = self.go(node.child_by_field_name("rhs"))
        if symbol == "lnot":
            return not value
        if symbol == "negative":
            return -value
        raise NotImplementedError(symbol)

    def _bound_infix_op(self, node: Any) -> Any:
        symbol = node.child_by_field_name("symbol").type
        lhs, rhs = node.child_by_field_name("lhs"), node.child_by_field_name("rhs")
        if symbol == "land":
            return self.truth(lhs) and self.truth(rhs)
        if symbol == "lor":
            return self.truth(lhs) or self.truth(rhs)
        a, b = self.go(lhs), self.go(rhs)
        ops: dict[str, Callable[[Any, Any], Any]] = {
            "eq": lambda x, y: x == y, "neq": lambda x, y: x != y,
            "lt": lambda x, y: x < y, "leq": lambda x, y: x <= y,
            "gt": lambda x, y: x > y, "geq": lambda x, y: x >= y,
            "plus": lambda x, y: x + y, "minus": lambda x, y: x - y,
            "mul": lambda x, y: x * y, "div": lambda x, y: x // y, "mod": lambda x, y: x % y,
            "circ": lambda x, y: x + y, "in": member,
            "dots_2": lambda x, y: frozenset(range(x, y + 1)),
            "map_to": lambda x, y: Fn(((x, y),)),
            "compose": lambda x, y: Fn(x.items + tuple(i for i in y.items
                                                       if i[0] not in x.domain())),
        }
        if symbol not in ops:
            raise NotImplementedError(symbol)
        return ops[symbol](a, b)

    def _bound_op(self, node: Any) -> Any:
        name = self.m.text(node.child_by_field_name("name"))
        args = [a for a in node.children_by_field_name("parameter") if a.is_named]
        builtin = _BUILTINS.get(name)
        if builtin is not None:
            return builtin(self, args)
        params, body = self.m.defs[name]
        env = dict(self.env)
        for p, a in zip(params, args, strict=True):
            env[p] = _Lazy(self.m, a, self.env)  # TLC passes arguments unevaluated
        return Eval(self.m, env).go(body)


class _Lazy:
    """An unevaluated definition or argument, evaluated once on first use."""

    def __init__(self, module: Module, node: Any, env: dict[str, Any]) -> None:
        self.m, self.node, self.env = module, node, env
        self.done = False
        self.value: Any = None

    def force(self) -> Any:
        if not self.done:
            self.value = Eval(self.m, self.env).go(self.node)
            self.done = True
        return self.value


def _ordered(values: Any) -> list[Any]:
    return sorted(values, key=lambda v: (type(v).__name__, v))


def _assert(ev: Eval, args: list[Any]) -> Any:
    if not ev.truth(args[0]):
        raise TlaError(f"Assert: {ev.go(args[1])}")
    return True


def _subseq(ev: Eval, args: list[Any]) -> Any:
    values = seq_values(ev.go(args[0]))
    lo, hi = ev.go(args[1]), ev.go(args[2])
    if lo < 1 or hi > len(values):
        raise TlaError("SubSeq outside the sequence")
    return seq(values[lo - 1:hi])


def _to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


_BUILTINS: dict[str, Callable[[Eval, list[Any]], Any]] = {
    "Len": lambda ev, a: len(seq_values(ev.go(a[0]))),
    "SubSeq": _subseq,
    "Seq": lambda ev, a: SeqSet(ev.go(a[0])),
    "Assert": _assert,
    "ToString": lambda ev, a: _to_string(ev.go(a[0])),
}
