"""Wide, a toy whose states need several 64-bit words (the vectorised backend's
wide layout): `n` counters of 20 bits each, starting near the top of their range,
each rising at most `steps` times. AllHigh breaks (and the search deadlocks) when
every counter has risen `steps` times: after n * steps actions."""
from ccrverify.lang import Bool, IntRange, Spec, all_of

spec = Spec("Wide", __doc__)
spec.knob("n", 7, "number of counters", lo=1)
spec.knob("steps", 2, "how often each counter may rise", lo=1)
spec.knob("symmetric", False, "declare the counters symmetric")

TOP = 2**20 - 1


@spec.model
def build(m):
    cs = m.index("C", [f"c{i}" for i in range(m.k.n)], symmetric=m.k.symmetric)
    m.var("c", IntRange(0, TOP), over=cs, init=TOP - m.k.steps)
    m.var("odd", Bool(), init=False)

    @m.action(i=cs, name="Up")
    def up(s, i):
        s.require(s.c[i] < TOP)
        s.c[i] = s.c[i] + 1
        s.odd = ~s.odd


@spec.invariant("NotAllHigh", "Some counter is below the top.")
def not_all_high(s):
    return ~all_of(s.c[f"c{i}"] == TOP for i in range(s.k.n))


@spec.invariant("Parity", "odd says whether an odd number of rises happened.")
def parity(s):
    total = s.c["c0"]
    for i in range(1, s.k.n):
        total = total + s.c[f"c{i}"]
    return s.odd == ((total - s.k.n * (TOP - s.k.steps)) % 2 == 1)
