"""The safety properties checked on the DAG model (specs/dag/SEMANTICS.md, Properties)."""

from itertools import combinations

from ccrverify.lang import PropertySet, all_of, any_of

props = PropertySet("DAG")


def _members(s):
    return ([f"P{i}" for i in range(1, s.k.primary_members + 1)]
            + [f"S{i}" for i in range(1, s.k.second_members + 1)])


@props.invariant("NoSplitBrain", "At most one member has the database mounted.")
def no_split_brain(s):
    return all_of(~((s.role[a] == "active") & (s.role[b] == "active"))
                  for a, b in combinations(_members(s), 2))


@props.invariant("NoLostAckedWrite",
                 "Every acknowledged write is still in some member's copy of the database.")
def no_lost_acked_write(s):
    return all_of(s.acked[w].implies(any_of(s.log[a].contains(w) for a in _members(s)))
                  for w in range(1, s.k.writes + 1))


# -- liveness and failover time (SEMANTICS.md, "Liveness and failover time") ---------------
def _serving(s, a):
    return s.up[a] & (s.role[a] == "active")


def _someone_serves(s):
    return any_of(_serving(s, a) for a in _members(s))


@props.leads_to("Recovers", "Whenever no member serves, one eventually serves again (weak "
                "fairness of the clock, protocol and repair actions).")
def recovers(s):
    return ~_someone_serves(s), _someone_serves(s)


def _failover_trigger(s, caught_up):
    """No member serves, both sites have power, the WAN is up, exactly one member is
    down and every running member is passive (and, for the caught-up variant, every
    running member's log equals the down member's)."""
    names = _members(s)
    cases = []
    for d in names:
        others = [a for a in names if a != d]
        case = ~s.up[d] & all_of(s.up[a] & (s.role[a] == "passive") for a in others)
        if caught_up:
            case = case & all_of(s.log[a] == s.log[d] for a in others)
        cases.append(case)
    return (~_someone_serves(s) & s.power["primary"] & s.power["second"] & s.wan
            & any_of(cases))


@props.response("FailoverTime", "Regroups (Ticks) from a single member failure to a mounted "
                "copy, with the environment quiet and the protocol prompt.")
def failover_time(s):
    return _failover_trigger(s, caught_up=False), _someone_serves(s)


@props.response("FailoverTimeCaughtUp", "FailoverTime when every running copy had caught up "
                "with the failed member's log.")
def failover_time_caught_up(s):
    return _failover_trigger(s, caught_up=True), _someone_serves(s)
