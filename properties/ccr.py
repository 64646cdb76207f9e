"""The properties checked on the CCR model (PROTOCOL.md, Properties)."""

from ccrverify.lang import PropertySet, all_of

props = PropertySet("CCR")


@props.invariant("NoSplitBrain", "The two nodes never both have the database mounted.")
def no_split_brain(s):
    return ~((s.role["A"] == "active") & (s.role["B"] == "active"))


@props.invariant("NoLostAckedMail",
                 "Every acknowledged mail is still in a node's log or in the dumpster.")
def no_lost_acked_mail(s):
    return all_of(
        s.acked[m].implies(s.log["A"].contains(m) | s.log["B"].contains(m) | s.dump.contains(m))
        for m in range(1, s.k.messages + 1))


# -- liveness and failover time (PROTOCOL.md, "Liveness and failover time") ------------------
def _serving(s, n):
    return s.up[n] & (s.role[n] == "active")


def _someone_serves(s):
    return _serving(s, "A") | _serving(s, "B")


@props.leads_to("Recovers", "Whenever no node serves, one eventually serves again "
                "(weak fairness of the clock, protocol and repair actions).")
def recovers(s):
    return ~_someone_serves(s), _someone_serves(s)


def _failover_trigger(s, caught_up):
    """No node serves, n is down, its peer p is up and passive, all three links are up
    (and, for the caught-up variant, p's log equals n's)."""
    links = s.link["AB"] & s.link["AW"] & s.link["BW"]
    triggers = []
    for n, p in (("A", "B"), ("B", "A")):
        t = ~_someone_serves(s) & ~s.up[n] & s.up[p] & (s.role[p] == "passive") & links
        triggers.append(t & (s.log[p] == s.log[n]) if caught_up else t)
    return triggers[0] | triggers[1]


# The response is serving(p); with n down and repairs quiet, n cannot serve, so
# "some node serves" is the same condition.
@props.response("FailoverTime", "Ticks from a crash of the serving side to the peer "
                "serving, with the environment quiet and the protocol prompt.")
def failover_time(s):
    return _failover_trigger(s, caught_up=False), _someone_serves(s)


@props.response("FailoverTimeCaughtUp", "FailoverTime when the passive copy had caught up "
                "(log[p] = log[n]).")
def failover_time_caught_up(s):
    return _failover_trigger(s, caught_up=True), _someone_serves(s)
