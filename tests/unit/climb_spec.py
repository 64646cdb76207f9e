"""Climb, a toy for the explorer tests: x rises by one or falls back to 0;
Low breaks when x reaches `low`, High when x reaches 6."""
from ccrverify.lang import IntRange, Spec

spec = Spec("Climb", __doc__)
spec.knob("low", 3, "the value of x that breaks Low", lo=1)


@spec.model
def build(m):
    m.var("x", IntRange(0, 9), init=0)

    @m.action()
    def up(s):
        s.require(s.x < 9)
        s.x = s.x + 1

    @m.action()
    def reset(s):
        s.x = 0


@spec.invariant("Low", "x stays below low.")
def low(s):
    return s.x < s.k.low


@spec.invariant("High", "x stays below 6.")
def high(s):
    return s.x < 6
