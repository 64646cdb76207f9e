"""The same reads as the broken specs, each guarded: a correct model."""
from ccrverify.lang import Bool, Enum, IntRange, Seq, Spec

OWNER = Enum("Owner", ["none", "A", "B"])
spec = Spec("GuardedReads")


@spec.model
def build(m):
    idx = m.index("I", [0, 1])
    nodes = m.index("Node", ["A", "B"])
    m.var("v", IntRange(0, 1), over=idx, init=0)
    m.var("x", IntRange(0, 3), init=0)
    m.var("q", Seq(IntRange(0, 3), 2), init=())
    m.var("owner", OWNER, init="A")
    m.var("up", Bool(), over=nodes, init=True)

    @m.action()
    def inc(s):
        s.require((s.x < 3) & ((s.x >= 2) | (s.v[s.x] == 0)))
        s.x = s.x + 1

    @m.action()
    def push(s):
        s.require((s.q.len < 2) & ((s.q.len == 0) | (s.q[0] == 1)))
        s.q = s.q.append(1)

    @m.action()
    def idle(s):
        """Nothing happens (no deadlock)."""

    @m.action()
    def release(s):
        s.require((s.owner != "none") & s.up[s.owner])
        s.owner = "none"


@spec.invariant("Guarded")
def guarded(s):
    return (s.x >= 2) | (s.v[s.x] == 0)
