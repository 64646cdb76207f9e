"""Specs: knobs, a model builder, state views, actions and invariants.

A spec module creates one `Spec`, declares its knobs, and registers a builder
``def build(m)`` that declares variables and actions on a `ModelBuilder`.
Building runs that Python once per set of knob values and records everything
as expressions (`ccrverify.model.Model`). Action parameters are concrete
Python values, so plain Python picks links, peers and indices; everything about
the state is an expression. Reads see the state before the action; writes give
the state after it (TLA+'s primes).
"""

from __future__ import annotations

import difflib
import hashlib
import inspect
import itertools
import os
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ccrverify.defined import conjuncts, definedness, simplify
from ccrverify.errors import CcrError, Location, SpecError, UsageError, user_location
from ccrverify.expr import (
    BOOL,
    INT,
    Expr,
    all_of,
    any_of,
    eq,
    has_state,
    ite,
    knob_ref,
    lift,
    must,
    slot_ref,
)
from ccrverify.intervals import interval
from ccrverify.lang.domain import Bool, Domain, Enum, Index, IntRange, Scalar, Seq
from ccrverify.lang.seq import SeqExpr
from ccrverify.model import (
    DEADLOCK,
    FAIR_BY_DEFAULT,
    ActionClass,
    ActionInstance,
    Fairness,
    InitGroup,
    Model,
    Property,
    PropertyKind,
    Slot,
    Variable,
)

# -- knobs ---------------------------------------------------------------------
LARGEST = 2**62  # knob values beyond this would overflow the 64-bit kernels

@dataclass(frozen=True)
class Knob:
    name: str
    default: int | bool
    doc: str = ""
    lo: int | None = None
    hi: int | None = None

    @property
    def is_bool(self) -> bool:
        return isinstance(self.default, bool)

    def describe_range(self) -> str:
        if self.is_bool:
            return "true or false"
        if self.lo is not None and self.hi is not None:
            return f"{self.lo}..{self.hi}"
        if self.lo is not None:
            return f">= {self.lo}"
        if self.hi is not None:
            return f"<= {self.hi}"
        return "any integer"

    def parse(self, text: str) -> int | bool:
        """A value given as text on the command line."""
        word = text.strip().lower()
        if self.is_bool:
            if word in ("true", "yes", "on", "1"):
                return True
            if word in ("false", "no", "off", "0"):
                return False
            raise UsageError(f"knob {self.name}: {text!r} is not a boolean",
                             hint="use true or false")
        try:
            return int(word)
        except ValueError:
            raise UsageError(f"knob {self.name}: {text!r} is not an integer",
                             hint=f"use a value in {self.describe_range()}") from None

    def check(self, value: Any) -> int | bool:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= LARGEST:
            raise UsageError(f"knob {self.name} = {value} is too large",
                             hint=f"knob values must stay below 2**62; allowed: "
                             f"{self.describe_range()}")
        if self.is_bool:
            if not isinstance(value, bool):
                raise UsageError(f"knob {self.name} = {value!r} is not a boolean",
                                 hint="use true or false")
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise UsageError(f"knob {self.name} = {value!r} is not an integer",
                             hint=f"use a value in {self.describe_range()}")
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            raise UsageError(f"knob {self.name} = {value} is out of range",
                             hint=f"allowed: {self.describe_range()}")
        return value


class KnobValues:
    """The knobs as the builder sees them: concrete values, or `Expr` when symbolic."""

    def __init__(self, values: Mapping[str, Any], symbolic: Mapping[str, tuple[int, int]]):
        self._values = dict(values)
        self._symbolic = dict(symbolic)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._symbolic:
            return knob_ref(name)
        if name in self._values:
            return self._values[name]
        raise SpecError(f"unknown knob {name!r}", user_location(),
                        _did_you_mean(name, list(self._values)))


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else "known: " + ", ".join(sorted(known))


# -- invariants ------------------------------------------------------------------
@dataclass(frozen=True)
class Invariant:
    """A declared property: its function gives a condition of the state, or for
    leads-to and response a pair (trigger, predicate)."""

    name: str
    description: str
    predicate: Callable[[StateView], Any]
    location: Location | None
    kind: PropertyKind = PropertyKind.INVARIANT
    quiet: tuple[ActionClass, ...] = ()
    within: int | None = None


DEFAULT_QUIET = (ActionClass.FAULT, ActionClass.REPAIR, ActionClass.WORKLOAD,
                 ActionClass.ADMINISTRATOR)
