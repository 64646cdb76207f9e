"""Independent reference implementation of CCR-core (see PROTOCOL.md).

Plain Python, no imports from the project. A state is a tuple:
(up, role, missed, holds, rfail, known, log, pend, owner, lease, acked,
 dump, age, link, faults)
Per-node fields are pairs indexed 0 = A, 1 = B. owner is None, 0 or 1.
link is a triple (AB, AW, BW). acked is a tuple of M bools (index m-1).
"""
from collections import deque

KNOB_DEFAULTS = dict(messages=2, heartbeat_tolerance=2, witness_lease=2,
                     renew_grace=1, mount_dial=0, dumpster_size=1,
                     dumpster_time=0, max_faults=2, handoff=True)

NODES = ("A", "B")
LINKS = ("AB", "AW", "BW")
FIELDS = ("up", "role", "missed", "holds", "rfail", "known", "log", "pend",
          "owner", "lease", "acked", "dump", "age", "link", "faults")
AB = 0
ACTIVE, PASSIVE, OFFLINE = "active", "passive", "offline"


def full_knobs(knobs):
    k = dict(KNOB_DEFAULTS)
    if knobs:
        k.update(knobs)
    return k


def hub(n):
    """Index of node n's hub link in `link`."""
    return 1 + n


def thaw(state):
    """State tuple -> dict of mutable values (lists for per-item fields)."""
    d = dict(zip(FIELDS, state))
    for f in ("up", "role", "missed", "holds", "rfail", "known", "log",
              "pend", "acked", "dump", "age", "link"):
        d[f] = list(d[f])
    d["log"] = [list(x) for x in d["log"]]
    return d


def freeze(d):
    d = dict(d)
    d["log"] = tuple(tuple(x) for x in d["log"])
    return tuple(tuple(d[f]) if isinstance(d[f], list) else d[f]
                 for f in FIELDS)


def is_prefix(a, b):
    return len(a) <= len(b) and tuple(b[:len(a)]) == tuple(a)


def initial_state(knobs=None):
    k = full_knobs(knobs)
    d = dict(up=[True, True], role=[ACTIVE, PASSIVE], missed=[0, 0],
             holds=[True, False], rfail=[0, 0], known=[0, 0], log=[[], []],
             pend=[False, False], owner=0, lease=k["witness_lease"],
             acked=[False] * k["messages"], dump=[], age=[],
             link=[True, True, True], faults=k["max_faults"])
    return freeze(d)


def tick(s, k):
    T, L, G, R = (k["heartbeat_tolerance"], k["witness_lease"],
                  k["renew_grace"], k["dumpster_time"])
    d = thaw(s)
    up, role, missed, holds, rfail, known, log, link = (
        s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[13])
    owner, lease = s[8], s[9]
    for n in (0, 1):
        p = 1 - n
        # 1. heartbeats
        heard = link[AB] and up[p] and role[p] != OFFLINE
        if not up[n] or role[n] == OFFLINE:
            d["missed"][n] = 0
            d["known"][n] = known[n]
        else:
            d["missed"][n] = 0 if heard else min(missed[n] + 1, T)
            d["known"][n] = len(log[p]) if (heard and role[p] == ACTIVE) \
                else known[n]
        # 2. renewal, node side
        if holds[n]:
            if link[hub(n)]:
                d["rfail"][n] = 0
                d["holds"][n] = True
            elif rfail[n] + 1 >= G:
                d["holds"][n] = False
                d["rfail"][n] = 0
            else:
                d["rfail"][n] = rfail[n] + 1
                d["holds"][n] = True
    # 3. renewal, witness side (values before the tick)
    if owner is not None:
        o = owner
        if up[o] and holds[o] and link[hub(o)]:
            d["lease"] = L
        else:
            d["lease"] = lease - 1
            if d["lease"] == 0:
                d["owner"] = None
    # 4. dumpster ageing
    if R > 0:
        nd, na = [], []
        for m, a in zip(s[11], s[12]):
            if a + 1 < R:
                nd.append(m)
                na.append(a + 1)
        d["dump"], d["age"] = nd, na
    # 5. quorum check on missed'/holds' after steps 1-2
    for n in (0, 1):
        if up[n] and role[n] == ACTIVE:
            votes = 1 + (1 if d["missed"][n] < T else 0) + \
                (1 if d["holds"][n] else 0)
            if votes < 2:
                d["role"][n] = OFFLINE
                d["pend"][n] = False
                d["missed"][n] = 0
    return freeze(d)


