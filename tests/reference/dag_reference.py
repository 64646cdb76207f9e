"""Independent reference implementation of DAG-DAC (specs/dag/SEMANTICS.md).

Plain Python written from the document, with no imports from the project.
A state is a tuple of fields in the order of FIELDS; per-member fields are
tuples indexed by member position (P1..Pp, then S1..Ss), `power` is
(primary, second), `log[a]` a tuple of write ids, `acked` a tuple of W bools.
Roles, configurations and the started list are strings.

explore(knobs) returns the counts the conformance test compares;
failover_time(knobs, caught_up) the FailoverTime figure of the document.
"""
import sys
from collections import deque
from functools import lru_cache

KNOB_DEFAULTS = dict(primary_members=2, second_members=2, writes=1, detect_ticks=1,
                     mount_dial=6, max_faults=2, dac=False, switchover=True,
                     power_faults=True, wan_faults=True)

FIELDS = ("power", "wan", "up", "role", "conf", "dacp", "missed", "log", "known",
          "acked", "started", "faults")
POWER, WAN, UP, ROLE, CONF, DACP, MISSED, LOG, KNOWN, ACKED, STARTED, FAULTS = range(12)
PROTOCOL = ("Replicate", "Reseed", "Mount")
# Weakly fair per instance (SEMANTICS.md, Actions): the clock, protocol and repair actions.
FAIR = ("Tick",) + PROTOCOL + ("PowerReturn", "HealWan", "Restart")
SITES = ("primary", "second")