PAIRED = (PropertyKind.LEADS_TO, PropertyKind.RESPONSE)


class PropertySet:
    """Named properties, declared in a spec or in properties/<model>.py.

    ``@props.invariant("Name")`` on ``def f(s): return <condition>``; the temporal
    kinds hold over fair behaviours (see `ModelBuilder.action` for fairness):
    ``leads_to`` (f returns ``(P, Q)``: P ~> Q), ``eventually`` (<>Q),
    ``always_eventually`` ([]<>P), ``eventually_always`` (<>[]P), and ``response``
    (f returns ``(trigger, response)``): how many clock ticks the response takes
    from a trigger state while the `quiet` classes stay quiet and protocol
    actions are prompt; with `within` a bound to check, else the worst case is
    measured (and "never" is a violation)."""

    def __init__(self, model: str = "") -> None:
        self.model_name = model
        self.invariants: list[Invariant] = []

    def invariant(self, name: str, description: str = "") -> Callable[[Callable[..., Any]], Any]:
        return self._declare(name, description, PropertyKind.INVARIANT)

    def leads_to(self, name: str, description: str = "") -> Callable[[Callable[..., Any]], Any]:
        return self._declare(name, description, PropertyKind.LEADS_TO)

    def eventually(self, name: str, description: str = "") -> Callable[[Callable[..., Any]], Any]:
        return self._declare(name, description, PropertyKind.EVENTUALLY)

    def always_eventually(self, name: str, description: str = ""
                          ) -> Callable[[Callable[..., Any]], Any]:
        return self._declare(name, description, PropertyKind.ALWAYS_EVENTUALLY)

    def eventually_always(self, name: str, description: str = ""
                          ) -> Callable[[Callable[..., Any]], Any]:
        return self._declare(name, description, PropertyKind.EVENTUALLY_ALWAYS)

    def response(self, name: str, description: str = "", within: int | None = None,
                 quiet: Iterable[str] = DEFAULT_QUIET) -> Callable[[Callable[..., Any]], Any]:
        loc = user_location()
        classes = []
        for c in quiet:
            if c not in ActionClass.__members__.values():
                raise SpecError(f"response {name}: {c!r} is not an action class", loc,
                                "one of " + ", ".join(ActionClass))
            classes.append(ActionClass(c))
        if within is not None and (isinstance(within, bool) or not isinstance(within, int)
                                   or within < 0):
            raise SpecError(f"response {name}: within={within!r} is not a number of ticks",
                            loc, "give a bound >= 0, or none to measure the worst case")
        return self._declare(name, description, PropertyKind.RESPONSE, tuple(classes), within)

    def _declare(self, name: str, description: str, kind: PropertyKind,
                 quiet: tuple[ActionClass, ...] = (), within: int | None = None
                 ) -> Callable[[Callable[..., Any]], Any]:
        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            if any(i.name == name for i in self.invariants):
                raise SpecError(f"property {name} is declared twice", _def_location(fn))
            doc = description or (fn.__doc__ or "").strip().split("\n")[0]
            self.invariants.append(Invariant(name, doc, fn, _def_location(fn), kind, quiet,
                                             within))
            return fn

        return register


def _def_location(fn: Callable[..., Any]) -> Location:
    code = fn.__code__
    return Location(os.path.abspath(code.co_filename), code.co_firstlineno)


