"""Finite domains of state variables and action parameters.

Every scalar domain is a range of small integers ``lo..hi`` once flattened:
booleans are 0/1, enumerations are their value's position. A bounded
sequence flattens to a length slot plus ``capacity`` item slots; items past
the length always hold the item domain's ``lo`` so that equal sequences are
equal states. `Index` is a finite set of Python values (nodes, links,
message ids) over which maps and action parameters range.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ccrverify.errors import SpecError, user_location
from ccrverify.expr import BOOL, INT, Expr, const

# Sizes beyond these cannot be enumerated or even built; say so instead of hanging.
MAX_INDEX = 100_000
MAX_CAPACITY = 10_000


@dataclass(frozen=True)
class Bool:
    lo: int = 0
    hi: int = 1
    sort: str = BOOL
    enum: None = None

    def code(self, value: Any) -> int:
        if isinstance(value, bool):
            return int(value)
        raise SpecError(f"{value!r} is not a boolean", user_location())

    def decode(self, code: int) -> bool:
        return bool(code)

    def describe(self) -> str:
        return "bool"


@dataclass(frozen=True)
class IntRange:
    """Integers lo..hi; hi may be a symbolic knob (then `hi_bound` sizes the slot)."""

    lo: int
    hi: int | Expr
    hi_bound: int | None = None
    sort: str = INT
    enum: None = None

    def __post_init__(self) -> None:
        for bound in (self.lo, self.hi):
            if isinstance(bound, bool) or not isinstance(bound, int | Expr) or (
                    bound is self.lo and not isinstance(bound, int)):
                raise SpecError(f"IntRange({self.lo!r}, {self.hi!r}): bounds must be integers",
                                user_location(), "e.g. IntRange(0, 3) or IntRange(0, m.k.limit)")
        if isinstance(self.hi, Expr):
            if self.hi.sort != INT:
                raise SpecError("an IntRange bound must be an integer, not a condition",
                                user_location())
            if self.hi.is_const:
                object.__setattr__(self, "hi", self.hi.value)
        if isinstance(self.hi, int):
            object.__setattr__(self, "hi_bound", self.hi)
        if self.hi_bound is not None and self.max < self.lo:
            raise SpecError(f"empty integer range {self.lo}..{self.hi}", user_location())

    @property
    def max(self) -> int:
        if self.hi_bound is None:
            raise SpecError("a symbolic range bound needs its largest value", user_location())
        return self.hi_bound

    def code(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SpecError(f"{value!r} is not an integer", user_location())
        if not self.lo <= value <= self.max:
            raise SpecError(f"{value} is outside {self.describe()}", user_location())
        return value

    def decode(self, code: int) -> int:
        return code

    def describe(self) -> str:
        hi = self.hi if isinstance(self.hi, int) else f"<= {self.max}"
        return f"{self.lo}..{hi}"


@dataclass(frozen=True)
class Enum:
    name: str
    values: tuple[str, ...]
    sort: str = INT

    def __init__(self, name: str, values: Iterable[str]):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "values", tuple(values))
        object.__setattr__(self, "sort", INT)
        if len(set(self.values)) != len(self.values) or not self.values:
            raise SpecError(f"enumeration {name} needs distinct values", user_location())

    @property
    def lo(self) -> int:
        return 0

    @property
    def hi(self) -> int:
        return len(self.values) - 1

    @property
    def enum(self) -> Enum:
        return self

    def __call__(self, value: str) -> Expr:
        """The value as an expression: ``ROLE("active")``, for where nothing else
        says which enumeration a name belongs to (``ite(c, ROLE("a"), ROLE("b"))``)."""
        return const(self.code(value), self)

    def code(self, value: Any) -> int:
        if value not in self.values:
            raise SpecError(
                f"{value!r} is not a value of {self.name}",
                user_location(),
                "one of " + ", ".join(self.values),
            )
        return self.values.index(value)

    def decode(self, code: int) -> str:
        return self.values[code]

    def describe(self) -> str:
        return "{" + ", ".join(self.values) + "}"


Scalar = Bool | IntRange | Enum


@dataclass(frozen=True)
class Seq:
    """Sequences of at most `capacity` items of a scalar domain."""

    item: Scalar
    capacity: int

    def __post_init__(self) -> None:
        if isinstance(self.item, Seq):
            raise SpecError("sequences of sequences are not supported", user_location())
        if isinstance(self.capacity, bool) or not isinstance(self.capacity, int):
            raise SpecError(f"a sequence capacity must be an integer, got {self.capacity!r}",
                            user_location(), "knobs that size a sequence must be concrete")
        if self.capacity < 0:
            raise SpecError("a sequence capacity must be >= 0", user_location())
        if self.capacity > MAX_CAPACITY:
            raise SpecError(f"a sequence capacity of {self.capacity:,} is too large (at most "
                            f"{MAX_CAPACITY:,})", user_location(),
                            "choose a smaller value for the knob that sizes it")

    def describe(self) -> str:
        return f"seq of {self.item.describe()} (at most {self.capacity})"


Domain = Scalar | Seq


@dataclass(frozen=True)
class Index:
    """A finite, ordered set of Python values: nodes, links, message ids."""

    name: str
    values: tuple[Any, ...]
    # Renaming the values changes nothing (the explicit engine then stores one
    # state per orbit: `ccrverify.explicit.symmetry`, which checks the claim).
    symmetric: bool = False

    def __init__(self, name: str, values: Sequence[Any], symmetric: bool = False):
        size = len(values) if hasattr(values, "__len__") else None
        if size is not None and size > MAX_INDEX:
            raise SpecError(f"index {name} would have {size:,} values (at most {MAX_INDEX:,})",
                            user_location(), "choose a smaller value for the knob that sizes it")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "values", tuple(values))
        object.__setattr__(self, "symmetric", bool(symmetric))
        if len(set(self.values)) != len(self.values):
            raise SpecError(f"index {name} has repeated values", user_location())

    def __iter__(self) -> Any:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def __contains__(self, value: object) -> bool:
        return value in self.values
