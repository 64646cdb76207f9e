"""The properties checked on the WSFC model (specs/wsfc/SEMANTICS.md, Properties)."""

from ccrverify.lang import PropertySet, all_of

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
