from ccrverify.lang import IntRange, Spec

spec = Spec("KnobDefaultString")
spec.knob("size", "three", "how many")


@spec.model
def build(m):
    m.var("x", IntRange(0, 3), init=0)


@spec.invariant("Fine")
def fine(s):
    return s.x >= 0
