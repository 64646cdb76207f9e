"""The properties of the Patroni model (specs/patroni/SEMANTICS.md, Properties and
Liveness and failover time)."""

from ccrverify.lang import PropertySet, all_of, any_of

props = PropertySet("Patroni")


def _members(s):
    return ["A", "B", "C"][:s.k.members]


@props.invariant("NoSplitBrain", "At most one member runs PostgreSQL as a primary.")
def no_split_brain(s):
    names = _members(s)
    return all_of(~((s.role[a] == "primary") & (s.role[b] == "primary"))
                  for i, a in enumerate(names) for b in names[i + 1:])


@props.invariant("NoLostSyncWrite",
                 "Every commit acknowledged under synchronous_mode is in every primary's WAL.")
def no_lost_sync_write(s):
    return all_of((s.acked[w] == "sync").implies((s.role[n] != "primary") | s.log[n].contains(w))
                  for w in range(1, s.k.writes + 1) for n in _members(s))


# -- liveness and failover time (SEMANTICS.md, "Liveness and failover time") -----------------
def _serving(s, n):
    """n runs PostgreSQL as the primary on a running host."""
    return s.up[n] & (s.role[n] == "primary")


def _someone_serves(s):
    return any_of(_serving(s, n) for n in _members(s))


@props.leads_to("Recovers", "Whenever no member serves, one eventually serves again "
                "(weak fairness of the clock, protocol and repair actions).")
def recovers(s):
    return ~_someone_serves(s), _someone_serves(s)


def _failover_trigger(s):
    """No member serves, exactly one member is down, every other is up with its network ok."""
    names = _members(s)
    one_down = []
    for d in names:
        rest = [n for n in names if n != d]
        one_down.append(~s.up[d] & all_of(s.up[n] & (s.net[n] == "ok") for n in rest))
    return ~_someone_serves(s) & any_of(one_down)


@props.response("FailoverTime", "Ticks from a trigger (one member down, nobody serving, the "
                "rest up and reachable) to a member serving, with the environment quiet and the "
                "protocol prompt.")
def failover_time(s):
    return _failover_trigger(s), _someone_serves(s)


@props.response("FailoverTimeSyncStandby", "FailoverTime from triggers where /sync names a "
                "synchronous standby (the same as FailoverTime without synchronous_mode).")
def failover_time_sync_standby(s):
    trigger = _failover_trigger(s)
    if s.k.synchronous_mode:
        trigger = trigger & (s.sync_standby != "none")
    return trigger, _someone_serves(s)
