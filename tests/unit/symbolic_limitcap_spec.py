"""A tiny spec for the Z3 engine tests: Capped holds exactly when limit <= cap
(x climbs to `limit`; the property caps it at `cap`)."""
from ccrverify.lang import IntRange, Spec

spec = Spec("LimitCap")
spec.knob("limit", 3, "how far x may climb", lo=1)
spec.knob("cap", 3, "the most x may reach", lo=1)
spec.knob("width", 6, "the domain of x (structural)", lo=1)


@spec.model
def build(m):
    m.var("x", IntRange(0, m.k.width), init=0)
    m.var("y", IntRange(0, m.k.width), init=0)

    @m.action()
    def inc(s):
        s.require(s.x < s.k.limit)
        s.x = s.x + 1

    @m.action()
    def copy(s):
        s.y = s.x

    @m.action()
    def reset(s):
        s.x = 0


@spec.invariant("Capped", "x never exceeds cap")
def capped(s):
    return s.x <= s.k.cap


@spec.invariant("YBelowWidth", "y stays in range (1-inductive)")
def y_ok(s):
    return s.y <= s.k.width
