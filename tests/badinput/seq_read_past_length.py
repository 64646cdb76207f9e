"""q[0] is read while q may be empty."""
from ccrverify.lang import Bool, IntRange, Seq, Spec

spec = Spec("SeqReadPastLength")


@spec.model
def build(m):
    m.var("q", Seq(IntRange(0, 3), 2), init=())
    m.var("done", Bool(), init=False)

    @m.action()
    def push(s):
        s.require(s.q.len < 2)
        s.q = s.q.append(1)

    @m.action()
    def take(s):
        s.require(s.q[0] == 1)
        s.done = True


@spec.invariant("NotDone")
def not_done(s):
    return ~s.done
