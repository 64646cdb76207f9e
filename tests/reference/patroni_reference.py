"""Independent reference implementation of specs/patroni/SEMANTICS.md.

Plain Python, no imports from the project, written from the document alone.
A state is a tuple:
(holder, lease, sync_leader, sync_standby, acked, faults,
 up, role, net, frozen, phase, since, elapsed, standby, log)
Members are indices 0 = A, 1 = B, 2 = C; an owner is None or a member index.
Per-member fields are tuples indexed by member; acked is a tuple of W values
("no", "async", "sync"), index w - 1; log[n] is a tuple of write ids.
"""
from collections import deque

KNOB_DEFAULTS = dict(members=2, ttl=6, loop_wait=2, retry_timeout=2,
                     demote_on_failed_update=True, isolate=True,
                     stale_reads=True, synchronous_mode=False, writes=1,
                     max_faults=2, restart_fair=True)

NAMES = ("A", "B", "C")
FIELDS = ("holder", "lease", "sync_leader", "sync_standby", "acked", "faults",
          "up", "role", "net", "frozen", "phase", "since", "elapsed",
          "standby", "log")
PER_MEMBER = ("up", "role", "net", "frozen", "phase", "since", "elapsed",
              "standby", "log")
PROTOCOL = ("StartCycle", "Read", "StaleRead", "ReadTimeout", "Update",
            "UpdateFailed", "Acquire", "Replicate", "Rewind", "SetSync",
            "DropSync")


def full_knobs(knobs):
    k = dict(KNOB_DEFAULTS)
    if knobs:
        k.update(knobs)
    return k


def thaw(state):
    d = dict(zip(FIELDS, state))
    for f in PER_MEMBER + ("acked",):
        d[f] = list(d[f])
    return d


def freeze(d):
    return tuple(tuple(d[f]) if isinstance(d[f], list) else d[f]
                 for f in FIELDS)


def is_prefix(a, b):
    return len(a) <= len(b) and tuple(b[:len(a)]) == tuple(a)


def initial_state(k):
    N = k["members"]
    sync = k["synchronous_mode"]
    d = dict(holder=0, lease=k["ttl"],
             sync_leader=0 if sync else None,
             sync_standby=1 if sync else None,
             acked=["no"] * k["writes"], faults=k["max_faults"],
             up=[True] * N, role=["primary"] + ["replica"] * (N - 1),
             net=["ok"] * N, frozen=[None] * N, phase=["idle"] * N,
             since=[0] * N, elapsed=[0] * N,
             standby=[1 if (sync and n == 0) else None for n in range(N)],
             log=[()] * N)
    return freeze(d)


# -- derived predicates (SEMANTICS.md, State) ----------------------------------
def loop(s, n):
    return s[6][n] and s[7][n] == "primary"


def reach(s, n):
    return s[6][n] and s[8][n] == "ok"


def streams(s, r, p):
    return (reach(s, r) and reach(s, p) and s[7][r] == "replica"
            and s[7][p] == "primary")


def due(s, n, k):
    phase, since, elapsed = s[10][n], s[11][n], s[12][n]
    return loop(s, n) and ((phase == "idle" and since == k["loop_wait"])
                           or (phase != "idle"
                               and elapsed == k["retry_timeout"]))


def demote(d, n):
    d["role"][n] = "replica"
    d["standby"][n] = None
    d["phase"][n] = "idle"
    d["since"][n] = 0
    d["elapsed"][n] = 0


def finish_read(s, n, seen):
    d = thaw(s)
    phase = s[10][n]
    if phase == "read":
        keep = seen == n or seen is None
    else:  # recheck
        keep = seen == n
    if keep:
        d["phase"][n] = "update" if phase == "read" else "idle"
        d["elapsed"][n] = 0
    else:
        demote(d, n)
    return freeze(d)


def eligible(s, n, k):
    sync = k["synchronous_mode"]
    log = s[14]
    for o in range(k["members"]):
        if o == n:
            continue
        if reach(s, o) and s[7][o] == "primary":
            return False
        if (reach(s, o) and len(log[o]) > len(log[n])
                and not (sync and s[2] == o)):
            return False
    if sync and not (s[3] == n or s[2] == n):
        return False
    return True


