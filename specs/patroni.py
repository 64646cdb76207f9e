"""Patroni with etcd: PostgreSQL failover by a leader key with a TTL
(specs/patroni/SEMANTICS.md).

Members A, B (and C) run PostgreSQL under Patroni; A starts as the primary and
holds the leader key in the etcd majority. Each Patroni member runs an HA
cycle every `loop_wait`: the primary reads the cluster from etcd and then
refreshes the key; every etcd call may take up to `retry_timeout`. A replica
creates the key once it has expired and promotes. One Tick is 5 seconds;
every counter saturates. Action names and comments follow SEMANTICS.md: reads
are the state before the action, assignments the state after.
"""

from ccrverify.lang import Bool, Enum, IntRange, Seq, Spec, all_of, any_of, ite, max_, min_

spec = Spec("Patroni", __doc__, clock="Tick", lane_index="Node", shared_lane="etcd",
            faults=("Crash", "Isolate", "IsolateStale"))
spec.knob("members", 2, "Patroni members: A (the first primary), B, C", lo=2, hi=3)
spec.knob("ttl", 6, "leader key TTL in ticks of 5 s (Patroni default 30 s)", lo=1)
spec.knob("loop_wait", 2, "ticks from one HA cycle start to the next (Patroni default 10 s)", lo=1)
spec.knob("retry_timeout", 2, "ticks an etcd call may take before it is abandoned "
          "(Patroni default 10 s)", lo=1)
spec.knob("demote_on_failed_update", True, "demote as soon as the leader key update fails "
          "(PR 316); false: re-read the cluster and demote only if it names another leader")
spec.knob("isolate", True, "the Isolate fault exists: a member's host is cut off from etcd "
          "and from the other members (no etcd member answers it)")
spec.knob("stale_reads", True, "the IsolateStale fault exists: a member's host is cut off "
          "together with its own etcd member, which keeps answering reads with the leader key "
          "it last saw (issue 308)")
spec.knob("synchronous_mode", False, "Patroni synchronous_mode (non-strict): commits wait for "
          "the synchronous standby; only it or the last leader may take the key")
spec.knob("writes", 1, "client transactions, ids 1..W, each committed at most once", lo=1)
spec.knob("max_faults", 2, "crashes plus isolations allowed in one run", lo=0)
spec.knob("restart_fair", True, "liveness only: a crashed host is eventually restarted (weak "
          "fairness of Restart); false asks what happens if it never comes back")

# Action classes (SEMANTICS.md, "Liveness and failover time"): Tick is the clock,
# Crash, Isolate and IsolateStale the faults (Spec(faults=...)), Write the workload,
# Restart and Heal the repairs, every other action protocol. Clock, protocol and
# repair actions are weakly fair per instance; faults and the workload are not.

ALL_NODES = ["A", "B", "C"]
ROLE = Enum("Role", ["primary", "replica"])
NET = Enum("Net", ["ok", "isolated", "stale"])
PHASE = Enum("Phase", ["idle", "read", "update", "recheck"])
ACK = Enum("Ack", ["no", "async", "sync"])