# -- the spec ------------------------------------------------------------------------
class Spec(PropertySet):
    """A model: its knobs, its builder and its inline invariants."""

    def __init__(self, name: str, doc: str = "", terminal_states: bool = False,
                 clock: str = "", lane_index: str = "", shared_lane: str = "",
                 faults: Sequence[str] = ()) -> None:
        super().__init__(name)
        self.name = name
        self.doc = doc
        self.terminal_states = terminal_states
        self.clock = clock  # the action whose steps the trace table counts as time
        # Hints for timeline pictures (see Model): lanes and fault actions.
        self.lane_index = lane_index
        self.shared_lane = shared_lane
        self.faults = tuple(faults)
        self.knobs: dict[str, Knob] = {}
        self._builder: Callable[[ModelBuilder], None] | None = None
        self.source_file = ""

    def knob(self, name: str, default: int | bool, doc: str = "",
             lo: int | None = None, hi: int | None = None) -> None:
        loc = user_location()
        if name in self.knobs:
            raise SpecError(f"knob {name} is declared twice", loc)
        if not name.isidentifier():
            raise SpecError(f"knob name {name!r} is not an identifier", loc,
                            "knobs are read as m.k.NAME")
        if not isinstance(default, bool | int):
            raise SpecError(f"knob {name}: the default {default!r} is not an integer or a "
                            "boolean", loc, "knobs are integers or booleans")
        for bound, value in (("lo", lo), ("hi", hi)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise SpecError(f"knob {name}: {bound}={value!r} is not an integer", loc)
        if isinstance(default, bool) and (lo is not None or hi is not None):
            raise SpecError(f"knob {name} is a boolean; it takes no lo or hi", loc)
        knob = Knob(name, default, doc, lo, hi)
        if not isinstance(default, bool) and (
                (lo is not None and default < lo) or (hi is not None and default > hi)):
            raise SpecError(f"knob {name}: the default {default} is outside its own range "
                            f"{knob.describe_range()}", loc, "change the default or the range")
        self.knobs[name] = knob

    def model(self, fn: Callable[[ModelBuilder], None]) -> Callable[[ModelBuilder], None]:
        """Register the builder: ``@spec.model`` on ``def build(m): ...``."""
        self._builder = fn
        self.source_file = os.path.abspath(fn.__code__.co_filename)
        return fn

    def knob_values(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Defaults with overrides applied, each checked against its range."""
        values = {name: k.default for name, k in self.knobs.items()}
        for name, value in (overrides or {}).items():
            if name not in self.knobs:
                raise UsageError(f"unknown knob {name!r} for model {self.name}",
                                 hint=_did_you_mean(name, self.knobs))
            values[name] = self.knobs[name].check(value)
        return values

    def build(
        self,
        knobs: Mapping[str, Any] | None = None,
        properties: Sequence[PropertySet] = (),
        symbolic: Mapping[str, tuple[int, int]] | None = None,
    ) -> Model:
        if self._builder is None:
            raise SpecError(f"spec {self.name} has no builder",
                            hint="decorate the build function with @spec.model")
        values = self.knob_values(knobs)
        symbolic = dict(symbolic or {})
        for name, (lo, hi) in symbolic.items():
            self.knob_values({name: lo})
            self.knob_values({name: hi})
        builder = ModelBuilder(self, values, symbolic)
        _run_user_code(lambda: self._builder(builder), "building the model")  # type: ignore[misc]
        invariants = list(self.invariants)
        for pset in properties:
            invariants.extend(pset.invariants)
        props = tuple(builder.make_property(inv) for inv in invariants)
        names = [p.name for p in props]
        for name in names:
            if names.count(name) > 1:
                raise SpecError(f"property {name} is declared twice")
        if DEADLOCK in names:
            where = next(inv.location for inv in invariants if inv.name == DEADLOCK)
            raise SpecError(f"the property name {DEADLOCK} is reserved", where,
                            "every model checks deadlock freedom under that name; rename it")
        if not self.terminal_states:
            props += (deadlock_freedom(builder.actions),)
        return Model(
            name=self.name,
            knobs=values,
            slots=tuple(builder.slots),
            variables=tuple(builder.variables.values()),
            init=tuple(builder.init_groups),
            actions=tuple(builder.actions),
            properties=props,
            terminal_states=self.terminal_states,
            clock=self.clock,
            lane_index=self.lane_index,
            shared_lane=self.shared_lane,
            faults=self.faults,
            source=self.source_file,
            source_hash=_hash_sources([self.source_file] + [
                i.location.file for i in invariants if i.location]),
            symbolic_knobs=symbolic,
        )


def _hash_sources(files: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for path in sorted(set(files)):
        try:
            with open(path, "rb") as fh:
                digest.update(fh.read())
        except OSError:
            digest.update(path.encode())
    return digest.hexdigest()[:16]


def _run_user_code(fn: Callable[[], Any], what: str, context: str = "") -> Any:
    """Run spec code, turning any Python error in it into a located SpecError."""
    try:
        return fn()
    except SpecError as err:
        if context and not err.message.startswith("in "):
            err.message = f"{context}: {err.message}"
        raise
    except CcrError:
        raise
    except SystemExit as exc:
        raise SpecError(f"the spec called sys.exit({exc.code!r})", _innermost_user_frame(exc),
                        f"while {what}: a spec must not exit") from None
    except RecursionError as exc:
        raise SpecError(f"{context + ': ' if context else ''}the expression is nested too "
                        "deeply", _innermost_user_frame(exc),
                        "build long folds with all_of/any_of over a list") from None
    except Exception as exc:  # a bug in the spec's own Python, unless it is in ours
        if _raised_in_package(exc):
            raise
        location = _innermost_user_frame(exc)
        prefix = f"{context}: " if context else ""
        raise SpecError(f"{prefix}{type(exc).__name__}: {exc}", location,
                        f"while {what}") from exc


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _raised_in_package(exc: BaseException) -> bool:
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and os.path.abspath(frames[-1].filename).startswith(_PACKAGE)


def _innermost_user_frame(exc: BaseException) -> Location | None:
    package = _PACKAGE
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        path = os.path.abspath(frame.filename)
        if not path.startswith(package) and not frame.filename.startswith("<"):
            found = Location(path, frame.lineno or 0)
    return found


# -- initial values ----------------------------------------------------------------------
@dataclass(frozen=True)
class OneOf:
    """An initial value chosen among several: every choice is an initial state."""

    values: tuple[Any, ...]

    def __init__(self, values: Iterable[Any]):
        object.__setattr__(self, "values", tuple(values))


class _Any:
    def __repr__(self) -> str:
        return "ANY"


ANY = _Any()  # every value of the domain is an initial value


# -- the builder ------------------------------------------------------------------------------
class ModelBuilder:
    """What a spec's build function receives as ``m``."""

    def __init__(self, spec: Spec, knobs: Mapping[str, Any],
                 symbolic: Mapping[str, tuple[int, int]]) -> None:
        self.spec = spec
        self.k = KnobValues(knobs, symbolic)
        self.knob_bounds = dict(symbolic)
        self.slots: list[Slot] = []
        self.variables: dict[str, Variable] = {}
        self.init_groups: list[InitGroup] = []
        self.actions: list[ActionInstance] = []
        self._labels: set[str] = set()

    # -- declarations --------------------------------------------------------
    def index(self, name: str, values: Sequence[Any], symmetric: bool = False) -> Index:
        """An index; `symmetric` when renaming its values changes nothing (the
        explicit engine then stores one state per orbit, after checking it)."""
        return Index(name, values, symmetric)

    def var(self, name: str, domain: Domain, over: Index | None = None, init: Any = None,
            doc: str = "") -> None:
        """Declare a state variable (a map when `over` is an index)."""
        loc = user_location()
        if name in self.variables or name.startswith("_") or name in ("k", "require"):
            raise SpecError(f"variable name {name!r} is taken or reserved", loc)
        domain = self._sized(domain)
        keys: tuple[Any, ...] = over.values if over is not None else (None,)
        slots: dict[Any, tuple[int, ...]] = {}
        for key in keys:
            base = name if key is None else f"{name}[{key}]"
            slots[key] = self._allocate(base, name, domain)
        variable = Variable(name, domain, over, slots, loc)
        self.variables[name] = variable
        if init is None:
            raise SpecError(f"variable {name} has no initial value", loc, "pass init=...")
        if isinstance(init, dict):
            missing = [k for k in keys if k not in init]
            extra = [k for k in init if k not in keys]
            if missing or extra:
                problem = (f"has no value for {', '.join(map(repr, missing))}" if missing else
                           f"names {', '.join(map(repr, extra))}, not "
                           + ("a key of its index" if over is not None else "a map key"))
                raise SpecError(f"the initial value of {name} {problem}", loc,
                                "give one value per key: " + ", ".join(map(repr, keys))
                                if over is not None else "a plain variable takes one value")
        for key in keys:
            value = init[key] if isinstance(init, dict) else init
            self.init_groups.append(self._init_group(variable, key, value, loc))

    def _sized(self, domain: Domain) -> Domain:
        """Give a symbolic range bound its largest value (from the knob's range)."""
        if isinstance(domain, IntRange) and isinstance(domain.hi, Expr):
            _, hi = interval(domain.hi, lambda s: (0, 0), self.knob_bounds)
            return IntRange(domain.lo, domain.hi, hi)
        if isinstance(domain, Seq) and isinstance(domain.item, IntRange):
            return Seq(self._sized(domain.item), domain.capacity)  # type: ignore[arg-type]
        return domain

    def _allocate(self, base: str, var: str, domain: Domain) -> tuple[int, ...]:
        if isinstance(domain, Seq):
            first = self._slot(f"{base}.len", var, IntRange(0, domain.capacity))
            rest = [self._slot(f"{base}[{i}]", var, domain.item) for i in range(domain.capacity)]
            return (first, *rest)
        return (self._slot(base, var, domain),)

    def _slot(self, name: str, var: str, domain: Scalar) -> int:
        hi_expr = None
        if isinstance(domain, IntRange):
            hi = domain.max
            hi_expr = domain.hi if isinstance(domain.hi, Expr) else None
        else:
            hi = domain.hi
        enum = domain if isinstance(domain, Enum) else None
        self.slots.append(Slot(name, var, domain.lo, hi, domain.sort, enum, hi_expr))
        return len(self.slots) - 1

    def _init_group(self, variable: Variable, key: Any, value: Any, loc: Location | None
                    ) -> InitGroup:
        slots = variable.slots[key]
        if isinstance(value, OneOf):
            choices = list(value.values)
        elif value is ANY:
            if isinstance(variable.domain, Seq):
                raise SpecError(f"ANY cannot be the initial value of sequence {variable.name}",
                                loc, "list the initial sequences with OneOf([...])")
            choices = _all_values(variable.domain)
        else:
            choices = [value]
        where = variable.name if key is None else f"{variable.name}[{key}]"
        if not choices:
            raise SpecError(f"the initial value of {where} is OneOf() with no value: the model "
                            "would have no initial state", loc, "give OneOf at least one value")
        rows = tuple(self._init_row(variable, slots, c, loc) for c in choices)
        return InitGroup(slots, rows)

    def _init_row(self, variable: Variable, slots: tuple[int, ...], value: Any,
                  loc: Location | None) -> tuple[Expr, ...]:
        domain = variable.domain
        try:
            if isinstance(domain, Seq):
                seq = value if isinstance(value, SeqExpr) else SeqExpr.of(
                    list(value), domain.item, domain.capacity)
                fitted, fits = seq.fit(domain.capacity)
                if fits.is_const and not fits.value:
                    raise SpecError(f"{len(value)} items exceed capacity {domain.capacity}")
                return (fitted.length, *fitted.items)
            return (self._scalar_value(self.slots[slots[0]], value),)
        except SpecError as err:
            raise SpecError(f"initial value of {variable.name}: {err.message}", loc,
                            err.hint) from None

    def _scalar_value(self, slot: Slot, value: Any) -> Expr:
        """A value for a slot, checked against its domain when it is a constant."""
        e = lift(value, slot_ref(0, slot.sort, slot.enum)) if isinstance(value, str) else lift(
            value)
        if slot.sort == BOOL and e.sort != BOOL:
            raise SpecError(f"{slot.name} is a boolean; got an integer expression")
        if slot.sort == INT and e.sort == BOOL:
            raise SpecError(f"{slot.name} is an integer; got a condition")
        if slot.enum is not None and e.enum is not None and e.enum != slot.enum:
            raise SpecError(f"{slot.name} is a {slot.enum.name}; got a {e.enum.name}")
        if slot.enum is not None and e.is_const and e.enum is None:
            raise SpecError(f"{slot.name} is a {slot.enum.name}; give one of its names",
                            hint=", ".join(slot.enum.values))
        if e.is_const and not slot.lo <= e.value <= slot.hi:
            raise SpecError(f"value {e.value} is outside the domain of {slot.name} "
                            f"({slot.lo}..{slot.hi})")
        return e

    # -- actions -----------------------------------------------------------------------------
    def action(self, name: str | None = None, cls: str | None = None, fair: str | None = "",
               fair_each: bool = True, **params: Iterable[Any]
               ) -> Callable[[Callable[..., None]], Callable[..., None]]:
        """Declare an action, one instance per combination of parameter values.

        `cls` is its class (clock, fault, repair, workload, administrator,
        protocol; by default the spec's clock, one of its faults, or protocol).
        `fair` is "weak", "strong" or None; by default clock, protocol and repair
        actions are weakly fair. With `fair_each` every instance has its own
        fairness (Replicate(A), Replicate(B)); without, one constraint covers all
        instances together (TLA+'s WF_vars(A1 \\/ A2))."""

        call_site = user_location()
        where = call_site

        def register(fn: Callable[..., None]) -> Callable[..., None]:
            action_name = name or _camel(fn.__name__)
            loc = _def_location(fn)
            _check_parameters(fn, list(params), loc)
            action_cls = self._action_class(action_name, cls, where or loc)
            fairness = _fairness(action_name, action_cls, fair, where or loc)
            names = list(params)
            values = [_parameter_values(action_name, p, v, call_site or loc)
                      for p, v in params.items()]
            for combo in itertools.product(*values):
                self._instantiate(action_name, fn, dict(zip(names, combo, strict=True)), loc,
                                  action_cls, fairness, fair_each)
            return fn

        return register

    def _action_class(self, action: str, cls: str | None, loc: Location) -> ActionClass:
        if cls is None:
            if action == self.spec.clock:
                return ActionClass.CLOCK
            return ActionClass.FAULT if action in self.spec.faults else ActionClass.PROTOCOL
        if cls not in ActionClass.__members__.values():
            raise SpecError(f"action {action}: cls={cls!r} is not an action class", loc,
                            "one of " + ", ".join(ActionClass))
        return ActionClass(cls)

    def _instantiate(self, name: str, fn: Callable[..., None], args: dict[str, Any],
                     loc: Location, cls: ActionClass = ActionClass.PROTOCOL,
                     fairness: Fairness | None = None, fair_each: bool = True) -> None:
        instance_params = tuple(args.values())
        label = ActionInstance(name, instance_params, lift(True), ()).label
        if label in self._labels:
            raise SpecError(f"action {label} is declared twice", loc)
        self._labels.add(label)
        ctx = ActionContext(self, label)
        _run_user_code(lambda: fn(ctx, **args), f"building action {label}", f"in action {label}")
        guard = all_of(ctx._guards)
        updates = tuple(sorted(ctx._updates.items()))
        self.actions.append(ActionInstance(
            name, instance_params, guard, updates, loc, _instance_doc(fn, args),
            tuple(sorted(ctx._update_locations.items())),
            _condition(simplify(definedness(guard), (), self._slot_bounds)),
            _condition(simplify(all_of(definedness(e) for _, e in updates), conjuncts(guard),
                                self._slot_bounds)),
            cls, fairness, label if fair_each else name))

    def _slot_bounds(self, slot: int) -> tuple[int, int]:
        return self.slots[slot].lo, self.slots[slot].hi

    def make_property(self, inv: Invariant) -> Property:
        view = StateView(self, None)
        result = _run_user_code(lambda: inv.predicate(view), f"building property {inv.name}",
                                f"in property {inv.name}")
        if inv.kind in PAIRED:
            if not (isinstance(result, tuple) and len(result) == 2):
                raise SpecError(f"property {inv.name} must return a pair (trigger, "
                                f"{'response' if inv.kind == PropertyKind.RESPONSE else 'goal'}"
                                f"), got {type(result).__name__}", inv.location,
                                "return (P, Q): whenever P holds, Q must follow")
            trigger = self._condition_of(inv, result[0], "its trigger")
            goal = self._condition_of(inv, result[1], "its second condition")
        else:
            trigger, goal = None, self._condition_of(inv, result, "it")
        defined = definedness(goal) if trigger is None else all_of(
            [definedness(trigger), definedness(goal)])
        return Property(inv.name, inv.description, goal, inv.location,
                        _condition(simplify(defined, (), self._slot_bounds)), inv.kind, trigger,
                        inv.quiet, inv.within)

    def _condition_of(self, inv: Invariant, result: Any, what: str) -> Expr:
        e = lift(result) if isinstance(result, bool | Expr) else None
        if e is None or e.sort != BOOL:
            got = ("an integer expression" if isinstance(result, Expr) else
                   "a sequence" if isinstance(result, SeqExpr) else
                   f"{type(result).__name__} {result!r}")
            raise SpecError(f"property {inv.name} must return a condition, got {got}",
                            inv.location, "compare it, e.g. s.x > 0, or combine conditions "
                            "with &, |, ~")
        if not has_state(e) and (what != "its trigger" or not e.is_const):
            # A constant checks nothing: surely a mistake (a constant trigger, e.g. always
            # true for "from every state", is fine).
            raise SpecError(f"property {inv.name} names no state variable "
                            f"({what} is always {'true' if e.is_const and e.value else 'false'}"
                            f"{'' if e.is_const else ' or depends on knobs only'})",
                            inv.location, "compare state variables, e.g. s.role['A'] == 'active'")
        return e


def deadlock_freedom(actions: Sequence[ActionInstance]) -> Property:
    """Deadlock freedom as a property: some action's guard holds in every reachable
    state. Symbolic engines decide it as this invariant; explicit ones notice a
    state without successors while expanding it."""
    return Property(DEADLOCK, "Some action is enabled in every reachable state.",
                    any_of(a.guard for a in actions), None, None, PropertyKind.DEADLOCK_FREE)


def _condition(e: Expr) -> Expr | None:
    """None for a condition that always holds (engines then skip it)."""
    return None if e.is_const and e.value else e


def _fairness(action: str, cls: ActionClass, fair: str | None, loc: Location
              ) -> Fairness | None:
    if fair == "":
        return Fairness.WEAK if cls in FAIR_BY_DEFAULT else None
    if fair is None:
        return None
    if fair not in Fairness.__members__.values():
        raise SpecError(f"action {action}: fair={fair!r} is not a fairness", loc,
                        "weak, strong or None")
    return Fairness(fair)


def _check_parameters(fn: Callable[..., Any], declared: list[str], loc: Location) -> None:
    """The function must take the state, then exactly the declared parameters."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    kinds = [p.kind for p in signature.parameters.values()]
    if inspect.Parameter.VAR_KEYWORD in kinds:
        return
    names = list(signature.parameters)
    if not names:
        raise SpecError(f"action function {fn.__name__} takes no state argument", loc,
                        f"write def {fn.__name__}(s{''.join(', ' + d for d in declared)}): ...")
    taken = names[1:]
    if sorted(taken) != sorted(declared):
        shown = ", ".join(declared) or "none"
        raise SpecError(f"action {fn.__name__} is declared with parameters ({shown}) but its "
                        f"function takes ({', '.join(names)})", loc,
                        f"make them match: def {fn.__name__}(s"
                        f"{''.join(', ' + d for d in declared)}) for "
                        f"@m.action({', '.join(f'{d}=...' for d in declared)})")


def _parameter_values(action: str, param: str, values: Any, loc: Location) -> list[Any]:
    if isinstance(values, str | bytes | Expr) or not hasattr(values, "__iter__"):
        raise SpecError(f"action {action}: parameter {param}={values!r} is not a collection "
                        "of values", loc, f"give the values it ranges over, e.g. {param}=nodes "
                        f"(an index) or {param}=[1, 2]")
    return list(values)


def _instance_doc(fn: Callable[..., None], args: dict[str, Any]) -> str:
    """The docstring's first line, with {param} placeholders filled in."""
    first = (fn.__doc__ or "").strip().split("\n")[0]
    try:
        return first.format(**args)
    except (KeyError, IndexError, ValueError):
        return first


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


def _all_values(domain: Domain) -> list[Any]:
    if isinstance(domain, Bool):
        return [False, True]
    if isinstance(domain, Enum):
        return list(domain.values)
    if isinstance(domain, IntRange):
        return list(range(domain.lo, domain.max + 1))
    raise SpecError("ANY is only for scalar variables")


# -- state views ---------------------------------------------------------------------------------
class StateView:
    """``s`` in actions and properties: reads give expressions of the current state;
    in an action, assignments give the next state."""

    _builder: ModelBuilder

    def __init__(self, builder: ModelBuilder, action: ActionContext | None) -> None:
        object.__setattr__(self, "_builder", builder)
        object.__setattr__(self, "_action", action)

    @property
    def k(self) -> KnobValues:
        return self._builder.k

    def __getattr__(self, name: str) -> Any:
        variable = self._lookup(name)
        if variable.index is not None:
            return MapView(self, variable)
        return self._read(variable, None)

    def __setattr__(self, name: str, value: Any) -> None:
        variable = self._lookup(name)
        if variable.index is not None:
            raise SpecError(f"{name} is a map; assign one entry, e.g. s.{name}[key] = ...",
                            user_location())
        self._write(variable, None, value)

    def _lookup(self, name: str) -> Variable:
        variables: dict[str, Variable] = self._builder.variables
        if name not in variables:
            raise SpecError(f"unknown variable {name!r}", user_location(),
                            _did_you_mean(name, variables))
        return variables[name]

    def _read(self, variable: Variable, key: Any) -> Expr | SeqExpr:
        slots = variable.slots[key]
        table = self._builder.slots
        refs = [slot_ref(i, table[i].sort, table[i].enum) for i in slots]
        if isinstance(variable.domain, Seq):
            name = variable.name if key is None else f"{variable.name}[{key}]"
            return SeqExpr(refs[0], tuple(refs[1:]), variable.domain.item, name)
        return refs[0]

    def _write(self, variable: Variable, key: Any, value: Any) -> None:
        if self._action is None:
            raise SpecError("a property cannot assign state", user_location())
        self._action.assign(variable, key, value)


class MapView:
    """``s.role`` for a map variable: ``s.role[n]`` reads or assigns one entry."""

    def __init__(self, view: StateView, variable: Variable) -> None:
        self._view = view
        self._variable = variable

    def _key(self, key: Any) -> Any:
        if key not in self._variable.slots:
            raise SpecError(f"{key!r} is not an index of {self._variable.name}", user_location(),
                            "keys: " + ", ".join(map(str, self._variable.keys())))
        return key

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, Expr):
            return self._select(key)
        return self._view._read(self._variable, self._key(key))

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, Expr):
            raise SpecError(f"{self._variable.name}[...] is assigned at a state-dependent key",
                            user_location(), "assign each key under ite(...) instead")
        self._view._write(self._variable, self._key(key), value)

    def _select(self, key: Expr) -> Expr:
        """The entry at a state-dependent key, as an if-then-else over the keys;
        reading at a key outside the index is an error in the model."""
        if isinstance(self._variable.domain, Seq):
            raise SpecError("a sequence map needs a concrete key", user_location())
        variable = self._variable
        keys = variable.keys()
        index = variable.index
        assert index is not None
        entries = [self._view._read(variable, k) for k in keys]
        matches = [eq(key, k) for k in keys]
        result = entries[-1]
        for match, entry in zip(reversed(matches[:-1]), reversed(entries[:-1]), strict=True):
            result = ite(match, entry, result)  # type: ignore[arg-type]
        return must(any_of(matches), result,  # type: ignore[arg-type]
                    f"{variable.name}[{{0}}] is read, but {{0}} is not a key of {index.name} "
                    f"({', '.join(map(str, keys))})", key)

    def items(self) -> list[tuple[Any, Any]]:
        return [(k, self[k]) for k in self._variable.keys()]


