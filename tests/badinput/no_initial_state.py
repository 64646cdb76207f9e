from ccrverify.lang import IntRange, OneOf, Spec

spec = Spec("NoInitialState")


@spec.model
def build(m):
    m.var("x", IntRange(0, 3), init=OneOf([]))

    @m.action()
    def inc(s):
        s.require(s.x < 3)
        s.x = s.x + 1


@spec.invariant("Small")
def small(s):
    return s.x < 2
