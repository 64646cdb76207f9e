"""DAG-DAC: an Exchange 2010+ Database Availability Group stretched over two
sites, with Datacenter Activation Coordination (specs/dag/SEMANTICS.md).

Members P1..Pp live in the primary site with the file share witness FSW;
members S1..Ss live in the second site with the alternate witness AWS, which
votes only after a datacenter switchover. One mailbox database has a copy on
every member. The sites are joined by one WAN link. One Tick is one cluster
regroup (a heartbeat-threshold period); every counter saturates. Each action
carries SEMANTICS.md's name and reads as its text: reads are the state before
the action, assignments the state after. Each action names its class
(SEMANTICS.md, "Actions"); clock, protocol and repair actions are weakly fair
per instance by the language's default, the others are not fair.
"""

from ccrverify.lang import Bool, Enum, IntRange, Seq, Spec, all_of, any_of, ite, max_, min_

spec = Spec("DAG", __doc__, clock="Tick", lane_index="Member", shared_lane="Sites",
            faults=("PowerLoss", "CutWan", "Crash"))
spec.knob("primary_members", 2, "DAG members in the primary site (with the file share witness)",
          lo=1)
spec.knob("second_members", 2, "DAG members in the second site (with the alternate witness)",
          lo=1)
spec.knob("writes", 1, "client writes, ids 1..W, each acknowledged once by an active copy",
          lo=1)
spec.knob("detect_ticks", 1, "regroups without a reachable active copy before Active Manager "
          "mounts a passive copy", lo=1)
spec.knob("mount_dial", 6, "most missing logs allowed for an automatic mount "
          "(AutoDatabaseMountDial: Lossless 0, GoodAvailability 6 = shipped default, "
          "BestAvailability 12)", lo=0)
spec.knob("max_faults", 2, "site power losses, WAN cuts and member crashes allowed in one run",
          lo=0)
spec.knob("dac", False, "Datacenter Activation Coordination mode (DACP); off by default")
spec.knob("switchover", True, "whether the administrator's datacenter switchover exists "
          "(Stop-DAG, Restore-DAG, Start-DAG); false leaves automatic failover alone")
spec.knob("power_faults", True, "whether a site can lose power (PowerLoss); false leaves WAN "
          "cuts and member crashes")
spec.knob("wan_faults", True, "whether the WAN link can fail (CutWan); false leaves site power "
          "losses and member crashes")


ROLE = Enum("Role", ["active", "passive", "offline"])
CONF = Enum("Conf", ["full", "second", "out"])
STARTED = Enum("Started", ["all", "second"])
SITES = ["primary", "second"]


def member_names(p, s):
    return [f"P{i}" for i in range(1, p + 1)] + [f"S{i}" for i in range(1, s + 1)]


def site_of(member):
    return "primary" if member.startswith("P") else "second"


