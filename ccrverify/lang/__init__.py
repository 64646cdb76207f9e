"""The modelling language: what spec modules import."""

from ccrverify.expr import FALSE, TRUE, Expr, all_of, any_of, ite, max_, min_
from ccrverify.lang.domain import Bool, Enum, Index, IntRange, Seq
from ccrverify.lang.seq import SeqExpr
from ccrverify.lang.spec import ANY, OneOf, PropertySet, Spec

__all__ = [
    "ANY",
    "FALSE",
    "TRUE",
    "Bool",
    "Enum",
    "Expr",
    "Index",
    "IntRange",
    "OneOf",
    "PropertySet",
    "Seq",
    "SeqExpr",
    "Spec",
    "all_of",
    "any_of",
    "ite",
    "max_",
    "min_",
]
