"""Rumor: push-pull rumor mongering with a loss of interest (Demers et al.; benchmarks/untuned.py).

A node is susceptible (has not heard the update), infective (spreads it) or
removed (has stopped spreading it). An infective node pushes the update to any
other node; a node that is not removed pulls from any other node. Each time an
infective node contacts a peer that already knew, it counts a miss, and after
`patience` misses it loses interest. Every node may start susceptible or
infective (2^nodes initial states), and every ordered pair of nodes is an action
instance twice (Push(a, b) and Pull(b, a) make the same contact), so a state
has up to 2 x nodes^2 successors, most of them already seen.
"""

from ccrverify.lang import Enum, IntRange, OneOf, Spec, all_of, any_of, ite

spec = Spec("Rumor", __doc__)
spec.knob("nodes", 9, "number of nodes", lo=2)
spec.knob("patience", 3, "misses before an infective node loses interest", lo=1)

PHASE = Enum("Phase", ["susceptible", "infective", "removed"])


def names(k):
    return [f"n{i}" for i in range(k.nodes)]


@spec.model
def build(m):
    nodes = m.index("Node", names(m.k))
    last = m.k.patience - 1
    m.var("phase", PHASE, over=nodes, init=OneOf(["susceptible", "infective"]))
    m.var("misses", IntRange(0, last), over=nodes, init=0)
    pairs = [(a, b) for a in nodes for b in nodes if a != b]

    def contact(s, a, b):
        """a, infective, has told b: b is infective now, or a counts a miss."""
        knew = s.phase[b] != "susceptible"
        bored = knew & (s.misses[a] == last)
        s.phase[b] = ite(knew, s.phase[b], PHASE("infective"))
        s.phase[a] = ite(bored, PHASE("removed"), PHASE("infective"))
        s.misses[a] = ite(bored, 0, ite(knew, s.misses[a] + 1, s.misses[a]))

    @m.action(pair=pairs, name="Push")
    def push(s, pair):
        """{pair[0]} pushes the update to {pair[1]}."""
        a, b = pair
        s.require(s.phase[a] == "infective")
        contact(s, a, b)

    @m.action(pair=pairs, name="Pull")
    def pull(s, pair):
        """{pair[0]} asks {pair[1]} for news."""
        b, a = pair
        s.require((s.phase[b] != "removed") & (s.phase[a] == "infective"))
        contact(s, a, b)


@spec.invariant("MissesOnlyWhileSpreading", "Only an infective node has counted misses.")
def misses_only_while_spreading(s):
    return all_of((s.misses[n] == 0) | (s.phase[n] == "infective") for n in names(s.k))


@spec.invariant("NoneLeftOut", "The rumor never dies out while a node has not heard it "
                "(it does: rumor mongering leaves a residue, so this fails).")
def none_left_out(s):
    nodes = names(s.k)
    died = all_of(s.phase[n] != "infective" for n in nodes)
    return ~(died & any_of(s.phase[n] == "susceptible" for n in nodes)
             & any_of(s.phase[n] == "removed" for n in nodes))
