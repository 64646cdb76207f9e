from ccrverify.lang import IntRange, Spec

spec = Spec("ActionParameterMismatch")


@spec.model
def build(m):
    nodes = m.index("Node", ["A", "B"])
    m.var("x", IntRange(0, 3), over=nodes, init=0)

    @m.action(n=nodes)
    def inc(s):
        s.x["A"] = 1


@spec.invariant("Fine")
def fine(s):
    return s.x["A"] >= 0
