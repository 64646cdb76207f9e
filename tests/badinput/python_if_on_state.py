from ccrverify.lang import IntRange, Spec

spec = Spec("PythonIfOnState")


@spec.model
def build(m):
    m.var("x", IntRange(0, 3), init=0)

    @m.action()
    def inc(s):
        if s.x < 3:
            s.x = s.x + 1


@spec.invariant("Fine")
def fine(s):
    return s.x >= 0
