"""The properties checked on the Pacemaker two-node model (specs/pacemaker/SEMANTICS.md)."""

from ccrverify.lang import PropertySet, all_of, any_of

props = PropertySet("Pacemaker")


@props.invariant("NoSplitBrain", "The resource never runs on both nodes at once.")
def no_split_brain(s):
    return ~(s.runs["A"] & s.runs["B"])


@props.invariant("NoMutualFencing",
                 "The fence race has a winner: the two nodes are never both down from fencing.")
def no_mutual_fencing(s):
    return ~(s.fenced["A"] & s.fenced["B"]
             & (s.status["A"] == "down") & (s.status["B"] == "down"))


@props.invariant("NoFenceLoop",
                 "A node that was fenced never asks to fence its peer before they meet again.")
def no_fence_loop(s):
    def retaliates(n, p):
        return s.fenced[n] & (s.status[n] != "down") & ((s.wait[n] > 0) | s.armed[p])

    return ~any_of([retaliates("A", "B"), retaliates("B", "A")])


# -- liveness and failover time (SEMANTICS.md, "Liveness and failover time") -------
def _serving(s, n):
    return s.runs[n]  # runs[n] implies that n is up


def _someone_serves(s):
    return _serving(s, "A") | _serving(s, "B")


@props.leads_to("Recovers", "Whenever no node runs the resource, one eventually runs it "
                "(weak fairness of the clock, protocol and repair actions).")
def recovers(s):
    return ~_someone_serves(s), _someone_serves(s)


def _links_up(s):
    links = ("AB", "AQ", "BQ") if s.k.qdevice else ("AB",)
    return all_of(s.link[link] for link in links)


def _failover_trigger(s, down, any_peer=False):
    """No node serves, `down` is down, its peer p is quorate (any_peer: up) and not
    about to be fenced, and every link is up."""
    p = "B" if down == "A" else "A"
    ready = (s.status[p] != "down") if any_peer else (s.status[p] == "quorate")
    return (~_someone_serves(s) & (s.status[down] == "down") & ready & ~s.armed[p]
            & _links_up(s))


# The response is serving(p); with the down node kept down by a quiet environment
# (Boot is a repair), it cannot serve, so "some node serves" is the same condition.
@props.response("FailoverTime", "Ticks from the loss of a node to its peer running the "
                "resource, with the environment quiet and the protocol prompt.")
def failover_time(s):
    return _failover_trigger(s, "A") | _failover_trigger(s, "B"), _someone_serves(s)


@props.response("FailoverTimeToA", "FailoverTime when B is lost and A takes over: the "
                "failover that does not wait out the fence delay on A.")
def failover_time_to_a(s):
    return _failover_trigger(s, "B"), _someone_serves(s)


@props.response("FailoverTimeAnyPeer", "FailoverTime from any up peer, also one that has "
                "just booted and is not yet quorate.")
def failover_time_any_peer(s):
    return (_failover_trigger(s, "A", any_peer=True) | _failover_trigger(s, "B", any_peer=True),
            _someone_serves(s))
