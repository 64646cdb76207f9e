"""An expression nested 200 deep (a fold over 200 entries): a correct model."""
from ccrverify.lang import IntRange, Spec, ite

spec = Spec("DeepFold")


@spec.model
def build(m):
    m.var("x", IntRange(0, 250), init=0)

    @m.action()
    def inc(s):
        s.require(s.x < 250)
        value = s.x + 1
        for i in range(200):
            value = ite(s.x == i, i + 1, value)
        s.x = value


@spec.invariant("Below")
def below(s):
    return s.x < 240
