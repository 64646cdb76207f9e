"""CCR-core: Exchange 2007 Cluster Continuous Replication (PROTOCOL.md).

Two mailbox nodes A and B, one hub W that hosts the file share witness and the
transport dumpster, links AB (heartbeats, log copying), AW and BW (mail,
resubmission, witness renewal). One Tick is one heartbeat interval; every
counter saturates. Each action below carries PROTOCOL.md's name and reads as
its text: reads are the state before the action, assignments the state after.
Action classes and fairness follow "Liveness and failover time": Tick is the
clock, Crash and Cut are faults, Restart and Heal repairs, Deliver workload,
Move the administrator's; clock, protocol and repair actions are weakly fair.
"""

from ccrverify.lang import Bool, Enum, IntRange, Seq, Spec, any_of, ite, min_

spec = Spec("CCR", __doc__, clock="Tick", lane_index="Node", shared_lane="W",
            faults=("Crash", "Cut"))
spec.knob("messages", 2, "mail items, ids 1..M, all queued at the hub at start", lo=1)
spec.knob("heartbeat_tolerance", 2, "missed heartbeat intervals before the peer is declared down",
          lo=1)
spec.knob("witness_lease", 2, "ticks the witness share keeps a claim that is not renewed", lo=1)
spec.knob("renew_grace", 1, "failed renewals after which a holder stops believing it holds "
          "the witness", lo=1)
spec.knob("mount_dial", 0, "most missing logs allowed for an automatic mount "
          "(AutoDatabaseMountDial: Lossless 0, GoodAvailability 6, BestAvailability 12)", lo=0)
spec.knob("dumpster_size", 1, "most messages the dumpster keeps; the oldest is evicted first",
          lo=0)
spec.knob("dumpster_time", 0, "ticks a message stays in the dumpster; 0 means no age limit", lo=0)
spec.knob("max_faults", 2, "crashes plus link cuts allowed in one run", lo=0)
spec.knob("handoff", True, "whether the scheduled handoff (Move-ClusteredMailboxServer) exists")
spec.knob("restart_fair", True, "liveness only: a crashed node is eventually restarted (weak "
          "fairness of Restart); false asks what happens if nobody restarts it")

ROLE = Enum("Role", ["active", "passive", "offline"])
OWNER = Enum("Owner", ["none", "A", "B"])
NODE_NAMES = ["A", "B"]


def peer(n):
    return "B" if n == "A" else "A"


def hub_link(n):
    return f"{n}W"


