"""Index [0, 1], x counts up to 3, and the invariant reads v[x]: reading v[2]
is outside the map's index (TLC: an evaluation error), never a silent v[1]."""
from ccrverify.lang import IntRange, Spec

spec = Spec("MapKeyOutsideIndex")


@spec.model
def build(m):
    idx = m.index("I", [0, 1])
    m.var("v", IntRange(0, 1), over=idx, init=0)
    m.var("x", IntRange(0, 3), init=0)

    @m.action()
    def inc(s):
        s.require(s.x < 3)
        s.x = s.x + 1


@spec.invariant("VZero")
def v_zero(s):
    return s.v[s.x] == 0
