"""WSFC: Windows Server Failover Clustering quorum, 2012 and later (specs/wsfc/SEMANTICS.md).

N nodes N1..Nn in two sites (N1..N⌈n/2⌉ in site 1, the rest in site 2), an
optional file share witness W in a third site, one clustered group. Each node
has one vote unless dynamic quorum has removed it; the witness votes as
`wvote` says. A partition runs the cluster while it holds more than half of
the votes of the current vote table. Losses are noticed only when the
heartbeat threshold has run out; the regroup that follows decides which
partition keeps running and (with dynamic quorum) rewrites the vote table.
Every action below carries SEMANTICS.md's name and reads as its text: reads
are the state before the action, assignments the state after.
"""

from ccrverify.lang import TRUE, Bool, IntRange, Spec, all_of, any_of, ite, min_

spec = Spec("WSFC", __doc__, clock="Tick", lane_index="Node", shared_lane="W, link",
            faults=("Crash", "Isolate", "SiteSplit", "WitnessFail"))
spec.knob("nodes", 3, "cluster nodes N1..Nn; site 1 holds the first ceil(n/2)", lo=2, hi=5)
spec.knob("witness", True, "a file share witness is configured (false: no witness)")
spec.knob("dynamic_quorum", True, "DynamicQuorum: regroups remove the votes of nodes "
          "that left and joins give them back (vendor default on)")
spec.knob("dynamic_witness", True, "the witness votes only while the number of voting nodes "
          "is even and it is online (2012 R2+; vendor default on)")
spec.knob("tie_breaker", True, "keep the vote total odd by removing one node's vote "
          "(2012 R2+ 50% split tie breaker; needs dynamic_quorum)")
spec.knob("lower_quorum_priority_node", 0, "LowerQuorumPriorityNodeID: the node whose vote "
          "the tie breaker removes first; 0 = not set (lowest voting id)", lo=0, hi=5)
spec.knob("heartbeat_threshold", 2, "ticks of missed heartbeats before a regroup "
          "(SameSubnetThreshold; vendor 10 at 1 s per tick)", lo=1)
spec.knob("failover_limit", 2, "automatic failovers of the group allowed in the period "
          "(vendor default n-1 in 6 hours; the period outlasts every run)", lo=0)
spec.knob("max_faults", 2, "crashes, isolations, site splits and witness failures in one run",
          lo=0)
spec.knob("sequential_faults", False, "a fault may happen only while no regroup is pending "
          "(failures are sequential, never simultaneous)")
spec.knob("node_failures_only", False, "the only fault is a node crash (no isolation, site "
          "split or witness failure): how many nodes can be lost")
spec.knob("force_quorum", False, "the administrator may start a partition with /ForceQuorum")

def node_names(count):
    return [f"N{i}" for i in range(1, count + 1)]


def site_of(name, count):
    """Site 1 holds the first ceil(count/2) nodes, site 2 the rest."""
    return 1 if int(name[1:]) <= (count + 1) // 2 else 2


def count(conditions):
    """How many of the conditions hold (the language has no counting helper)."""
    total = 0
    for c in conditions:
        total = ite(c, 1, 0) if isinstance(total, int) else total + ite(c, 1, 0)
    return ite(False, 0, 0) if isinstance(total, int) else total


def even(value, largest):
    return any_of(value == v for v in range(0, largest + 1, 2))


def initial_table(k):
    """The vote table of the cluster formed by all nodes: `rebalance` on concrete values."""
    names = node_names(k.nodes)
    if not k.dynamic_quorum:
        return {n: True for n in names}, k.witness
    votes = {n: True for n in names}
    wvote = k.witness and (not k.dynamic_witness or k.nodes % 2 == 0)
    if k.tie_breaker and k.nodes >= 2 and (k.nodes + wvote) % 2 == 0:
        preferred = f"N{k.lower_quorum_priority_node}"
        votes[preferred if preferred in votes else names[0]] = False
    return votes, wvote


