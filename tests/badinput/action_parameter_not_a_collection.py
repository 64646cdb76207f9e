from ccrverify.lang import IntRange, Spec

spec = Spec("ActionParameterNotACollection")


@spec.model
def build(m):
    m.var("x", IntRange(0, 3), init=0)

    @m.action(n=3)
    def inc(s, n):
        s.x = 1


@spec.invariant("Fine")
def fine(s):
    return s.x >= 0
