from ccrverify.lang import IntRange, Spec

spec = Spec("OutOfDomainUpdate")


@spec.model
def build(m):
    m.var("x", IntRange(0, 2), init=0)

    @m.action()
    def inc(s):
        s.x = s.x + 1


@spec.invariant("Fine")
def fine(s):
    return s.x >= 0
