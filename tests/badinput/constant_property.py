from ccrverify.lang import IntRange, Spec

spec = Spec("ConstantProperty")


@spec.model
def build(m):
    m.var("x", IntRange(0, 3), init=0)


@spec.invariant("Always")
def always(s):
    return True
