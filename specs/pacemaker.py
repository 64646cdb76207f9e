"""Pacemaker / Corosync two-node cluster (specs/pacemaker/SEMANTICS.md).

Two nodes A (node id 1, the lowest) and B run one resource. Corosync's totem
membership runs over link AB; votequorum gives each node one vote and, with
`two_node: 1`, sets the quorum to 1, so each half of a partition is quorate and
safety rests on fencing (STONITH). The fence devices do not use link AB: a node
can power-cycle its peer across a partition, and both can do it at once (the
fence race). With `qdevice` on, a qnetd arbiter Q (links AQ, BQ) casts a third
vote with the ffsplit algorithm and `two_node` is off (corosync refuses both).

One Tick is 3 s, the default totem token timeout. Reads are the state before
an action, assignments the state after it; every counter is bounded.
Action classes and fairness follow SEMANTICS.md: Tick is the clock; Cut, Crash
and PowerLoss are faults; Heal and Boot are repairs; the rest are protocol
actions. Clock, protocol and repair actions are weakly fair per instance
(Boot(A) only while `a_returns` is on); faults are not fair.
"""

from ccrverify.lang import FALSE, Bool, Enum, IntRange, Spec, ite, max_, min_

spec = Spec("Pacemaker", __doc__, clock="Tick", lane_index="Node", shared_lane="net",
            faults=("Cut", "Crash", "PowerLoss"))
spec.knob("token_ticks", 2, "ticks without the peer's token before it is declared lost "
          "(token 3000 ms + consensus 3600 ms = 6.6 s, about 2 ticks of 3 s)", lo=1)
spec.knob("fence_delay", 0, "static delay, in ticks, before fencing node A is carried out "
          "(pcmk_delay_base on A's device, or priority-fencing-delay when A runs the resource)",
          lo=0)
spec.knob("wait_for_all", True, "votequorum wait_for_all: a started node is not quorate until "
          "it has seen every vote at once (on by default with two_node)")
spec.knob("stonith", True, "fencing enabled (Pacemaker fencing-enabled / stonith-enabled)")
spec.knob("qdevice", False, "a qnetd arbiter with one vote (ffsplit, tie breaker lowest node "
          "id); two_node is then off")
spec.knob("max_faults", 2, "link cuts, node crashes and power losses allowed in one run", lo=0)
spec.knob("boot_ticks", 0, "ticks a node stays down before it can boot; 0 lets a node's cluster "
          "stack restart at once (a power-cycled server takes minutes, about 20 ticks or more)",
          lo=0)
spec.knob("cancel_stale", False, "a fence request still waiting out its delay is dropped when the "
          "requester hears its target again or stops being quorate (the fencer's code keeps it: "
          "off)")
spec.knob("a_returns", True, "liveness only: node A, when down, eventually boots (weak fairness "
          "of Boot(A)); false asks what happens when A is lost for good (a hardware failure)")

STATUS = Enum("Status", ["down", "inquorate", "quorate"])
VIEW = Enum("View", ["member", "lost", "down"])
NODE_NAMES = ["A", "B"]
LOWEST_NODE_ID = "A"


def peer(n):
    return "B" if n == "A" else "A"


def qnetd_link(n):
    return f"{n}Q"


