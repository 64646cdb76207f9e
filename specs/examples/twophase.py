"""TwoPhase: the two-phase commit protocol (TLA+ examples; BENCHMARKS.md).

Knob `rm` is the number of resource managers. Message sets are boolean maps:
`prepared_msg[r]` is Prepared(r) in msgs, `commit_msg`/`abort_msg` the others.
"""

from ccrverify.lang import Bool, Enum, Spec, all_of, any_of

spec = Spec("TwoPhase", __doc__)
spec.knob("rm", 3, "number of resource managers", lo=1)
spec.knob("symmetric", False, "declare the resource managers symmetric (one state per orbit)")

RM_STATE = Enum("RMState", ["working", "prepared", "committed", "aborted"])
TM_STATE = Enum("TMState", ["init", "committed", "aborted"])


@spec.model
def build(m):
    rms = m.index("RM", [f"r{i}" for i in range(1, m.k.rm + 1)], symmetric=m.k.symmetric)
    m.var("rm_state", RM_STATE, over=rms, init="working")
    m.var("tm_state", TM_STATE, init="init")
    m.var("tm_prepared", Bool(), over=rms, init=False)
    m.var("prepared_msg", Bool(), over=rms, init=False)
    m.var("commit_msg", Bool(), init=False)
    m.var("abort_msg", Bool(), init=False)

    @m.action(r=rms, name="TMRcvPrepared")
    def tm_rcv_prepared(s, r):
        s.require((s.tm_state == "init") & s.prepared_msg[r])
        s.tm_prepared[r] = True

    @m.action(name="TMCommit")
    def tm_commit(s):
        s.require((s.tm_state == "init") & all_of(s.tm_prepared[r] for r in rms))
        s.tm_state = "committed"
        s.commit_msg = True

    @m.action(name="TMAbort")
    def tm_abort(s):
        s.require(s.tm_state == "init")
        s.tm_state = "aborted"
        s.abort_msg = True

    @m.action(r=rms, name="RMPrepare")
    def rm_prepare(s, r):
        s.require(s.rm_state[r] == "working")
        s.rm_state[r] = "prepared"
        s.prepared_msg[r] = True

    @m.action(r=rms, name="RMChooseToAbort")
    def rm_choose_to_abort(s, r):
        s.require(s.rm_state[r] == "working")
        s.rm_state[r] = "aborted"

    @m.action(r=rms, name="RMRcvCommitMsg")
    def rm_rcv_commit_msg(s, r):
        s.require(s.commit_msg)
        s.rm_state[r] = "committed"

    @m.action(r=rms, name="RMRcvAbortMsg")
    def rm_rcv_abort_msg(s, r):
        s.require(s.abort_msg)
        s.rm_state[r] = "aborted"


@spec.invariant("TCConsistent", "No resource manager commits while another aborts.")
def tc_consistent(s):
    rms = [f"r{i}" for i in range(1, s.k.rm + 1)]
    return ~(any_of(s.rm_state[r] == "aborted" for r in rms)
             & any_of(s.rm_state[r] == "committed" for r in rms))


def _all_decided(s):
    rms = [f"r{i}" for i in range(1, s.k.rm + 1)]
    return all_of((s.rm_state[r] == "committed") | (s.rm_state[r] == "aborted") for r in rms)


@spec.eventually("AllDecide", "Every resource manager eventually commits or aborts "
                 "(weak fairness of every action).")
def all_decide(s):
    return _all_decided(s)


@spec.eventually_always("DecisionsStay", "From some point on every resource manager has "
                        "decided, for ever.")
def decisions_stay(s):
    return _all_decided(s)
