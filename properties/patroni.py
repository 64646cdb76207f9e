"""The safety properties of the Patroni model (specs/patroni/SEMANTICS.md, Properties)."""

from ccrverify.lang import PropertySet, all_of

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