@spec.model
def build(m):
    k = m.k
    W, T, D, F = k.writes, k.detect_ticks, k.mount_dial, k.max_faults
    names = member_names(k.primary_members, k.second_members)
    primary = [x for x in names if site_of(x) == "primary"]
    second = [x for x in names if site_of(x) == "second"]
    members = m.index("Member", names)
    sites = m.index("Site", SITES)
    write_ids = m.index("Write", range(1, W + 1))

    # The two cluster configurations. FULL: every member, plus the file share
    # witness (primary site) when the member count is even. SECOND (after
    # Restore-DAG): the second-site members, plus the alternate witness
    # (second site) when their count is even or one. A majority of the votes
    # is quorum.
    full_witness = len(names) % 2 == 0
    second_witness = len(second) % 2 == 0 or len(second) == 1
    full_need = (len(names) + full_witness) // 2 + 1
    second_need = (len(second) + second_witness) // 2 + 1

    m.var("power", Bool(), over=sites, init=True)
    m.var("wan", Bool(), init=True)
    m.var("up", Bool(), over=members, init=True)
    m.var("role", ROLE, over=members, init={x: "active" if x == "P1" else "passive"
                                           for x in names})
    m.var("conf", CONF, over=members, init="full")
    m.var("dacp", Bool(), over=members, init=bool(k.dac))
    m.var("missed", IntRange(0, T), over=members, init=0)
    m.var("log", Seq(IntRange(1, W), W), over=members, init=())
    # The copy queue length can only block a mount when the dial is below the
    # number of writes; otherwise `known` is never read and stays 0.
    track_known = D < W
    m.var("known", IntRange(0, W if track_known else 0), over=members, init=0)
    m.var("acked", Bool(), over=write_ids, init=False)
    m.var("started", STARTED, init="all")
    m.var("faults", IntRange(0, F), init=F)

    def reach(s, a, b):
        """Members a and b can talk when both run: same site, or across the WAN."""
        return True if site_of(a) == site_of(b) else s.wan

    def sees_witness(s, a, witness_site):
        """The witness of a site is up with its site's power and reached like a member."""
        near = True if site_of(a) == witness_site else s.wan
        return s.power[witness_site] & near

    def votes(s, a, conf, voters, witness, witness_site):
        """Votes of configuration `conf` that member a's partition holds."""
        total = 0
        for u in voters:
            total = total + ite(s.up[u] & (s.conf[u] == conf) & reach(s, a, u), 1, 0)
        if witness:
            total = total + ite(sees_witness(s, a, witness_site), 1, 0)
        return total

    def quorate(s, a):
        """Member a belongs to a partition holding a majority of its configuration; a
        full-configuration member that reaches a second-configuration one is stale."""
        stale = any_of(s.up[u] & (s.conf[u] == "second") & reach(s, a, u)
                       for u in names if u != a)
        full_ok = (votes(s, a, "full", names, full_witness, "primary") >= full_need) & ~stale
        second_ok = votes(s, a, "second", second, second_witness, "second") >= second_need
        return s.up[a] & (((s.conf[a] == "full") & full_ok)
                          | ((s.conf[a] == "second") & second_ok))

    def serving(s, a):
        return s.up[a] & (s.role[a] == "active")

    def sees_active(s, a):
        return any_of(serving(s, u) & reach(s, a, u) for u in names if u != a)

    @m.action(a=members, w=write_ids, cls="workload")
    def deliver(s, a, w):
        """Active member {a} writes {w} to its log and acknowledges it to the client."""
        s.require(serving(s, a) & ~s.acked[w])
        s.log[a] = s.log[a].append(w)
        s.acked[w] = True

    def ships(s, n, a):
        return (s.up[n] & (s.role[n] == "passive") & serving(s, a) & reach(s, n, a)
                & (s.conf[n] == s.conf[a]))

    @m.action(n=members, a=members, cls="protocol")
    def replicate(s, n, a):
        """Passive member {n} copies the next log from active member {a}."""
        s.require((n != a) & ships(s, n, a) & (s.log[n].len < s.log[a].len)
                  & s.log[n].is_prefix_of(s.log[a]))
        s.log[n] = s.log[n].append(s.log[a][s.log[n].len])
        if track_known:
            s.known[n] = s.log[a].len

    @m.action(n=members, a=members, cls="protocol")
    def reseed(s, n, a):
        """Passive member {n} has diverged from active member {a} and is reseeded from it."""
        s.require((n != a) & ships(s, n, a) & ~s.log[n].is_prefix_of(s.log[a]))
        s.log[n] = s.log[a]
        if track_known:
            s.known[n] = s.log[a].len

    def newer_config_seen(s, a):
        """Member a, still on the full configuration, meets a member on the second-site one."""
        return (s.conf[a] == "full") & any_of(s.up[u] & (s.conf[u] == "second") & reach(s, a, u)
                                              for u in names if u != a)

    def permission(s, a):
        """DACP: a member with its bit at 1 answers, or every started member does."""
        bit_holder = any_of(s.up[u] & s.dacp[u] & reach(s, a, u) for u in names if u != a)
        every_started = ite(s.started == "all",
                            all_of(s.up[u] & reach(s, a, u) for u in names),
                            all_of(s.up[u] & reach(s, a, u) for u in second))
        return bit_holder | every_started

    @m.action(cls="clock")
    def tick(s):
        """One cluster regroup: configurations sync, quorum decides membership, DACP is asked,
        and Active Manager looks for the active copy."""
        for a in names:
            others = [u for u in names if u != a]
            syncs = s.up[a] & newer_config_seen(s, a)
            member = quorate(s, a)  # never true for a member that syncs: it is stale
            # 1. Configuration sync: a second-site member takes the newer cluster
            #    database; a primary member finds itself evicted.
            if site_of(a) == "second":
                s.conf[a] = ite(syncs, "second", s.conf[a])
            else:
                s.conf[a] = ite(syncs, "out", s.conf[a])
            # 2. Membership: a member of a quorate partition joins it as passive (an
            #    active copy stays mounted); any other member goes offline (dismounts).
            role_after = ite(member, ite(s.role[a] == "offline", "passive", s.role[a]), "offline")
            s.role[a] = role_after
            passive_after = member & (s.role[a] != "active")
            # 3. Detection: regroups in a row without a reachable active copy.
            s.missed[a] = ite(passive_after & ~sees_active(s, a), min_(s.missed[a] + 1, T), 0)
            # 4. DACP: a member of a quorate partition asks for permission at every
            #    regroup until it has it.
            if k.dac:
                s.dacp[a] = s.dacp[a] | (member & permission(s, a))
            # 5. Copy queue: a passive copy learns the length of the active copy's log.
            if track_known:
                heard = [serving(s, u) & reach(s, a, u) & (s.conf[u] == s.conf[a]) for u in others]
                longest = 0
                for h, u in zip(heard, others, strict=True):
                    longest = max_(longest, ite(h, s.log[u].len, 0))
                s.known[a] = ite(passive_after & any_of(heard), longest, s.known[a])

    @m.action(a=members, cls="protocol")
    def mount(s, a):
        """Active Manager mounts the database on passive member {a}."""
        # Best copy: no running member of its configuration that it can reach
        # holds a longer log (ACLL would copy it, or best copy selection would
        # prefer that copy).
        best = all_of(~(s.up[u] & reach(s, a, u) & (s.conf[u] == s.conf[a])
                        & (s.log[u].len > s.log[a].len))
                      for u in names if u != a)
        s.require(s.up[a] & (s.role[a] == "passive") & (s.missed[a] == T) & quorate(s, a)
                  & ~sees_active(s, a) & best & (s.known[a] - s.log[a].len <= D))
        if k.dac:
            s.require(s.dacp[a])
        s.role[a] = "active"
        # The partition's Active Manager knows the copy is mounted now: the
        # detection count starts again for every member that can reach it.
        for u in names:
            if u != a:
                s.missed[u] = ite(reach(s, a, u), 0, s.missed[u])

    # The administrator's datacenter switchover and switchback; without them
    # (switchover = false) only automatic failover is left.
    if k.switchover:
        @m.action(cls="administrator")
        def stop_dag(s):
            """Stop-DatabaseAvailabilityGroup for the primary site, run in the second site."""
            s.require(s.power["second"] & (s.started == "all"))
            s.started = "second"
            for a in primary:
                reached = s.up[a] & s.wan
                s.conf[a] = ite(reached, "out", s.conf[a])
                s.role[a] = ite(reached, "offline", s.role[a])
                s.missed[a] = ite(reached, 0, s.missed[a])

        @m.action(cls="administrator")
        def restore_dag(s):
            """Restore-DatabaseAvailabilityGroup: the second site's members form the cluster alone,
            with the alternate witness."""
            s.require((s.started == "second")
                      & all_of([~s.up[a] | (s.conf[a] == "out") for a in primary])
                      & any_of(s.up[a] for a in second)
                      & all_of([s.conf[a] != "second" for a in second]))
            for a in second:
                s.conf[a] = ite(s.up[a], "second", s.conf[a])
                s.role[a] = ite(s.up[a], "passive", s.role[a])
                s.missed[a] = ite(s.up[a], 0, s.missed[a])
                if k.dac:
                    s.dacp[a] = s.dacp[a] | s.up[a]

        @m.action(cls="administrator")
        def start_dag(s):
            """Start-DatabaseAvailabilityGroup: the primary members rejoin the full cluster."""
            s.require((s.started == "second") & s.wan
                      & all_of([s.up[a] for a in names])
                      & all_of([s.conf[a] == "out" for a in primary])
                      & all_of([s.conf[a] == "second" for a in second]))
            s.started = "all"
            for a in names:
                s.conf[a] = "full"

    def down(s, a):
        """A member goes down: offline, and its in-memory DACP bit is gone."""
        s.up[a] = False
        s.role[a] = "offline"
        s.missed[a] = 0
        if k.dac:
            s.dacp[a] = False

    @m.action(site=sites, cls="fault")
    def power_loss(s, site):
        """Site {site} loses power: its members and its witness go down."""
        s.require(s.power[site] & (s.faults > 0) & k.power_faults)
        s.power[site] = False
        for a in names:
            if site_of(a) == site:
                down(s, a)
        s.faults = s.faults - 1

    @m.action(site=sites, cls="repair")
    def power_return(s, site):
        """Power returns in site {site}: its witness and every member boot."""
        s.require(~s.power[site])
        s.power[site] = True
        for a in names:
            if site_of(a) == site:
                s.up[a] = True

    @m.action(cls="fault")
    def cut_wan(s):
        """The WAN link between the sites fails."""
        s.require(s.wan & (s.faults > 0) & k.wan_faults)
        s.wan = False
        s.faults = s.faults - 1

    @m.action(cls="repair")
    def heal_wan(s):
        """The WAN link is repaired."""
        s.require(~s.wan)
        s.wan = True

    @m.action(a=members, cls="fault")
    def crash(s, a):
        """Member {a} crashes; its disk keeps the log."""
        s.require(s.up[a] & (s.faults > 0))
        down(s, a)
        s.faults = s.faults - 1

    @m.action(a=members, cls="repair")
    def restart(s, a):
        """Member {a} boots again (its site has power)."""
        s.require(~s.up[a] & s.power[site_of(a)])
        s.up[a] = True
