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
