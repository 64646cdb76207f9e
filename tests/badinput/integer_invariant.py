from ccrverify.lang import IntRange, Spec

spec = Spec("IntegerInvariant")


@spec.model
def build(m):
    m.var("x", IntRange(0, 3), init=0)

    @m.action()
    def inc(s):
        s.require(s.x < 3)
        s.x = s.x + 1


@spec.invariant("Count")
def count(s):
    return s.x + 1
