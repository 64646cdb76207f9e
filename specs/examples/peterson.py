"""Peterson's mutual exclusion for two processes (BENCHMARKS.md).

Each process cycles a0 -> a1 -> a2 -> a3 -> cs -> a4 -> a0; one action per
process and label. Knob `fair`: each process's steps are weakly fair (a
process that can move eventually does); without it a process may stop anywhere.
"""

from ccrverify.lang import Bool, Enum, IntRange, Spec

spec = Spec("Peterson", __doc__)
spec.knob("fair", True, "weak fairness of each process's steps (liveness only)")

PC = Enum("PC", ["a0", "a1", "a2", "a3", "cs", "a4"])
NEXT = {"a0": "a1", "a1": "a2", "a2": "a3", "a3": "cs", "cs": "a4", "a4": "a0"}


@spec.model
def build(m):
    procs = m.index("Proc", [1, 2])
    m.var("pc", PC, over=procs, init="a0")
    m.var("c", Bool(), over=procs, init=False)
    m.var("turn", IntRange(1, 2), init=1)

    @m.action(i=procs, at=list(NEXT), name="Step", fair="weak" if m.k.fair else None)
    def step(s, i, at):
        other = 3 - i
        s.require(s.pc[i] == at)
        if at == "a3":
            s.require(~s.c[other] | (s.turn == i))
        s.pc[i] = NEXT[at]
        if at == "a1":
            s.c[i] = True
        if at == "a2":
            s.turn = other
        if at == "a4":
            s.c[i] = False


@spec.invariant("MutualExclusion", "The two processes are never both in the critical section.")
def mutual_exclusion(s):
    return ~((s.pc[1] == "cs") & (s.pc[2] == "cs"))


@spec.leads_to("StarvationFree", "A process that wants to enter its critical section "
               "eventually does.")
def starvation_free(s):
    wants = s.pc[1] == "a1"
    return wants, s.pc[1] == "cs"
