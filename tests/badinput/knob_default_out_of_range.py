from ccrverify.lang import IntRange, Spec

spec = Spec("KnobDefaultOutOfRange")
spec.knob("size", 7, "how many", lo=1, hi=5)


@spec.model
def build(m):
    m.var("x", IntRange(0, m.k.size), init=0)


@spec.invariant("Fine")
def fine(s):
    return s.x >= 0