def successors(s, k):
    """(action name, label, next state) for every enabled action instance."""
    N, T, L, R = k["members"], k["ttl"], k["loop_wait"], k["retry_timeout"]
    W, sync = k["writes"], k["synchronous_mode"]
    (holder, lease, sync_leader, sync_standby, acked, faults, up, role, net,
     frozen, phase, since, elapsed, standby, log) = s
    out = []

    def emit(name, params, d):
        label = name + ("(%s)" % ",".join(params) if params else "")
        out.append((name, label, freeze(d) if isinstance(d, dict) else d))

    # Tick
    if not any(due(s, n, k) for n in range(N)):
        d = thaw(s)
        d["holder"] = None if lease == 0 else holder
        d["lease"] = max(lease - 1, 0)
        for n in range(N):
            if loop(s, n):
                d["since"][n] = min(since[n] + 1, L)
                if phase[n] != "idle":
                    d["elapsed"][n] = elapsed[n] + 1
        emit("Tick", (), d)

    for n in range(N):
        X = NAMES[n]
        reading = loop(s, n) and phase[n] in ("read", "recheck")
        # StartCycle(n)
        if loop(s, n) and phase[n] == "idle" and since[n] == L:
            d = thaw(s)
            d["phase"][n], d["since"][n], d["elapsed"][n] = "read", 0, 0
            emit("StartCycle", (X,), d)
        # Read(n)
        if reading and net[n] == "ok":
            emit("Read", (X,), finish_read(s, n, holder))
        # StaleRead(n)
        if k["stale_reads"] and reading and net[n] == "stale":
            emit("StaleRead", (X,), finish_read(s, n, frozen[n]))
        # ReadTimeout(n)
        if reading and net[n] == "isolated" and elapsed[n] == R:
            d = thaw(s)
            demote(d, n)
            emit("ReadTimeout", (X,), d)
        # Update(n)
        if (loop(s, n) and phase[n] == "update" and net[n] == "ok"
                and holder in (n, None)):
            d = thaw(s)
            d["holder"], d["lease"] = n, T
            d["phase"][n], d["elapsed"][n] = "idle", 0
            emit("Update", (X,), d)
        # UpdateFailed(n)
        if loop(s, n) and phase[n] == "update" and (
                (net[n] == "ok" and holder not in (n, None))
                or (net[n] != "ok" and elapsed[n] == R)):
            d = thaw(s)
            if k["demote_on_failed_update"]:
                demote(d, n)
            else:
                d["phase"][n], d["elapsed"][n] = "recheck", 0
            emit("UpdateFailed", (X,), d)
        # Acquire(n)
        if reach(s, n) and role[n] == "replica" and (
                holder == n or (holder is None and eligible(s, n, k))):
            d = thaw(s)
            d["holder"], d["lease"] = n, T
            d["role"][n], d["phase"][n] = "primary", "idle"
            d["since"][n], d["elapsed"][n] = 0, 0
            d["standby"][n] = None
            if sync:
                d["sync_leader"], d["sync_standby"] = n, None
            emit("Acquire", (X,), d)

    for r in range(N):
        for p in range(N):
            if r == p or not streams(s, r, p):
                continue
            # Replicate(r, p)
            if len(log[r]) < len(log[p]) and is_prefix(log[r], log[p]):
                d = thaw(s)
                d["log"][r] = log[r] + (log[p][len(log[r])],)
                emit("Replicate", (NAMES[r], NAMES[p]), d)
            # Rewind(r, p)
            if not is_prefix(log[r], log[p]):
                d = thaw(s)
                d["log"][r] = log[p]
                emit("Rewind", (NAMES[r], NAMES[p]), d)

    if sync:
        for p in range(N):
            for r in range(N):
                # SetSync(p, r)
                if (r != p and loop(s, p) and holder == p and net[p] == "ok"
                        and standby[p] is None and streams(s, r, p)
                        and log[r] == log[p]):
                    d = thaw(s)
                    d["standby"][p] = r
                    d["sync_leader"], d["sync_standby"] = p, r
                    emit("SetSync", (NAMES[p], NAMES[r]), d)
        for n in range(N):
            # DropSync(n)
            o = standby[n]
            if (loop(s, n) and holder == n and net[n] == "ok"
                    and o is not None and o != n and not streams(s, o, n)):
                d = thaw(s)
                d["standby"][n] = None
                d["sync_leader"], d["sync_standby"] = n, None
                emit("DropSync", (NAMES[n],), d)

    for n in range(N):
        X = NAMES[n]
        # Write(n, w)
        for w in range(1, W + 1):
            if not (loop(s, n) and acked[w - 1] == "no"):
                continue
            partner = None
            if sync:
                o = standby[n]
                if o is not None and o != n and streams(s, o, n) \
                        and log[o] == log[n]:
                    partner = o
                if standby[n] is not None and partner is None:
                    continue  # the commit waits for its synchronous standby
            d = thaw(s)
            d["log"][n] = log[n] + (w,)
            if partner is not None:
                d["log"][partner] = log[partner] + (w,)
            d["acked"][w - 1] = "sync" if sync else "async"
            emit("Write", (X, str(w)), d)
        # Crash(n)
        if up[n] and faults > 0:
            d = thaw(s)
            d["up"][n] = False
            demote(d, n)  # role replica, standby none, phase idle, counters 0
            d["faults"] = faults - 1
            emit("Crash", (X,), d)
        # Restart(n)
        if not up[n]:
            d = thaw(s)
            d["up"][n] = True
            emit("Restart", (X,), d)
        # Isolate(n)
        if k["isolate"] and net[n] == "ok" and faults > 0:
            d = thaw(s)
            d["net"][n], d["faults"] = "isolated", faults - 1
            emit("Isolate", (X,), d)
        # IsolateStale(n)
        if k["stale_reads"] and net[n] == "ok" and faults > 0:
            d = thaw(s)
            d["net"][n], d["frozen"][n] = "stale", holder
            d["faults"] = faults - 1
            emit("IsolateStale", (X,), d)
        # Heal(n)
        if net[n] != "ok":
            d = thaw(s)
            d["net"][n], d["frozen"][n] = "ok", None
            emit("Heal", (X,), d)
    return out


