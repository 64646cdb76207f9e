from ccrverify.lang import Enum, Spec

ROLE = Enum("Role", ["active", "passive"])
spec = Spec("InitMissingKey")


@spec.model
def build(m):
    nodes = m.index("Node", ["A", "B"])
    m.var("role", ROLE, over=nodes, init={"A": "active"})

    @m.action()
    def swap(s):
        s.role["A"] = s.role["B"]


@spec.invariant("Fine")
def fine(s):
    return s.role["A"] == "active"