class Layout:
    """Everything about a configuration that does not depend on the state."""

    def __init__(self, knobs):
        k = dict(KNOB_DEFAULTS)
        k.update(knobs or {})
        self.k = k
        p, s = k["primary_members"], k["second_members"]
        self.names = ["P%d" % i for i in range(1, p + 1)] + ["S%d" % i for i in range(1, s + 1)]
        self.n = p + s
        self.site = [0] * p + [1] * s          # 0 primary, 1 second
        self.P = list(range(p))
        self.S = list(range(p, p + s))
        self.W, self.T, self.D, self.F = k["writes"], k["detect_ticks"], k["mount_dial"], \
            k["max_faults"]
        self.dac = k["dac"]
        self.switchover = k["switchover"]
        self.power_faults, self.wan_faults = k["power_faults"], k["wan_faults"]
        self.track_known = self.D < self.W
        # Configurations: (voters, witness votes?, witness site, votes needed).
        full_w = self.n % 2 == 0
        second_w = s % 2 == 0 or s == 1
        self.conf_rules = {
            "full": (list(range(self.n)), full_w, 0, (self.n + int(full_w)) // 2 + 1),
            "second": (self.S, second_w, 1, (s + int(second_w)) // 2 + 1),
        }


def initial(L):
    n = L.n
    return (
        (True, True), True, (True,) * n,
        tuple("active" if i == 0 else "passive" for i in range(n)),
        ("full",) * n, (L.dac,) * n, (0,) * n, ((),) * n, (0,) * n,
        (False,) * L.W, "all", L.F)


# -- predicates of the document ---------------------------------------------------------------
def reach(L, st, a, b):
    return L.site[a] == L.site[b] or st[WAN]


def sees_witness(L, st, a, x):
    return st[POWER][x] and (L.site[a] == x or st[WAN])


def votes(L, st, a, c):
    voters, witness, wsite, _need = L.conf_rules[c]
    count = sum(1 for u in voters if st[UP][u] and st[CONF][u] == c and reach(L, st, a, u))
    if witness and sees_witness(L, st, a, wsite):
        count += 1
    return count


def stale(L, st, a):
    return any(u != a and st[UP][u] and st[CONF][u] == "second" and reach(L, st, a, u)
               for u in range(L.n))


def quorate(L, st, a):
    if not st[UP][a]:
        return False
    c = st[CONF][a]
    if c == "full":
        return not stale(L, st, a) and votes(L, st, a, "full") >= L.conf_rules["full"][3]
    if c == "second":
        return votes(L, st, a, "second") >= L.conf_rules["second"][3]
    return False


def serving(st, a):
    return st[UP][a] and st[ROLE][a] == "active"


def sees_active(L, st, a):
    return any(u != a and serving(st, u) and reach(L, st, a, u) for u in range(L.n))


def permission(L, st, a):
    if any(u != a and st[UP][u] and st[DACP][u] and reach(L, st, a, u) for u in range(L.n)):
        return True
    listed = range(L.n) if st[STARTED] == "all" else L.S
    return all(st[UP][u] and reach(L, st, a, u) for u in listed)


def is_prefix(x, y):
    return len(x) <= len(y) and tuple(y[:len(x)]) == tuple(x)


# -- building successors ----------------------------------------------------------------------
def with_fields(st, **changes):
    fields = list(st)
    for name, value in changes.items():
        fields[FIELDS.index(name)] = value
    return tuple(fields)


def put(seq, i, value):
    out = list(seq)
    out[i] = value
    return tuple(out)


def down_member(L, d, a):
    """down(a) on a mutable dict of lists."""
    d["up"][a] = False
    d["role"][a] = "offline"
    d["missed"][a] = 0
    if L.dac:
        d["dacp"][a] = False


def thaw(st):
    return {name: (list(v) if isinstance(v, tuple) else v) for name, v in zip(FIELDS, st)}


def freeze(d):
    return tuple(tuple(d[f]) if isinstance(d[f], list) else d[f] for f in FIELDS)


def tick(L, st):
    d = thaw(st)
    for a in range(L.n):
        # 1. configuration sync
        if st[UP][a] and st[CONF][a] == "full" and stale(L, st, a):
            d["conf"][a] = "second" if L.site[a] == 1 else "out"
        # 2. membership
        q = quorate(L, st, a)
        if q:
            d["role"][a] = "passive" if st[ROLE][a] == "offline" else st[ROLE][a]
        else:
            d["role"][a] = "offline"
        # 3. detection
        if q and st[ROLE][a] != "active" and not sees_active(L, st, a):
            d["missed"][a] = min(st[MISSED][a] + 1, L.T)
        else:
            d["missed"][a] = 0
        # 4. DACP
        if L.dac:
            d["dacp"][a] = st[DACP][a] or (q and permission(L, st, a))
        # 5. copy queue
        if L.track_known and q and st[ROLE][a] != "active":
            heard = [len(st[LOG][u]) for u in range(L.n)
                     if u != a and serving(st, u) and reach(L, st, a, u)
                     and st[CONF][u] == st[CONF][a]]
            if heard:
                d["known"][a] = max(heard)
    return freeze(d)


def successors(L, st):
    """(label, next state) for every enabled action instance, in instance order."""
    out = []
    n, names = L.n, L.names
    # Deliver(a, w)
    for a in range(n):
        for w in range(1, L.W + 1):
            if serving(st, a) and not st[ACKED][w - 1]:
                out.append(("Deliver(%s,%d)" % (names[a], w), with_fields(
                    st, log=put(st[LOG], a, st[LOG][a] + (w,)), acked=put(st[ACKED], w - 1, True))))

    def ships(x, a):
        return (st[UP][x] and st[ROLE][x] == "passive" and serving(st, a)
                and reach(L, st, x, a) and st[CONF][x] == st[CONF][a])

    # Replicate(n, a)
    for x in range(n):
        for a in range(n):
            if x != a and ships(x, a) and len(st[LOG][x]) < len(st[LOG][a]) \
                    and is_prefix(st[LOG][x], st[LOG][a]):
                next_log = st[LOG][x] + (st[LOG][a][len(st[LOG][x])],)
                new = with_fields(st, log=put(st[LOG], x, next_log))
                if L.track_known:
                    new = with_fields(new, known=put(st[KNOWN], x, len(st[LOG][a])))
                out.append(("Replicate(%s,%s)" % (names[x], names[a]), new))
    # Reseed(n, a)
    for x in range(n):
        for a in range(n):
            if x != a and ships(x, a) and not is_prefix(st[LOG][x], st[LOG][a]):
                new = with_fields(st, log=put(st[LOG], x, st[LOG][a]))
                if L.track_known:
                    new = with_fields(new, known=put(st[KNOWN], x, len(st[LOG][a])))
                out.append(("Reseed(%s,%s)" % (names[x], names[a]), new))
    out.append(("Tick", tick(L, st)))
    # Mount(a)
    for a in range(n):
        best = not any(u != a and st[UP][u] and reach(L, st, a, u) and st[CONF][u] == st[CONF][a]
                       and len(st[LOG][u]) > len(st[LOG][a]) for u in range(n))
        if (st[UP][a] and st[ROLE][a] == "passive" and st[MISSED][a] == L.T
                and quorate(L, st, a) and not sees_active(L, st, a) and best
                and st[KNOWN][a] - len(st[LOG][a]) <= L.D and (not L.dac or st[DACP][a])):
            missed = tuple(0 if (u != a and reach(L, st, a, u)) else st[MISSED][u]
                           for u in range(n))
            out.append(("Mount(%s)" % names[a], with_fields(
                st, role=put(st[ROLE], a, "active"), missed=missed)))
    if L.switchover:  # the administrator's switchover cmdlets exist
        # StopDag
        if st[POWER][1] and st[STARTED] == "all":
            d = thaw(st)
            d["started"] = "second"
            for a in L.P:
                if st[UP][a] and st[WAN]:
                    d["conf"][a], d["role"][a], d["missed"][a] = "out", "offline", 0
            out.append(("StopDag", freeze(d)))
        # RestoreDag
        if (st[STARTED] == "second" and all(not st[UP][a] or st[CONF][a] == "out" for a in L.P)
                and any(st[UP][a] for a in L.S) and all(st[CONF][a] != "second" for a in L.S)):
            d = thaw(st)
            for a in L.S:
                if st[UP][a]:
                    d["conf"][a], d["role"][a], d["missed"][a] = "second", "passive", 0
                    if L.dac:
                        d["dacp"][a] = True
            out.append(("RestoreDag", freeze(d)))
        # StartDag
        if (st[STARTED] == "second" and st[WAN] and all(st[UP])
                and all(st[CONF][a] == "out" for a in L.P)
                and all(st[CONF][a] == "second" for a in L.S)):
            out.append(("StartDag", with_fields(st, started="all", conf=("full",) * n)))
    # PowerLoss(x), PowerReturn(x)
    for x in (0, 1):
        if L.power_faults and st[POWER][x] and st[FAULTS] > 0:
            d = thaw(st)
            d["power"][x] = False
            for a in range(n):
                if L.site[a] == x:
                    down_member(L, d, a)
            d["faults"] = st[FAULTS] - 1
            out.append(("PowerLoss(%s)" % SITES[x], freeze(d)))
    for x in (0, 1):
        if not st[POWER][x]:
            d = thaw(st)
            d["power"][x] = True
            for a in range(n):
                if L.site[a] == x:
                    d["up"][a] = True
            out.append(("PowerReturn(%s)" % SITES[x], freeze(d)))
    # CutWan, HealWan
    if L.wan_faults and st[WAN] and st[FAULTS] > 0:
        out.append(("CutWan", with_fields(st, wan=False, faults=st[FAULTS] - 1)))
    if not st[WAN]:
        out.append(("HealWan", with_fields(st, wan=True)))
    # Crash(a), Restart(a)
    for a in range(n):
        if st[UP][a] and st[FAULTS] > 0:
            d = thaw(st)
            down_member(L, d, a)
            d["faults"] = st[FAULTS] - 1
            out.append(("Crash(%s)" % names[a], freeze(d)))
    for a in range(n):
        if not st[UP][a] and st[POWER][L.site[a]]:
            out.append(("Restart(%s)" % names[a], with_fields(st, up=put(st[UP], a, True))))
    return out


# -- properties --------------------------------------------------------------------------------
def no_split_brain(L, st):
    return sum(1 for r in st[ROLE] if r == "active") <= 1


def no_lost_acked_write(L, st):
    return all(not st[ACKED][w - 1] or any(w in log for log in st[LOG])
               for w in range(1, L.W + 1))


PROPERTIES = {"NoSplitBrain": no_split_brain, "NoLostAckedWrite": no_lost_acked_write}


# -- exploration -------------------------------------------------------------------------------
def reachable(knobs=None):
    """Every reachable state with its BFS level, and the transition count (cached)."""
    return _reachable(tuple(sorted((knobs or {}).items())))


@lru_cache(maxsize=8)
def _reachable(items):
    L = Layout(dict(items))
    init = initial(L)
    level = {init: 0}
    queue = deque([init])
    transitions = 0
    while queue:
        st = queue.popleft()
        for _label, nxt in successors(L, st):
            transitions += 1
            if nxt not in level:
                level[nxt] = level[st] + 1
                queue.append(nxt)
    return L, level, transitions


def explore(knobs=None):
    L, level, transitions = reachable(knobs)
    shortest = {}
    for name, holds in PROPERTIES.items():
        bad = [lv for st, lv in level.items() if not holds(L, st)]
        shortest[name] = min(bad) if bad else None
    return {"distinct_states": len(level), "transitions": transitions,
            "depth": max(level.values()), "shortest": shortest}


def is_trigger(L, st, caught_up):
    if any(serving(st, a) for a in range(L.n)):
        return False
    if not (st[POWER][0] and st[POWER][1] and st[WAN]):
        return False
    downs = [a for a in range(L.n) if not st[UP][a]]
    ups = [a for a in range(L.n) if st[UP][a]]
    if len(downs) != 1 or any(st[ROLE][a] != "passive" for a in ups):
        return False
    if caught_up:
        return all(st[LOG][u] == st[LOG][d] for u in ups for d in downs)
    return True


def quiet_prompt_steps(L, st):
    """Successors on a quiet run with prompt protocol actions: (ticks taken, next state)."""
    steps = successors(L, st)
    protocol = [t for label, t in steps if label.split("(")[0] in PROTOCOL]
    if protocol:
        return [(0, t) for t in protocol]
    return [(1, t) for label, t in steps if label == "Tick"]


class _Never(Exception):
    """A quiet, prompt run from a trigger avoids the response forever."""


def failover_time(knobs=None, caught_up=False):
    """The FailoverTime figure: the largest number of Ticks from a trigger to the response
    on a quiet, prompt run, 'never' if such a run can avoid the response forever, or None
    when no reachable state is a trigger."""
    return failover_detail(knobs, caught_up)[0]


def failover_detail(knobs=None, caught_up=False):
    """(figure, trigger): the FailoverTime figure and a trigger state that attains it
    (for 'never', one from which the response can be avoided forever)."""
    L, level, _ = reachable(knobs)
    triggers = sorted((st for st in level if is_trigger(L, st, caught_up)),
                      key=lambda st: (level[st], repr(st)))
    if not triggers:
        return None, None
    value, on_path = {}, set()

    def responds(st):
        return any(serving(st, a) for a in range(L.n))

    def longest(st):
        """Most Ticks from non-response state st to the first response state."""
        if st in value:
            return value[st]
        if st in on_path:  # a cycle of non-response states
            raise _Never
        on_path.add(st)
        best = 0
        for ticks, nxt in quiet_prompt_steps(L, st):
            best = max(best, ticks if responds(nxt) else ticks + longest(nxt))
        on_path.discard(st)
        value[st] = best
        return best

    sys.setrecursionlimit(max(10000, sys.getrecursionlimit()))
    worst, witness = -1, None
    for st in triggers:
        try:
            ticks = longest(st)
        except _Never:
            return "never", st
        if ticks > worst:
            worst, witness = ticks, st
    return worst, witness



# -- Recovers: (no member serves) ~> (some member serves), weak fairness per instance -----------
def _strong_components(nodes, edges):
    """Kosaraju: the strongly connected components of the graph (nodes, edges[v] = [w])."""
    order, seen = [], set()
    for root in nodes:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(edges[root]))]
        while stack:
            v, it = stack[-1]
            for w in it:
                if w not in seen:
                    seen.add(w)
                    stack.append((w, iter(edges[w])))
                    break
            else:
                stack.pop()
                order.append(v)
    back = {v: [] for v in nodes}
    for v in nodes:
        for w in edges[v]:
            back[w].append(v)
    comps, done = [], set()
    for root in reversed(order):
        if root in done:
            continue
        comp, todo = [], [root]
        done.add(root)
        while todo:
            v = todo.pop()
            comp.append(v)
            for w in back[v]:
                if w not in done:
                    done.add(w)
                    todo.append(w)
        comps.append(comp)
    return comps


