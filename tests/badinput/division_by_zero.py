"""100 // d where d counts down to 0."""
from ccrverify.lang import IntRange, Spec

spec = Spec("DivisionByZero")


@spec.model
def build(m):
    m.var("d", IntRange(0, 2), init=2)
    m.var("q", IntRange(0, 100), init=50)

    @m.action()
    def step(s):
        s.require(s.d > 0)
        s.d = s.d - 1

    @m.action()
    def divide(s):
        s.q = 100 // s.d


@spec.invariant("Fine")
def fine(s):
    return s.q >= 0