# -- properties ------------------------------------------------------------------
def no_split_brain(s):
    return sum(1 for r in s[7] if r == "primary") <= 1


def no_lost_sync_write(s):
    acked, role, log = s[4], s[7], s[14]
    for w, a in enumerate(acked, start=1):
        if a != "sync":
            continue
        for n, r in enumerate(role):
            if r == "primary" and w not in log[n]:
                return False
    return True


PROPERTIES = {"NoSplitBrain": no_split_brain,
              "NoLostSyncWrite": no_lost_sync_write}


_REACHABLE = {}


def reachable(knobs=None):
    """Every reachable state with its BFS level, and the transition count
    (remembered per knob values: FailoverTime reuses the search)."""
    k = full_knobs(knobs)
    key = tuple(sorted(k.items()))
    if key not in _REACHABLE:
        _REACHABLE[key] = _search(k)
    return _REACHABLE[key]


def _search(k):
    init = initial_state(k)
    level = {init: 0}
    queue = deque([init])
    transitions = 0
    while queue:
        s = queue.popleft()
        for _name, _label, t in successors(s, k):
            transitions += 1
            if t not in level:
                level[t] = level[s] + 1
                queue.append(t)
    return level, transitions


def explore(knobs=None):
    level, transitions = reachable(knobs)
    shortest = {}
    for name, holds in PROPERTIES.items():
        bad = [lv for s, lv in level.items() if not holds(s)]
        shortest[name] = min(bad) if bad else None
    return {"distinct_states": len(level), "transitions": transitions,
            "depth": max(level.values()), "shortest": shortest}


# -- FailoverTime (SEMANTICS.md, Liveness and failover time) ------------------------
def serving(s):
    return any(loop(s, n) for n in range(len(s[6])))


