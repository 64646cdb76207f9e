"""s.up[s.owner] where owner can be "none", which is not a node."""
from ccrverify.lang import Bool, Enum, Spec

OWNER = Enum("Owner", ["none", "A", "B"])
spec = Spec("OwnerNoneKey")


@spec.model
def build(m):
    nodes = m.index("Node", ["A", "B"])
    m.var("up", Bool(), over=nodes, init=True)
    m.var("owner", OWNER, init="A")

    @m.action()
    def release(s):
        s.require(s.owner != "none")
        s.owner = "none"

    @m.action()
    def crash_owner(s):
        s.require(s.up[s.owner])
        s.up["B"] = False


@spec.invariant("AUp")
def a_up(s):
    return s.up["A"]
