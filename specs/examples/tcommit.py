"""TCommit: the transaction-commit specification that TwoPhase implements
(TLA+ examples; BENCHMARKS.md). Knob `rm` is the number of resource managers;
`symmetric` declares them interchangeable (one state per orbit)."""

from ccrverify.lang import Enum, Spec, all_of, any_of

# A decided transaction is a legitimate end: no action is left, by design.
spec = Spec("TCommit", __doc__, terminal_states=True)
spec.knob("rm", 3, "number of resource managers", lo=1)
spec.knob("symmetric", False, "declare the resource managers symmetric (one state per orbit)")

RM_STATE = Enum("RMState", ["working", "prepared", "committed", "aborted"])


def rm_names(k):
    return [f"r{i}" for i in range(1, k.rm + 1)]


@spec.model
def build(m):
    rms = m.index("RM", rm_names(m.k), symmetric=m.k.symmetric)
    m.var("rm_state", RM_STATE, over=rms, init="working")

    @m.action(r=rms)
    def prepare(s, r):
        s.require(s.rm_state[r] == "working")
        s.rm_state[r] = "prepared"

    @m.action(r=rms)
    def decide_commit(s, r):
        s.require((s.rm_state[r] == "prepared")
                  & all_of((s.rm_state[x] == "prepared") | (s.rm_state[x] == "committed")
                           for x in rms))
        s.rm_state[r] = "committed"

    @m.action(r=rms)
    def decide_abort(s, r):
        s.require(((s.rm_state[r] == "working") | (s.rm_state[r] == "prepared"))
                  & ~any_of(s.rm_state[x] == "committed" for x in rms))
        s.rm_state[r] = "aborted"


@spec.invariant("TCConsistent", "No resource manager commits while another aborts.")
def tc_consistent(s):
    rms = rm_names(s.k)
    return ~(any_of(s.rm_state[r] == "aborted" for r in rms)
             & any_of(s.rm_state[r] == "committed" for r in rms))
