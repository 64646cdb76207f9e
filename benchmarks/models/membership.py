"""Membership: nodes learn of each other by gossip, each starting from its seed (benchmarks/untuned.py).

N nodes sit on a ring; each knows only its successor at first. A live node asks a live peer
it knows for one of the peer's peers (Pull(b, a, c): b learns c from a), and
adopts the newer of the two configuration versions. Which nodes are
running and which configuration version each starts with are arbitrary
(`ANY` over two maps), so there are 2^N x versions^N initial states, and
every triple of nodes is an action instance: a state has N^3 candidate
successors, most of them already seen.
"""

from ccrverify.lang import ANY, Bool, IntRange, Spec, all_of, max_

spec = Spec("Membership", __doc__)
spec.knob("nodes", 5, "number of nodes", lo=3)
spec.knob("versions", 3, "configuration versions (0 .. versions-1)", lo=1)


def names(k):
    return [f"n{i}" for i in range(k.nodes)]


def link(a, b):
    return f"{a}>{b}"


@spec.model
def build(m):
    nodes = names(m.k)
    node = m.index("Node", nodes)
    ring = {a: nodes[(i + 1) % len(nodes)] for i, a in enumerate(nodes)}
    links = m.index("Link", [link(a, b) for a in nodes for b in nodes if a != b])
    m.var("alive", Bool(), over=node, init=ANY)
    m.var("version", IntRange(0, m.k.versions - 1), over=node, init=ANY)
    m.var("knows", Bool(), over=links,
          init={link(a, b): ring[a] == b for a in nodes for b in nodes if a != b})

    triples = [(a, b, c) for a in nodes for b in nodes for c in nodes if len({a, b, c}) == 3]

    @m.action(t=triples, name="Pull")
    def pull(s, t):
        """{t[0]} learns {t[2]} from {t[1]}."""
        b, a, c = t
        s.require(s.alive[a] & s.alive[b] & s.knows[link(b, a)] & s.knows[link(a, c)])
        s.knows[link(b, c)] = True
        s.version[b] = max_(s.version[a], s.version[b])


@spec.invariant("KnowsOnlyLive", "A node learns of a peer only from a live node's view "
                "(every link known is a seed link or was introduced by a live node).")
def knows_only_seeded(s):
    nodes = names(s.k)
    ring = {a: nodes[(i + 1) % len(nodes)] for i, a in enumerate(nodes)}
    # b knows c without its seed link only if some live node knows c
    return all_of(~s.knows[link(b, c)] | (ring[b] == c)
                  | any_live_knower(s, nodes, b, c) for b in nodes for c in nodes if b != c)


def any_live_knower(s, nodes, b, c):
    from ccrverify.lang import any_of
    return any_of(s.alive[a] & s.knows[link(a, c)] for a in nodes if a not in (b, c))
