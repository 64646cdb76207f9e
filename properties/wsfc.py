"""The properties checked on the WSFC model (specs/wsfc/SEMANTICS.md, Properties)."""

from ccrverify.lang import PropertySet, all_of, any_of

props = PropertySet("WSFC")


def _names(s):
    return [f"N{i}" for i in range(1, s.k.nodes + 1)]


def _connected(s, a, b):
    """Heartbeats pass between a and b (SEMANTICS.md, conn)."""
    half = (s.k.nodes + 1) // 2
    same_site = (int(a[1:]) <= half) == (int(b[1:]) <= half)
    return all_of([s.nic[a], s.nic[b], True if same_site else s.site_link])


@props.invariant("NoSplitBrain", "At most one node has the clustered group online.")
def no_split_brain(s):
    names = _names(s)
    return all_of(~(s.hosts[a] & s.hosts[b])
                  for i, a in enumerate(names) for b in names[i + 1:])


@props.invariant("OneRunningPartition",
                 "Once membership has settled, all running members can reach each other.")
def one_running_partition(s):
    names = _names(s)
    return s.pending | all_of((s.member[a] & s.member[b]).implies(_connected(s, a, b))
                              for i, a in enumerate(names) for b in names[i + 1:])


@props.invariant("QuorumKept",
                 "No regroup has stopped the cluster on every node while a member was running.")
def quorum_kept(s):
    return ~s.quorum_lost


# -- liveness and failover time (SEMANTICS.md, "Liveness and failover time") ---------------
def _someone_serves(s):
    """serving(n) = hosts[n]: some node has the group online."""
    return any_of(s.hosts[n] for n in _names(s))


@props.leads_to("Recovers", "Whenever no node has the group online, one eventually has it "
                "again (weak fairness of the clock, protocol and repair actions).")
def recovers(s):
    return ~_someone_serves(s), _someone_serves(s)


def _failover_trigger(s):
    """No node serves, some node is down, every other node is up, every NIC and the site
    link work, and the witness is online when one is configured."""
    names = _names(s)
    one_down = any_of(~s.up[d] & all_of(s.up[p] for p in names if p != d) for d in names)
    network = all_of([s.site_link, *(s.nic[n] for n in names)])
    witness = s.witness_up if s.k.witness else True
    return all_of([~_someone_serves(s), one_down, network, witness])


@props.response("FailoverTime", "Ticks from the loss of one node (the group offline, the "
                "rest healthy) to a node with the group online, with the environment quiet "
                "and the protocol prompt.")
def failover_time(s):
    return _failover_trigger(s), _someone_serves(s)
