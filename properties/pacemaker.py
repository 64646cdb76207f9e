"""The properties checked on the Pacemaker two-node model (specs/pacemaker/SEMANTICS.md)."""

from ccrverify.lang import PropertySet, any_of

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