@spec.model
def build(m):
    k = m.k
    T, L, R = k.ttl, k.loop_wait, k.retry_timeout
    W, F = k.writes, k.max_faults
    sync_mode = k.synchronous_mode
    names = ALL_NODES[:k.members]
    nodes = m.index("Node", names)
    write_ids = m.index("Write", range(1, W + 1))
    owner = Enum("Owner", ["none", *names])

    m.var("holder", owner, init="A")
    m.var("lease", IntRange(0, T), init=T)
    m.var("sync_leader", owner, init="A" if sync_mode else "none")
    m.var("sync_standby", owner, init="B" if sync_mode else "none")
    m.var("acked", ACK, over=write_ids, init="no")
    m.var("faults", IntRange(0, F), init=F)
    m.var("up", Bool(), over=nodes, init=True)
    m.var("role", ROLE, over=nodes, init={n: "primary" if n == "A" else "replica" for n in names})
    m.var("net", NET, over=nodes, init="ok")
    m.var("frozen", owner, over=nodes, init="none")
    m.var("phase", PHASE, over=nodes, init="idle")
    m.var("since", IntRange(0, L), over=nodes, init=0)
    m.var("elapsed", IntRange(0, R), over=nodes, init=0)
    m.var("standby", owner, over=nodes,
          init={n: "B" if sync_mode and n == "A" else "none" for n in names})
    m.var("log", Seq(IntRange(1, W), W), over=nodes, init=())

    def others(n):
        return [o for o in names if o != n]

    def loop(s, n):
        """n runs the primary's HA cycle: it is up and PostgreSQL runs as primary."""
        return s.up[n] & (s.role[n] == "primary")

    def reach(s, n):
        """n is up and can talk to the etcd majority and to the other members."""
        return s.up[n] & (s.net[n] == "ok")

    def streams(s, r, p):
        """Replica r streams WAL from primary p."""
        return reach(s, r) & reach(s, p) & (s.role[r] == "replica") & (s.role[p] == "primary")

    def demote(s, n):
        """n restarts PostgreSQL read-only and leaves the cycle; the key stays in etcd
        (Patroni demotes with delete_leader=False)."""
        s.role[n] = "replica"
        s.standby[n] = "none"
        s.phase[n] = "idle"
        s.since[n] = 0
        s.elapsed[n] = 0

    def finish_read(s, n, seen):
        """The cycle's read returned `seen` as the key's owner (phase read or recheck)."""
        in_read = s.phase[n] == "read"
        # read: own key or no key -> refresh it; recheck (before PR 316): only its own key
        # keeps n primary, and then without a refresh
        keep = ite(in_read, (seen == n) | (seen == "none"), seen == n)
        s.role[n] = ite(keep, s.role[n], "replica")
        s.standby[n] = ite(keep, s.standby[n], "none")
        s.phase[n] = ite(keep & in_read, PHASE("update"), PHASE("idle"))
        s.since[n] = ite(keep, s.since[n], 0)
        s.elapsed[n] = 0

    def due(s, n):
        """A deadline of n's cycle falls now: time may not pass it."""
        return loop(s, n) & (((s.phase[n] == "idle") & (s.since[n] == L))
                             | ((s.phase[n] != "idle") & (s.elapsed[n] == R)))

    @m.action()
    def tick(s):
        """5 seconds pass."""
        s.require(~any_of(due(s, n) for n in nodes))
        # A key expires strictly after its TTL: the tick that finds lease 0 removes it,
        # so a key refreshed at u is there at u..u+T (SEMANTICS.md, Time).
        s.holder = ite(s.lease == 0, "none", s.holder)
        s.lease = max_(s.lease - 1, 0)
        for n in nodes:
            running = loop(s, n)
            s.since[n] = ite(running, min_(s.since[n] + 1, L), s.since[n])
            s.elapsed[n] = ite(running & (s.phase[n] != "idle"), s.elapsed[n] + 1,
                               s.elapsed[n])

    @m.action(n=nodes)
    def start_cycle(s, n):
        """Primary {n} starts an HA cycle: it reads the cluster from etcd."""
        s.require(loop(s, n) & (s.phase[n] == "idle") & (s.since[n] == L))
        s.phase[n] = "read"
        s.since[n] = 0
        s.elapsed[n] = 0

    @m.action(n=nodes)
    def read(s, n):
        """Primary {n}'s read of the leader key returns from the etcd majority."""
        s.require(loop(s, n) & ((s.phase[n] == "read") | (s.phase[n] == "recheck"))
                  & (s.net[n] == "ok"))
        finish_read(s, n, s.holder)

    if k.stale_reads:
        @m.action(n=nodes)
        def stale_read(s, n):
            """Primary {n}'s read returns stale data from its partitioned etcd member."""
            s.require(loop(s, n) & ((s.phase[n] == "read") | (s.phase[n] == "recheck"))
                      & (s.net[n] == "stale"))
            finish_read(s, n, s.frozen[n])

    @m.action(n=nodes)
    def read_timeout(s, n):
        """Primary {n} cannot reach etcd: the read fails after retry_timeout and it demotes."""
        s.require(loop(s, n) & ((s.phase[n] == "read") | (s.phase[n] == "recheck"))
                  & (s.net[n] == "isolated") & (s.elapsed[n] == R))
        demote(s, n)  # a DCS error demotes the primary, before and after PR 316

    @m.action(n=nodes)
    def update(s, n):
        """Primary {n} refreshes (or re-creates) the leader key: it lives ttl more ticks."""
        s.require(loop(s, n) & (s.phase[n] == "update") & (s.net[n] == "ok")
                  & ((s.holder == n) | (s.holder == "none")))
        s.holder = n
        s.lease = T
        s.phase[n] = "idle"
        s.elapsed[n] = 0

    @m.action(n=nodes)
    def update_failed(s, n):
        """Primary {n}'s key update fails: the key is another's, or etcd is unreachable."""
        rejected = (s.net[n] == "ok") & (s.holder != n) & (s.holder != "none")
        timed_out = (s.net[n] != "ok") & (s.elapsed[n] == R)
        s.require(loop(s, n) & (s.phase[n] == "update") & (rejected | timed_out))
        if k.demote_on_failed_update:  # PR 316: demote at once
            demote(s, n)
        else:  # before PR 316: read the cluster again and follow what it says
            s.phase[n] = "recheck"
            s.elapsed[n] = 0

    def eligible(s, n):
        """n may race for a free key (Patroni's is_healthiest_node)."""
        parts = []
        for o in others(n):
            seen = reach(s, o)
            parts.append(~(seen & (s.role[o] == "primary")))  # "Primary (o) is still alive"
            ahead = s.log[o].len > s.log[n].len
            if sync_mode:  # the former leader may be ahead in synchronous mode
                ahead = ahead & (s.sync_leader != o)
            parts.append(~(seen & ahead))
        if sync_mode:
            parts.append((s.sync_standby == n) | (s.sync_leader == n))
        return all_of(parts)

    @m.action(n=nodes)
    def acquire(s, n):
        """Replica {n} takes the leader key (its own, or a free one) and promotes."""
        s.require(reach(s, n) & (s.role[n] == "replica")
                  & ((s.holder == n) | ((s.holder == "none") & eligible(s, n))))
        s.holder = n
        s.lease = T
        s.role[n] = "primary"
        s.phase[n] = "idle"
        s.since[n] = 0
        s.elapsed[n] = 0
        s.standby[n] = "none"
        if sync_mode:  # before promoting, /sync names n as leader and no standby yet
            s.sync_leader = n
            s.sync_standby = "none"

    @m.action(r=nodes, p=nodes)
    def replicate(s, r, p):
        """Replica {r} streams the next WAL record from primary {p}."""
        s.require((r != p) & streams(s, r, p) & (s.log[r].len < s.log[p].len)
                  & s.log[r].is_prefix_of(s.log[p]))
        s.log[r] = s.log[r].append(s.log[p][s.log[r].len])

    @m.action(r=nodes, p=nodes)
    def rewind(s, r, p):
        """Replica {r} has diverged from primary {p}: pg_rewind, then catch up."""
        s.require((r != p) & streams(s, r, p) & ~s.log[r].is_prefix_of(s.log[p]))
        s.log[r] = s.log[p]

    if sync_mode:
        @m.action(p=nodes, r=nodes)
        def set_sync(s, p, r):
            """Leader {p} makes caught-up replica {r} its synchronous standby."""
            s.require((r != p) & loop(s, p) & (s.holder == p) & (s.net[p] == "ok")
                      & (s.standby[p] == "none") & streams(s, r, p) & (s.log[r] == s.log[p]))
            s.standby[p] = r
            s.sync_leader = p
            s.sync_standby = r

        @m.action(n=nodes)
        def drop_sync(s, n):
            """Leader {n} drops a synchronous standby that no longer streams (standalone)."""
            lost = any_of((s.standby[n] == o) & ~streams(s, o, n) for o in others(n))
            s.require(loop(s, n) & (s.holder == n) & (s.net[n] == "ok") & lost)
            s.standby[n] = "none"
            s.sync_leader = n
            s.sync_standby = "none"

    @m.action(n=nodes, w=write_ids, cls="workload")
    def write(s, n, w):
        """A client commits transaction {w} on primary {n}."""
        s.require(loop(s, n) & (s.acked[w] == "no"))
        s.log[n] = s.log[n].append(w)
        if sync_mode:  # the commit waits for the synchronous standby, if n has one
            alone = s.standby[n] == "none"
            partners = [(s.standby[n] == o) & streams(s, o, n) & (s.log[o] == s.log[n])
                        for o in others(n)]
            s.require(alone | any_of(partners))
            for o, partner in zip(others(n), partners, strict=True):
                s.log[o] = s.log[o].append_if(partner, w)
            s.acked[w] = "sync"
        else:
            s.acked[w] = "async"

    @m.action(n=nodes)
    def crash(s, n):
        """Member {n}'s host crashes; its disk keeps the WAL."""
        s.require(s.up[n] & (s.faults > 0))
        s.up[n] = False
        demote(s, n)  # PostgreSQL is gone; Patroni will start it as a replica
        s.faults = s.faults - 1

    @m.action(n=nodes, cls="repair", fair="weak" if k.restart_fair else None)
    def restart(s, n):
        """Member {n} boots; Patroni starts PostgreSQL as a replica."""
        s.require(~s.up[n])
        s.up[n] = True

    if k.isolate:
        @m.action(n=nodes)
        def isolate(s, n):
            """Member {n}'s host is cut off from etcd and from the other members."""
            s.require((s.net[n] == "ok") & (s.faults > 0))
            s.net[n] = "isolated"
            s.faults = s.faults - 1

    if k.stale_reads:
        @m.action(n=nodes)
        def isolate_stale(s, n):
            """Member {n}'s host is cut off with its etcd member, which serves stale reads."""
            s.require((s.net[n] == "ok") & (s.faults > 0))
            s.net[n] = "stale"
            s.frozen[n] = s.holder
            s.faults = s.faults - 1

    @m.action(n=nodes, cls="repair")
    def heal(s, n):
        """Member {n}'s network is repaired."""
        s.require(s.net[n] != "ok")
        s.net[n] = "ok"
        s.frozen[n] = "none"