def successors(state, knobs=None):
    k = full_knobs(knobs)
    M, T, L, D, S, R = (k["messages"], k["heartbeat_tolerance"],
                        k["witness_lease"], k["mount_dial"],
                        k["dumpster_size"], k["dumpster_time"])
    (up, role, missed, holds, rfail, known, log, pend, owner, lease, acked,
     dump, age, link, faults) = state
    out = []

    def emit(label, d):
        out.append((label, freeze(d)))

    for n in (0, 1):
        p = 1 - n
        N = NODES[n]
        # Deliver(n, m)
        for m in range(1, M + 1):
            if up[n] and role[n] == ACTIVE and link[hub(n)] and not acked[m - 1]:
                d = thaw(state)
                d["log"][n].append(m)
                d["acked"][m - 1] = True
                if S > 0:
                    d["dump"].append(m)
                    if R > 0:
                        d["age"].append(0)
                    if len(d["dump"]) > S:
                        d["dump"].pop(0)
                        if R > 0:
                            d["age"].pop(0)
                emit("Deliver(%s,%d)" % (N, m), d)
        # Replicate(n)
        if (up[n] and role[n] == PASSIVE and up[p] and role[p] == ACTIVE
                and link[AB] and len(log[n]) < len(log[p])
                and is_prefix(log[n], log[p])):
            d = thaw(state)
            d["log"][n].append(log[p][len(log[n])])
            d["known"][n] = len(log[p])
            emit("Replicate(%s)" % N, d)
        # Reseed(n)
        if (up[n] and role[n] == PASSIVE and up[p] and role[p] == ACTIVE
                and link[AB] and not is_prefix(log[n], log[p])):
            d = thaw(state)
            d["log"][n] = list(log[p])
            d["known"][n] = len(log[p])
            emit("Reseed(%s)" % N, d)
    # Tick
    out.append(("Tick", tick(state, k)))
    for n in (0, 1):
        p = 1 - n
        N = NODES[n]
        # Claim(n)
        if (up[n] and role[n] != OFFLINE and missed[n] == T and not holds[n]
                and link[hub(n)] and owner is None):
            d = thaw(state)
            d["owner"], d["lease"] = n, L
            d["holds"][n], d["rfail"][n] = True, 0
            emit("Claim(%s)" % N, d)
        # Failover(n)
        if (up[n] and role[n] == PASSIVE and missed[n] == T and holds[n]
                and known[n] - len(log[n]) <= D):
            d = thaw(state)
            d["role"][n], d["pend"][n] = ACTIVE, True
            emit("Failover(%s)" % N, d)
        # Activate(n)
        if (up[n] and up[p] and link[AB] and role[n] == PASSIVE
                and role[p] == PASSIVE and missed[n] < T and missed[p] < T
                and (len(log[n]) > len(log[p])
                     or (len(log[n]) == len(log[p]) and n == 0))):
            d = thaw(state)
            d["role"][n], d["pend"][n] = ACTIVE, True
            emit("Activate(%s)" % N, d)
        # Move(n)
        if (k["handoff"] and up[n] and up[p] and link[AB] and missed[n] < T
                and missed[p] < T and role[n] == ACTIVE and role[p] == PASSIVE
                and not pend[n] and log[p] == log[n]):
            d = thaw(state)
            d["role"][n], d["role"][p] = PASSIVE, ACTIVE
            emit("Move(%s)" % N, d)
        # Resubmit(n)
        if up[n] and role[n] == ACTIVE and pend[n] and link[hub(n)]:
            d = thaw(state)
            for m in dump:
                if m not in log[n]:
                    d["log"][n].append(m)
            d["pend"][n] = False
            emit("Resubmit(%s)" % N, d)
        # Crash(n)
        if up[n] and faults > 0:
            d = thaw(state)
            d["up"][n], d["role"][n] = False, OFFLINE
            d["holds"][n], d["rfail"][n], d["missed"][n] = False, 0, 0
            d["pend"][n], d["faults"] = False, faults - 1
            emit("Crash(%s)" % N, d)
        # Restart(n)
        if not up[n]:
            d = thaw(state)
            d["up"][n] = True
            emit("Restart(%s)" % N, d)
        # Rejoin(n)
        if (up[n] and role[n] == OFFLINE and link[AB] and up[p]
                and role[p] != OFFLINE):
            d = thaw(state)
            d["role"][n] = PASSIVE
            d["missed"][n], d["missed"][p] = 0, 0
            emit("Rejoin(%s)" % N, d)
    # FormPair
    if up[0] and up[1] and role[0] == OFFLINE and role[1] == OFFLINE \
            and link[AB]:
        d = thaw(state)
        d["role"] = [PASSIVE, PASSIVE]
        d["missed"] = [0, 0]
        emit("FormPair", d)
    for n in (0, 1):
        p = 1 - n
        # FormAlone(n)
        if (up[n] and role[n] == OFFLINE and (not up[p] or role[p] == OFFLINE)
                and link[hub(n)] and owner is None):
            d = thaw(state)
            d["role"][n] = PASSIVE
            d["owner"], d["lease"] = n, L
            d["holds"][n], d["rfail"][n], d["missed"][n] = True, 0, T
            emit("FormAlone(%s)" % NODES[n], d)
    for i, l in enumerate(LINKS):
        if link[i] and faults > 0:
            d = thaw(state)
            d["link"][i], d["faults"] = False, faults - 1
            emit("Cut(%s)" % l, d)
        if not link[i]:
            d = thaw(state)
            d["link"][i] = True
            emit("Heal(%s)" % l, d)
    return out


def no_split_brain(state):
    role = state[1]
    return not (role[0] == ACTIVE and role[1] == ACTIVE)


def no_lost_acked_mail(state, knobs=None):
    k = full_knobs(knobs)
    log, acked, dump = state[6], state[10], state[11]
    for m in range(1, k["messages"] + 1):
        if acked[m - 1] and not (m in log[0] or m in log[1] or m in dump):
            return False
    return True


def explore(knobs=None):
    k = full_knobs(knobs)
    init = initial_state(k)
    level = {init: 0}
    queue = deque([init])
    transitions = 0
    depth = 0
    shortest = {"NoSplitBrain": None, "NoLostAckedMail": None}
    while queue:
        s = queue.popleft()
        lv = level[s]
        depth = max(depth, lv)
        if shortest["NoSplitBrain"] is None and not no_split_brain(s):
            shortest["NoSplitBrain"] = lv
        if shortest["NoLostAckedMail"] is None and not no_lost_acked_mail(s, k):
            shortest["NoLostAckedMail"] = lv
        for _label, t in successors(s, k):
            transitions += 1
            if t not in level:
                level[t] = lv + 1
                queue.append(t)
    return {"distinct_states": len(level), "transitions": transitions,
            "depth": depth, "shortest": shortest}


if __name__ == "__main__":
    import time
    for extra in ({}, {"renew_grace": 3}):
        t0 = time.time()
        print(extra or "defaults", explore(extra),
              "%.1fs" % (time.time() - t0))
