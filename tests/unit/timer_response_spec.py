"""A tiny failover timer with response properties, for the engine tests: a fault
takes the primary down, the backup counts missed heartbeats (one per tick) and
takes over after `tol` of them. With `stuck`, the backup may lose its claim and
wait for ever (a cycle of ticks without the response). The worst case from the
crash to the takeover is `tol` ticks, or never when stuck."""
from ccrverify.lang import Bool, IntRange, Spec

spec = Spec("Timer", __doc__)
spec.knob("tol", 2, "missed heartbeats before the backup takes over")
spec.knob("stuck", False, "the backup may give up its claim and wait for ever")


@spec.model
def build(m):
    tol = m.k.tol
    m.var("down", Bool(), init=False)
    m.var("missed", IntRange(0, tol), init=0)
    m.var("serving", Bool(), init=False)
    m.var("claim", Bool(), init=True)

    @m.action(name="Crash", cls="fault")
    def crash(s):
        s.require(~s.down)
        s.down = True

    @m.action(name="Tick", cls="clock")
    def tick(s):
        s.require(s.down & ~s.serving & (s.missed < tol))
        s.missed = s.missed + 1

    @m.action(name="Idle", cls="clock")
    def idle(s):
        s.require(s.down & ~s.serving & (s.missed == tol) & ~s.claim)

    @m.action(name="TakeOver")
    def take_over(s):
        s.require(s.down & ~s.serving & (s.missed == tol) & s.claim)
        s.serving = True

    if m.k.stuck:
        @m.action(name="GiveUp")
        def give_up(s):
            s.require(s.down & ~s.serving & s.claim)
            s.claim = False


def _failover(s):
    return s.down & ~s.serving, s.serving


for _k in range(4):
    spec.response(f"Within{_k}", f"The backup serves within {_k} ticks of the crash.",
                  within=_k)(_failover)
spec.response("FailoverTime", "The worst case failover time in ticks.")(_failover)