@spec.model
def build(m):
    k = m.k
    M, T, L, G = k.messages, k.heartbeat_tolerance, k.witness_lease, k.renew_grace
    D, S, R, F = k.mount_dial, k.dumpster_size, k.dumpster_time, k.max_faults
    nodes = m.index("Node", NODE_NAMES)
    msgs = m.index("Msg", range(1, M + 1))
    links = m.index("Link", ["AB", "AW", "BW"])
    msg_id = IntRange(1, M)

    m.var("up", Bool(), over=nodes, init=True)
    m.var("role", ROLE, over=nodes, init={"A": "active", "B": "passive"})
    m.var("missed", IntRange(0, T), over=nodes, init=0)
    m.var("holds", Bool(), over=nodes, init={"A": True, "B": False})
    m.var("rfail", IntRange(0, G - 1), over=nodes, init=0)
    m.var("known", IntRange(0, M), over=nodes, init=0)
    m.var("log", Seq(msg_id, M), over=nodes, init=())
    m.var("pend", Bool(), over=nodes, init=False)
    m.var("owner", OWNER, init="A")
    m.var("lease", IntRange(0, L), init=L)
    m.var("acked", Bool(), over=msgs, init=False)
    m.var("dump", Seq(msg_id, S), init=())
    # Ages exist only with an age limit; without one `age` is always empty.
    m.var("age", Seq(IntRange(0, R - 1 if R > 0 else 0), S if R > 0 else 0), init=())
    m.var("link", Bool(), over=links, init=True)
    m.var("faults", IntRange(0, F), init=F)

    def serving(s, n):
        return s.up[n] & (s.role[n] == "active")

    @m.action(n=nodes, mid=msgs, cls="workload")
    def deliver(s, n, mid):
        """The hub delivers mail {mid} to active node {n}, which logs and acknowledges it."""
        s.require(serving(s, n) & s.link[hub_link(n)] & ~s.acked[mid])
        s.log[n] = s.log[n].append(mid)
        s.acked[mid] = True
        if S > 0:  # push on the dumpster, evicting the oldest entry when over S
            full = s.dump.len >= S
            s.dump = s.dump.append(mid).drop_first_if(full)
            if R > 0:
                s.age = s.age.append(0).drop_first_if(full)

    @m.action(n=nodes)
    def replicate(s, n):
        """Passive node {n} copies the next closed log from the active."""
        p = peer(n)
        s.require(s.up[n] & (s.role[n] == "passive") & serving(s, p) & s.link["AB"]
                  & (s.log[n].len < s.log[p].len) & s.log[n].is_prefix_of(s.log[p]))
        s.log[n] = s.log[n].append(s.log[p][s.log[n].len])
        s.known[n] = s.log[p].len

    @m.action(n=nodes)
    def reseed(s, n):
        """Passive node {n} has diverged from the active and is reseeded from it."""
        p = peer(n)
        s.require(s.up[n] & (s.role[n] == "passive") & serving(s, p) & s.link["AB"]
                  & ~s.log[n].is_prefix_of(s.log[p]))
        s.log[n] = s.log[p]
        s.known[n] = s.log[p].len

    @m.action()
    def tick(s):
        """One heartbeat interval passes."""
        missed_after, holds_after = {}, {}
        for n in nodes:
            p = peer(n)
            # 1. Heartbeats.
            idle = ~s.up[n] | (s.role[n] == "offline")
            heard = s.link["AB"] & s.up[p] & (s.role[p] != "offline")
            missed_after[n] = ite(idle | heard, 0, min_(s.missed[n] + 1, T))
            s.known[n] = ite(~idle & heard & (s.role[p] == "active"), s.log[p].len, s.known[n])
            # 2. Renewal, node side.
            renewed = s.link[hub_link(n)]
            gives_up = s.rfail[n] + 1 >= G
            holds_after[n] = s.holds[n] & (renewed | ~gives_up)
            s.rfail[n] = ite(s.holds[n], ite(renewed | gives_up, 0, s.rfail[n] + 1), s.rfail[n])
            s.holds[n] = holds_after[n]
        # 3. Renewal, witness side, on the values before the tick.
        has_owner = s.owner != "none"
        owner_renews = any_of((s.owner == o) & s.up[o] & s.holds[o] & s.link[hub_link(o)]
                              for o in nodes)
        lease_after = ite(has_owner, ite(owner_renews, L, s.lease - 1), s.lease)
        s.lease = lease_after
        s.owner = ite(has_owner & (lease_after == 0), "none", s.owner)
        # 4. Dumpster ageing, only with an age limit.
        if R > 0:
            stays = [present & (a + 1 < R) for present, a in s.age.entries()]
            s.dump = s.dump.keep_where(stays)
            s.age = s.age.map(lambda a: a + 1).keep_where(stays)
        # 5. Quorum check, on missed and holds after steps 1-2.
        for n in nodes:
            votes = 1 + ite(missed_after[n] < T, 1, 0) + ite(holds_after[n], 1, 0)
            dismount = serving(s, n) & (votes < 2)
            s.role[n] = ite(dismount, "offline", s.role[n])
            s.pend[n] = ite(dismount, False, s.pend[n])
            s.missed[n] = ite(dismount, 0, missed_after[n])

    @m.action(n=nodes)
    def claim(s, n):
        """Node {n}, having declared its peer down, takes the free witness."""
        s.require(s.up[n] & (s.role[n] != "offline") & (s.missed[n] == T) & ~s.holds[n]
                  & s.link[hub_link(n)] & (s.owner == "none"))
        s.owner = n
        s.lease = L
        s.holds[n] = True
        s.rfail[n] = 0

    @m.action(n=nodes)
    def failover(s, n):
        """Passive node {n} declared the active down, holds the witness and mounts."""
        s.require(s.up[n] & (s.role[n] == "passive") & (s.missed[n] == T) & s.holds[n]
                  & (s.known[n] - s.log[n].len <= D))
        s.role[n] = "active"
        s.pend[n] = True

    @m.action(n=nodes)
    def activate(s, n):
        """Two connected passive nodes bring the database online on {n}."""
        p = peer(n)
        longer = (s.log[n].len > s.log[p].len) | ((s.log[n].len == s.log[p].len) & (n == "A"))
        s.require(s.up[n] & s.up[p] & s.link["AB"] & (s.role[n] == "passive")
                  & (s.role[p] == "passive") & (s.missed[n] < T) & (s.missed[p] < T) & longer)
        s.role[n] = "active"
        s.pend[n] = True

    if k.handoff:
        @m.action(n=nodes, cls="administrator")
        def move(s, n):
            """Scheduled handoff: active node {n} hands the database to its caught-up peer."""
            p = peer(n)
            s.require(s.up[n] & s.up[p] & s.link["AB"] & (s.missed[n] < T) & (s.missed[p] < T)
                      & (s.role[n] == "active") & (s.role[p] == "passive") & ~s.pend[n]
                      & (s.log[p] == s.log[n]))
            s.role[n] = "passive"
            s.role[p] = "active"

    @m.action(n=nodes)
    def resubmit(s, n):
        """The hub resubmits its dumpster to new active node {n}."""
        s.require(serving(s, n) & s.pend[n] & s.link[hub_link(n)])
        log = s.log[n]
        for present, mail in s.dump.entries():
            log = log.append_if(present & ~s.log[n].contains(mail), mail)
        s.log[n] = log
        s.pend[n] = False

    @m.action(n=nodes)
    def crash(s, n):
        """Node {n} crashes; its disk keeps the log."""
        s.require(s.up[n] & (s.faults > 0))
        s.up[n] = False
        s.role[n] = "offline"
        s.holds[n] = False
        s.rfail[n] = 0
        s.missed[n] = 0
        s.pend[n] = False
        s.faults = s.faults - 1

    @m.action(n=nodes, cls="repair", fair="weak" if k.restart_fair else None)
    def restart(s, n):
        """Node {n} restarts, still offline."""
        s.require(~s.up[n])
        s.up[n] = True

    @m.action(n=nodes)
    def rejoin(s, n):
        """Offline node {n} joins the running cluster as passive."""
        p = peer(n)
        s.require(s.up[n] & (s.role[n] == "offline") & s.link["AB"] & s.up[p]
                  & (s.role[p] != "offline"))
        s.role[n] = "passive"
        s.missed[n] = 0
        s.missed[p] = 0

    @m.action()
    def form_pair(s):
        """Both offline nodes form the cluster together (two votes)."""
        s.require(s.up["A"] & s.up["B"] & (s.role["A"] == "offline")
                  & (s.role["B"] == "offline") & s.link["AB"])
        for n in nodes:
            s.role[n] = "passive"
            s.missed[n] = 0

    @m.action(n=nodes)
    def form_alone(s, n):
        """Offline node {n} forms the cluster with the witness alone."""
        p = peer(n)
        s.require(s.up[n] & (s.role[n] == "offline") & (~s.up[p] | (s.role[p] == "offline"))
                  & s.link[hub_link(n)] & (s.owner == "none"))
        s.role[n] = "passive"
        s.owner = n
        s.lease = L
        s.holds[n] = True
        s.rfail[n] = 0
        s.missed[n] = T

    @m.action(l=links)
    def cut(s, l):  # noqa: E741 - l is PROTOCOL.md's name for a link
        """Link {l} fails."""
        s.require(s.link[l] & (s.faults > 0))
        s.link[l] = False
        s.faults = s.faults - 1

    @m.action(l=links, cls="repair")
    def heal(s, l):  # noqa: E741
        """Link {l} is repaired."""
        s.require(~s.link[l])
        s.link[l] = True
