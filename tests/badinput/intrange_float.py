from ccrverify.lang import IntRange, Spec

spec = Spec("IntRangeFloat")


@spec.model
def build(m):
    m.var("x", IntRange(0, 2.5), init=0)


@spec.invariant("Fine")
def fine(s):
    return s.x >= 0