class ActionContext(StateView):
    """``s`` inside an action: also collects the guard and the updates."""

    _guards: list[Expr]
    _updates: dict[int, Expr]
    _update_locations: dict[int, Location]

    def __init__(self, builder: ModelBuilder, label: str) -> None:
        StateView.__init__(self, builder, self)
        object.__setattr__(self, "_label", label)
        object.__setattr__(self, "_guards", [])
        object.__setattr__(self, "_updates", {})
        object.__setattr__(self, "_update_locations", {})

    def require(self, condition: Any) -> None:
        """Enable the action only when the condition holds (several are conjoined)."""
        e = lift(condition)
        if e.sort != BOOL:
            raise SpecError("require() needs a condition", user_location())
        self._guards.append(e)

    def assign(self, variable: Variable, key: Any, value: Any) -> None:
        slots = variable.slots[key]
        where = variable.name if key is None else f"{variable.name}[{key}]"
        if slots[0] in self._updates:
            raise SpecError(f"{where} is assigned twice", user_location(),
                            "compute the final value first, then assign once")
        domain = variable.domain
        if isinstance(domain, Seq):
            seq = value if isinstance(value, SeqExpr) else self._seq_literal(value, domain, where)
            if seq.item != domain.item and seq.item.sort != domain.item.sort:
                raise SpecError(f"{where} holds {domain.item.describe()}", user_location())
            fitted, _ = seq.fit(domain.capacity)
            values = (fitted.length, *fitted.items)
        else:
            if isinstance(value, SeqExpr):
                raise SpecError(f"{where} is not a sequence", user_location())
            values = (value,)
        for slot, v in zip(slots, values, strict=True):
            try:
                e = self._builder._scalar_value(self._builder.slots[slot], v)
            except SpecError as err:
                raise SpecError(f"{where}: {err.message}", user_location(), err.hint) from None
            self._updates[slot] = e
            location = user_location()
            if location is not None:
                self._update_locations[slot] = location

    def _seq_literal(self, value: Any, domain: Seq, where: str) -> SeqExpr:
        if not isinstance(value, list | tuple):
            raise SpecError(f"{where} is a sequence; assign a sequence", user_location())
        return SeqExpr.of(list(value), domain.item, domain.capacity)