def recovers(knobs=None):
    """'holds' or 'violated': a behaviour that reaches a state where no member serves
    and then never serves again must end in a cycle of non-serving states (Tick is
    always enabled, so it cannot stutter fairly). Such a cycle is weakly fair exactly
    when, in its strongly connected component, every fair instance is taken on an
    inner edge or disabled in one of the component's states (every state is reachable
    and is its own trigger, so any fair component of non-serving states is a violation)."""
    L, level, _ = reachable(knobs)
    bad = [st for st in level if not any(serving(st, a) for a in range(L.n))]
    inside = set(bad)
    steps = {st: [(label, nxt) for label, nxt in successors(L, st) if nxt in inside]
             for st in bad}
    enabled = {st: {label for label, _ in successors(L, st)
                    if label.split("(")[0] in FAIR} for st in bad}
    edges = {st: [nxt for _, nxt in steps[st]] for st in bad}
    for comp in _strong_components(bad, edges):
        members = set(comp)
        inner = [(label, nxt) for st in comp for label, nxt in steps[st] if nxt in members]
        if len(comp) == 1 and not inner:
            continue  # a single state without a self-loop: no cycle here
        taken = {label for label, _ in inner}
        fair_labels = set().union(*(enabled[st] for st in comp))
        if all(label in taken or any(label not in enabled[st] for st in comp)
               for label in fair_labels):
            return "violated"
    return "holds"


if __name__ == "__main__":
    import time
    for text in sys.argv[1:] or [""]:
        knobs = dict(kv.split("=") for kv in text.split(",") if kv)
        knobs = {k: (v == "true" if v in ("true", "false") else int(v)) for k, v in knobs.items()}
        t0 = time.time()
        print(knobs or "defaults", explore(knobs), "FailoverTime", failover_time(knobs),
              "caught-up", failover_time(knobs, True), "%.1fs" % (time.time() - t0))
