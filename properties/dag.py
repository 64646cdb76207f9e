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