@spec.model
def build(m):
    k = m.k
    T, D, F, BT = k.token_ticks, k.fence_delay, k.max_faults, k.boot_ticks
    nodes = m.index("Node", NODE_NAMES)
    links = m.index("Link", ["AB", "AQ", "BQ"] if k.qdevice else ["AB"])
    # How a node sees a peer it cannot hear: after token loss, or (unseen) since it
    # started. With fencing on the peer is unclean (lost) and must be fenced
    # (startup-fencing covers the unseen one); without fencing Pacemaker assumes
    # it runs nothing.
    gone = "lost" if k.stonith else "down"
    # votequorum: two_node sets the quorum to 1 of 2 votes; with a qdevice there
    # are 3 votes (two nodes and qnetd) and the quorum is 2.
    expected, quorum = (3, 2) if k.qdevice else (2, 1)

    def delay(target):
        return D if target == LOWEST_NODE_ID else 0

    m.var("status", STATUS, over=nodes, init="quorate")
    m.var("peer", VIEW, over=nodes, init="member", doc="the node's view of its peer")
    m.var("missed", IntRange(0, T - 1), over=nodes, init=0)
    m.var("runs", Bool(), over=nodes, init={"A": True, "B": False})
    m.var("wait", IntRange(0, D), over=nodes, init=0,
          doc="ticks before the node's fence request against its peer is carried out")
    m.var("armed", Bool(), over=nodes, init=False,
          doc="the fence device is power-cycling this node")
    m.var("fenced", Bool(), over=nodes, init=False,
          doc="history: power-cycled by fencing, not yet a member with its peer again")
    if BT > 0:  # with boot_ticks 0 the counter is always 0: left out of the state
        m.var("down_for", IntRange(0, BT), over=nodes, init=0,
              doc="ticks the node has been down, up to boot_ticks; 0 while it is up")
    m.var("link", Bool(), over=links, init=True)
    m.var("faults", IntRange(0, F), init=F)

    def up(s, n):
        return s.status[n] != "down"

    def no_fence_in_flight(s):
        return ~s.armed["A"] & ~s.armed["B"]

    def go_down(s, n, fenced):
        """Node n stops: everything it held in memory is gone."""
        s.status[n] = "down"
        s.peer[n] = gone
        s.missed[n] = 0
        s.runs[n] = False
        s.wait[n] = 0
        s.fenced[n] = fenced
        if BT > 0:
            s.down_for[n] = 0  # a power-cycle starts the boot over

    def qnetd_vote(s, n, view_after):
        """ffsplit: qnetd's vote goes to n's partition. In a split, to the only side
        connected to qnetd, else to the side that was quorate (keep active
        partition), else to the lowest node id."""
        p = peer(n)

        def connected(x):
            return up(s, x) & s.link[qnetd_link(x)]

        was_quorate_n = s.status[n] == "quorate"
        was_quorate_p = s.status[p] == "quorate"
        if n == LOWEST_NODE_ID:
            wins_tie = was_quorate_n | ~was_quorate_p
        else:
            wins_tie = was_quorate_n & ~was_quorate_p
        return connected(n) & ((view_after[n] == "member") | ~connected(p) | wins_tie)

    @m.action(cls="clock")
    def tick(s):
        """One tick (3 s) passes: membership, quorum and fence requests."""
        # The fence device acts within a tick: time does not pass while it is armed.
        s.require(no_fence_in_flight(s))
        view_after, status_after = {}, {}
        # 1. Membership (totem): a peer heard is a member; a member unheard for
        # token_ticks ticks is lost, or, without fencing, assumed down.
        for n in nodes:
            p = peer(n)
            heard = up(s, n) & s.link["AB"] & up(s, p)
            declared = ~heard & (s.peer[n] == "member") & (s.missed[n] + 1 >= T)
            counting = up(s, n) & ~heard & (s.peer[n] == "member") & ~declared
            view_after[n] = ite(heard, "member",
                                ite(declared, gone, s.peer[n]))
            s.peer[n] = view_after[n]
            s.missed[n] = ite(counting, s.missed[n] + 1, 0)
            s.fenced[n] = s.fenced[n] & ~heard
            if BT > 0:
                s.down_for[n] = ite(up(s, n), 0, min_(s.down_for[n] + 1, BT))
        # 2. Quorum (votequorum's are_we_quorate): with wait_for_all, a node that
        # is not quorate becomes quorate only while it sees every vote at once.
        for n in nodes:
            votes = 1 + ite(view_after[n] == "member", 1, 0)
            if k.qdevice:
                votes = votes + ite(qnetd_vote(s, n, view_after), 1, 0)
            may_count = (s.status[n] == "quorate") | (votes == expected)
            if not k.wait_for_all:
                may_count = True
            quorate = up(s, n) & may_count & (votes >= quorum)
            status_after[n] = ite(quorate, "quorate", ite(up(s, n), "inquorate", s.status[n]))
            s.status[n] = status_after[n]
        # 3. Fencing: a quorate node with a lost peer asks its fencer to shoot it;
        # the request waits out the target's delay, then arms the fence device.
        # With cancel_stale a waiting request is dropped once the requester hears
        # its target again or is no longer quorate.
        for n in nodes:
            p = peer(n)
            if not k.stonith:
                continue
            request = ((status_after[n] == "quorate") & (view_after[n] == "lost")
                       & (s.wait[n] == 0))
            stale = FALSE
            if k.cancel_stale:
                stale = (s.wait[n] > 0) & ((view_after[n] != "lost")
                                           | (status_after[n] != "quorate"))
            s.armed[p] = (request & (delay(p) == 0)) | ((s.wait[n] == 1) & ~stale)
            s.wait[n] = ite(request & (delay(p) > 0), delay(p),
                            ite(stale, 0, max_(s.wait[n] - 1, 0)))

    @m.action(t=nodes, cls="protocol")
    def fence(s, t):
        """The fence device power-cycles node {t} at its peer's request."""
        r = peer(t)
        s.require(s.armed[t])
        go_down(s, t, fenced=True)
        s.armed[t] = False
        s.peer[r] = ite(up(s, r), "down", s.peer[r])
        s.missed[r] = 0

    @m.action(n=nodes, cls="protocol")
    def start(s, n):
        """Quorate node {n} starts the resource: its peer is known to run nothing."""
        p = peer(n)
        known_idle = (s.peer[n] == "down") | ((s.peer[n] == "member") & s.link["AB"]
                                              & up(s, p) & ~s.runs[p])
        s.require((s.status[n] == "quorate") & ~s.runs[n] & known_idle)
        s.runs[n] = True

    @m.action(n=nodes, cls="protocol")
    def stop_no_quorum(s, n):
        """Node {n} has lost quorum and stops the resource (no-quorum-policy=stop)."""
        s.require(s.runs[n] & (s.status[n] == "inquorate"))
        s.runs[n] = False

    @m.action(cls="protocol")
    def stop_multiple_active(s):
        """The resource runs on both members: stop both (multiple-active=stop_start)."""
        s.require(s.runs["A"] & s.runs["B"] & s.link["AB"]
                  & (s.peer["A"] == "member") & (s.peer["B"] == "member"))
        s.runs["A"] = False
        s.runs["B"] = False

    @m.action(l=links, cls="fault")
    def cut(s, l):  # noqa: E741 - l names a link, as in the document
        """Link {l} fails."""
        s.require(s.link[l] & (s.faults > 0))
        s.link[l] = False
        s.faults = s.faults - 1

    @m.action(n=nodes, cls="fault")
    def crash(s, n):
        """Node {n} crashes (or loses power alone)."""
        s.require(up(s, n) & (s.faults > 0))
        go_down(s, n, fenced=False)
        s.faults = s.faults - 1

    @m.action(cls="fault")
    def power_loss(s):
        """Both nodes lose power at once (a cold start follows)."""
        s.require((up(s, "A") | up(s, "B")) & (s.faults > 0))
        for n in nodes:
            go_down(s, n, fenced=False)
        s.faults = s.faults - 1

    @m.action(l=links, cls="repair")
    def heal(s, l):  # noqa: E741
        """Link {l} is repaired."""
        s.require(~s.link[l])
        s.link[l] = True

    def boot(s, n):
        """Node {n} boots; corosync and Pacemaker start, not yet quorate."""
        p = peer(n)
        # A boot takes far longer than a fence delay: no node finishes booting
        # while a fence action is armed or a request against it is waiting.
        s.require((s.status[n] == "down") & no_fence_in_flight(s) & (s.wait[p] == 0))
        s.status[n] = "inquorate"
        if BT > 0:  # booting takes boot_ticks ticks of being down
            s.require(s.down_for[n] == BT)
            s.down_for[n] = 0

    # Boot(A) and Boot(B) differ only in fairness: without a_returns, A may stay down.
    m.action("Boot", n=["A"], cls="repair", fair="weak" if k.a_returns else None)(boot)
    m.action("Boot", n=["B"], cls="repair")(boot)