def is_trigger(s, require_sync_standby=False):
    """FailoverTime's trigger; the variant (require_sync_standby, only with
    synchronous_mode) also needs /sync to name a standby."""
    up, net = s[6], s[8]
    down = [n for n in range(len(up)) if not up[n]]
    if serving(s) or len(down) != 1:
        return False
    if any(net[n] != "ok" for n in range(len(up)) if up[n]):
        return False
    return not require_sync_standby or s[3] is not None


def quiet_steps(s, k):
    """Successors under a quiet environment with prompt protocol actions:
    (ticks taken, next state)."""
    steps = successors(s, k)
    protocol = [t for name, _, t in steps if name in PROTOCOL]
    if protocol:
        return [(0, t) for t in protocol]
    return [(1, t) for name, _, t in steps if name == "Tick"]


def failover_time(knobs=None, require_sync_standby=False):
    """The largest number of Ticks from a trigger to a serving member, or
    "never" when a quiet, prompt run from a trigger avoids it forever."""
    k = full_knobs(knobs)
    level, _ = reachable(k)
    require_sync_standby = require_sync_standby and k["synchronous_mode"]
    worst = {}          # state -> largest Ticks to the response
    on_stack = set()
    best = None
    for trigger in level:
        if not is_trigger(trigger, require_sync_standby):
            continue
        # iterative depth-first search with memo; a cycle or a dead end
        # among non-serving states means "never"
        stack = [(trigger, None)]
        while stack:
            s, it = stack[-1]
            if it is None:
                if s in worst:
                    stack.pop()
                    continue
                if serving(s):
                    worst[s] = 0
                    stack.pop()
                    continue
                nexts = quiet_steps(s, k)
                if not nexts:
                    return "never"
                on_stack.add(s)
                it = iter(nexts)
                stack[-1] = (s, it)
            advanced = False
            for _w, t in it:
                if t in on_stack:
                    return "never"
                if t not in worst:
                    stack.append((t, None))
                    advanced = True
                    break
            if advanced:
                continue
            worst[s] = max(w + worst[t] for w, t in quiet_steps(s, k))
            on_stack.discard(s)
            stack.pop()
        best = worst[trigger] if best is None else max(best, worst[trigger])
    return best


# -- Recovers (SEMANTICS.md, Liveness and failover time) ---------------------------
def fair_names(k):
    """The weakly fair actions: the clock, every protocol action, Heal, and
    Restart unless restart_fair is false."""
    return {"Tick", "Heal", *PROTOCOL} | ({"Restart"} if k["restart_fair"] else set())


def recovers(knobs=None):
    """True when (nobody serves) ~> (somebody serves) holds under weak fairness
    of every instance of the fair actions; False when some reachable state
    where nobody serves starts a fair behaviour on which nobody ever serves.

    With weak fairness only, a strongly connected set C of non-serving states
    carries such a behaviour exactly when every fair instance enabled in all
    of C is taken on some edge inside C (a cycle through all of C then
    satisfies every instance); a non-serving state without successors
    stutters fairly."""
    k = full_knobs(knobs)
    level, _ = reachable(k)
    fair = fair_names(k)
    nodes = [s for s in level if not serving(s)]
    inside = set(nodes)
    edges = {}     # state -> [(label, next state)] among non-serving states
    enabled = {}   # state -> fair labels enabled there
    for s in nodes:
        steps = successors(s, k)
        if not steps:
            return False
        enabled[s] = {label for name, label, _ in steps if name in fair}
        edges[s] = [(label, t) for _, label, t in steps if t in inside]
    for component in _components(nodes, edges):
        members = set(component)
        internal = [(label, t) for s in component for label, t in edges[s] if t in members]
        if not internal:
            continue  # a single state without a self-loop: no cycle
        always = set.intersection(*(enabled[s] for s in component))
        taken = {label for label, _ in internal}
        if always <= taken:
            return False
    return True


def _components(nodes, edges):
    """Tarjan's strongly connected components, iteratively."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for _label, w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(edges[w])))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                out.append(component)
    return out


if __name__ == "__main__":
    import time
    for extra in ({}, {"ttl": 5}, {"demote_on_failed_update": False,
                                   "isolate": False}):
        t0 = time.time()
        print(extra or "defaults", explore(extra), failover_time(extra),
              "%.1fs" % (time.time() - t0))