@spec.model
def build(m):
    k = m.k
    N, T, L, F = k.nodes, k.heartbeat_threshold, k.failover_limit, k.max_faults
    if k.lower_quorum_priority_node > N:
        raise ValueError(f"lower_quorum_priority_node = {k.lower_quorum_priority_node} "
                         f"names no node of {N}")
    names = node_names(N)
    nodes = m.index("Node", names)
    votes0, wvote0 = initial_table(k)

    m.var("up", Bool(), over=nodes, init=True)
    m.var("member", Bool(), over=nodes, init=True)
    m.var("vote", Bool(), over=nodes, init=votes0)
    m.var("hosts", Bool(), over=nodes, init={n: n == "N1" for n in names})
    m.var("nic", Bool(), over=nodes, init=True)
    m.var("site_link", Bool(), init=True)
    m.var("witness_up", Bool(), init=k.witness)
    m.var("wvote", Bool(), init=wvote0)
    m.var("pending", Bool(), init=False)
    m.var("missed", IntRange(0, T), init=0)
    m.var("fo_left", IntRange(0, L), init=L)
    m.var("faults", IntRange(0, F), init=F)
    m.var("quorum_lost", Bool(), init=False)

    def before(n):
        return names[:names.index(n)]

    def conn(s, a, b):
        """a and b exchange heartbeats: both NICs up, same site or the site link up."""
        if a == b:
            return TRUE
        same_site = site_of(a, N) == site_of(b, N)
        return all_of([s.nic[a], s.nic[b], True if same_site else s.site_link])

    def total_votes(s):
        return count(s.vote[n] for n in names) + ite(s.wvote, 1, 0)

    def witness_free(s):
        """No running member can reach the share, so nobody holds its lock."""
        return ~any_of(s.member[n] & s.nic[n] for n in names)

    def rebalance(s, members):
        """The vote table for a new membership (dynamic quorum, dynamic witness, tie breaker)."""
        if not k.dynamic_quorum:
            return {n: True for n in names}, k.witness
        voters = count(members[n] for n in names)
        if k.witness:
            wvote = (s.witness_up & even(voters, N)) if k.dynamic_witness else True
        else:
            wvote = False
        votes = dict(members)
        if k.tie_breaker:
            tie = (voters >= 2) & even(voters + ite(wvote, 1, 0), N + 1)
            preferred = f"N{k.lower_quorum_priority_node}"
            for n in names:
                lowest = all_of(~members[p] for p in before(n))
                if preferred in names:
                    victim = (n == preferred) | (~members[preferred] & lowest)
                else:
                    victim = lowest
                votes[n] = members[n] & ~(tie & victim)
        return votes, wvote

    def first_in_component(s, n, present):
        """n is the lowest id among the nodes of its component for which `present` holds."""
        return all_of(~(conn(s, n, p) & present(p)) for p in before(n))

    def not_settled(s):
        return ~s.pending if k.sequential_faults else True

    @m.action()
    def tick(s):
        """One heartbeat interval passes; a pending loss counts one more missed heartbeat."""
        s.missed = ite(s.pending, min_(s.missed + 1, T), s.missed)

    @m.action()
    def regroup(s):
        """The heartbeat threshold ran out: each partition counts its votes; the majority stays."""
        s.require(s.pending & (s.missed == T))
        # The lowest-id running member that reaches the share arbitrates the witness.
        reaches = {n: s.member[n] & s.nic[n] & s.witness_up for n in names}
        arbiter = {n: reaches[n] & all_of(~reaches[p] for p in before(n)) for n in names}
        total = total_votes(s)
        quorate = {}
        for n in names:
            mine = (count(conn(s, n, p) & s.member[p] & s.vote[p] for p in names)
                    + ite(s.wvote & any_of(conn(s, n, p) & arbiter[p] for p in names), 1, 0))
            quorate[n] = s.member[n] & (mine + mine > total)
        someone = any_of(quorate.values())
        votes, wvote = rebalance(s, quorate)
        for n in names:
            s.member[n] = quorate[n]
            s.hosts[n] = s.hosts[n] & quorate[n]
            s.vote[n] = ite(someone, votes[n], s.vote[n])
        s.wvote = ite(someone, wvote, s.wvote)
        s.quorum_lost = s.quorum_lost | (~someone & any_of(s.member[n] for n in names))
        s.pending = False
        s.missed = 0

    @m.action(n=nodes)
    def join(s, n):
        """Up node {n} joins the running cluster it can reach and gets its vote back."""
        s.require(~s.pending & s.up[n] & ~s.member[n]
                  & any_of(conn(s, n, p) & s.member[p] for p in names if p != n))
        votes, wvote = rebalance(s, {p: TRUE if p == n else s.member[p] for p in names})
        s.member[n] = True
        for p in names:
            s.vote[p] = votes[p]
        s.wvote = wvote

    def formers(s, n):
        return {p: all_of([conn(s, n, p), s.up[p]]) for p in names}

    def may_start(s, n):
        """n is up, stopped, sees no running member and is the lowest up id of its component."""
        return (s.up[n] & ~s.member[n]
                & all_of(~(conn(s, n, p) & s.member[p]) for p in names)
                & first_in_component(s, n, lambda p: s.up[p]))

    def start(s, group):
        """The group starts the cluster; its vote table counts only its own members."""
        votes, wvote = rebalance(s, group)
        for p in names:
            s.member[p] = s.member[p] | group[p]
            s.vote[p] = votes[p]
        s.wvote = wvote

    @m.action(n=nodes)
    def form(s, n):
        """Node {n} forms the cluster with the up nodes it reaches: they hold a majority."""
        group = formers(s, n)
        mine = (count(group[p] & s.vote[p] for p in names)
                + ite(s.wvote & s.nic[n] & s.witness_up & witness_free(s), 1, 0))
        s.require(~s.pending & may_start(s, n) & (mine + mine > total_votes(s)))
        start(s, group)

    @m.action(n=nodes)
    def failover(s, n):
        """The group is offline in {n}'s partition; {n}, first in id order, brings it online."""
        s.require(~s.pending & s.member[n] & (s.fo_left > 0)
                  & all_of(~(conn(s, n, p) & s.hosts[p]) for p in names)
                  & first_in_component(s, n, lambda p: s.member[p]))
        s.hosts[n] = True
        s.fo_left = s.fo_left - 1

    if k.force_quorum:
        @m.action(n=nodes, cls="administrator")
        def force_quorum(s, n):
            """The administrator starts {n} with /ForceQuorum; the nodes it reaches join (/PQ)."""
            s.require(may_start(s, n))
            start(s, formers(s, n))

    @m.action(n=nodes)
    def crash(s, n):
        """Node {n} crashes; the cluster notices at the next regroup."""
        s.require(s.up[n] & (s.faults > 0) & not_settled(s))
        s.up[n] = False
        s.member[n] = False
        s.hosts[n] = False
        s.faults = s.faults - 1
        s.pending = s.pending | s.member[n]

    @m.action(n=nodes, cls="repair")
    def restart(s, n):
        """Node {n} boots; its cluster service is not yet in the cluster."""
        s.require(~s.up[n])
        s.up[n] = True

    if k.node_failures_only:
        # Without these faults no NIC, link or witness ever fails, so their repairs
        # would never be enabled either.
        return

    @m.action(n=nodes)
    def isolate(s, n):
        """Node {n} loses its network: it reaches neither the other nodes nor the witness."""
        s.require(s.nic[n] & (s.faults > 0) & not_settled(s))
        s.nic[n] = False
        s.faults = s.faults - 1
        s.pending = True

    @m.action(n=nodes, cls="repair")
    def reconnect(s, n):
        """Node {n}'s network is repaired."""
        s.require(~s.nic[n])
        s.nic[n] = True
        s.pending = True

    @m.action()
    def site_split(s):
        """The link between the two sites fails."""
        s.require(s.site_link & (s.faults > 0) & not_settled(s))
        s.site_link = False
        s.faults = s.faults - 1
        s.pending = True

    @m.action(cls="repair")
    def site_heal(s):
        """The link between the two sites is repaired."""
        s.require(~s.site_link)
        s.site_link = True
        s.pending = True

    if k.witness:
        @m.action()
        def witness_fail(s):
            """The file share witness fails."""
            s.require(s.witness_up & (s.faults > 0) & not_settled(s))
            s.witness_up = False
            s.faults = s.faults - 1
            s.pending = True

        @m.action(cls="repair")
        def witness_repair(s):
            """The file share witness is back online."""
            s.require(~s.witness_up)
            s.witness_up = True
            s.pending = True
