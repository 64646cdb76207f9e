"""AntiEntropy: push gossip of a versioned membership list (benchmarks/untuned.py).

Every node holds a version of the cluster's membership list and may push it
to every other node, which takes it when it is newer. Nodes crash
(a crashed node neither gossips nor is contacted), restart with an empty list
(version 0), and publish a change (a newer version). Every version and every
set of crashed nodes is a possible start (`ANY` over both maps), and a node
contacts any of the others, so a state has about nodes^2 successors, most of
them already seen: the shape the per-transition speed of the explicit engine
was never tuned for (issue 14).
"""

from ccrverify.lang import ANY, Bool, IntRange, Spec, all_of

spec = Spec("AntiEntropy", __doc__)
spec.knob("nodes", 8, "number of nodes", lo=2)
spec.knob("versions", 3, "versions of the membership list (0 .. versions-1)", lo=2)


@spec.model
def build(m):
    nodes = m.index("Node", [f"n{i}" for i in range(m.k.nodes)])
    newest = m.k.versions - 1
    m.var("version", IntRange(0, newest), over=nodes, init=ANY)
    m.var("up", Bool(), over=nodes, init=ANY)

    pairs = [(a, b) for a in nodes for b in nodes if a != b]

    @m.action(pair=pairs, name="Push")
    def push(s, pair):
        """{pair[0]} sends its newer list to {pair[1]}."""
        a, b = pair
        s.require(s.up[a] & s.up[b] & (s.version[a] > s.version[b]))
        s.version[b] = s.version[a]

    @m.action(n=nodes, cls="fault", fair=None)
    def crash(s, n):
        s.require(s.up[n])
        s.up[n] = False

    @m.action(n=nodes, cls="repair")
    def restart(s, n):
        """{n} restarts with an empty list."""
        s.require(~s.up[n])
        s.up[n] = True
        s.version[n] = 0

    @m.action(n=nodes, cls="workload", fair=None)
    def publish(s, n):
        """{n} changes the membership: a newer version of the list."""
        s.require(s.up[n] & (s.version[n] < newest))
        s.version[n] = s.version[n] + 1


@spec.invariant("VersionInRange", "Every version stays within its domain (holds by "
                "construction: the run checks one invariant on every state).")
def version_in_range(s):
    nodes = [f"n{i}" for i in range(s.k.nodes)]
    return all_of((s.version[n] >= 0) & (s.version[n] <= s.k.versions - 1) for n in nodes)
