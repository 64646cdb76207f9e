from ccrverify.lang import IntRange, Seq, Spec

spec = Spec("SeqAppendBool")


@spec.model
def build(m):
    m.var("q", Seq(IntRange(0, 3), 2), init=())

    @m.action()
    def push(s):
        s.require(s.q.len < 2)
        s.q = s.q.append(True)


@spec.invariant("Fine")
def fine(s):
    return s.q.len <= 2
