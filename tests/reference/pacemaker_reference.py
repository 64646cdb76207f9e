"""Independent reference implementation of specs/pacemaker/SEMANTICS.md.

Plain Python, no imports from the project. A state is a tuple
(status, peer, missed, runs, wait, armed, fenced, down_for, link, faults)
where every per-node field is a pair indexed 0 = A, 1 = B, and link is a tuple
over LINKS (AB, then AQ and BQ when the qdevice knob is on).
"""
from collections import deque

KNOB_DEFAULTS = dict(token_ticks=2, fence_delay=0, wait_for_all=True,
                     stonith=True, qdevice=False, max_faults=2, boot_ticks=0,
                     cancel_stale=False, a_returns=True)

NODES = ("A", "B")
DOWN, INQUORATE, QUORATE = "down", "inquorate", "quorate"
MEMBER, LOST = "member", "lost"
STATUS, PEER, MISSED, RUNS, WAIT, ARMED, FENCED, DOWN_FOR, LINK, FAULTS = range(10)
PROPERTIES = ("NoSplitBrain", "NoMutualFencing", "NoFenceLoop")
PROTOCOL_ACTIONS = ("Fence", "Start", "StopNoQuorum", "StopMultipleActive")


def full_knobs(knobs=None):
    k = dict(KNOB_DEFAULTS)
    k.update(knobs or {})
    return k


def links_of(k):
    return ("AB", "AQ", "BQ") if k["qdevice"] else ("AB",)


def gone_view(k):
    return LOST if k["stonith"] else DOWN


def fence_delay_for(target, k):
    return k["fence_delay"] if target == 0 else 0


def initial_state(k):
    return ((QUORATE, QUORATE), (MEMBER, MEMBER), (0, 0), (True, False), (0, 0),
            (False, False), (False, False), (0, 0), tuple(True for _ in links_of(k)),
            k["max_faults"])


def replace(pair, i, value):
    return tuple(value if j == i else v for j, v in enumerate(pair))


class Node:
    """Mutable working copy of one state, frozen again by `freeze`."""

    def __init__(self, state):
        self.f = [list(x) if isinstance(x, tuple) else x for x in state]

    def freeze(self):
        return tuple(tuple(x) if isinstance(x, list) else x for x in self.f)


def is_up(state, n):
    return state[STATUS][n] != DOWN


def link_up(state, k, name):
    return state[LINK][links_of(k).index(name)]


def go_down(w, n, k, fenced):
    w.f[STATUS][n] = DOWN
    w.f[PEER][n] = gone_view(k)
    w.f[MISSED][n] = 0
    w.f[RUNS][n] = False
    w.f[WAIT][n] = 0
    w.f[FENCED][n] = fenced
    w.f[DOWN_FOR][n] = 0


def tick(state, k):
    T = k["token_ticks"]
    w = Node(state)
    status, peer, missed = state[STATUS], state[PEER], state[MISSED]
    peer_after = [None, None]
    for n in (0, 1):
        p = 1 - n
        heard = is_up(state, n) and is_up(state, p) and link_up(state, k, "AB")
        declared = (not heard) and peer[n] == MEMBER and missed[n] + 1 >= T
        if heard:
            peer_after[n] = MEMBER
        elif declared:
            peer_after[n] = gone_view(k)
        else:
            peer_after[n] = peer[n]
        counting = is_up(state, n) and not heard and peer[n] == MEMBER and not declared
        w.f[MISSED][n] = missed[n] + 1 if counting else 0
        w.f[FENCED][n] = state[FENCED][n] and not heard
        if is_up(state, n):
            w.f[DOWN_FOR][n] = 0
        else:
            w.f[DOWN_FOR][n] = min(state[DOWN_FOR][n] + 1, k["boot_ticks"])
        w.f[PEER][n] = peer_after[n]

    def connected(x):
        return is_up(state, x) and link_up(state, k, "AQ" if x == 0 else "BQ")

    def wins_tie(n):
        if n == 0:
            return status[0] == QUORATE or status[1] != QUORATE
        return status[1] == QUORATE and status[0] != QUORATE

    expected, quorum = (3, 2) if k["qdevice"] else (2, 1)
    status_after = [None, None]
    for n in (0, 1):
        p = 1 - n
        votes = 1 + (1 if peer_after[n] == MEMBER else 0)
        if k["qdevice"]:
            qv = connected(n) and (peer_after[n] == MEMBER or not connected(p)
                                   or wins_tie(n))
            votes += 1 if qv else 0
        quorate = is_up(state, n) and (status[n] == QUORATE or not k["wait_for_all"]
                                       or votes == expected) and votes >= quorum
        if quorate:
            status_after[n] = QUORATE
        elif is_up(state, n):
            status_after[n] = INQUORATE
        else:
            status_after[n] = DOWN
        w.f[STATUS][n] = status_after[n]
    if k["stonith"]:
        for n in (0, 1):
            p = 1 - n
            wait = state[WAIT][n]
            d = fence_delay_for(p, k)
            request = status_after[n] == QUORATE and peer_after[n] == LOST and wait == 0
            # cancel_stale: a waiting request dies once the target is heard again
            # or the requester has lost quorum.
            dropped = (k["cancel_stale"] and wait > 0
                       and (peer_after[n] != LOST or status_after[n] != QUORATE))
            w.f[ARMED][p] = (request and d == 0) or (wait == 1 and not dropped)
            if request and d > 0:
                w.f[WAIT][n] = d
            elif dropped:
                w.f[WAIT][n] = 0
            else:
                w.f[WAIT][n] = max(wait - 1, 0)
    return w.freeze()


def successors(state, knobs=None):
    """Every (label, successor) of every enabled action instance."""
    k = full_knobs(knobs)
    out = []
    status, peer, runs = state[STATUS], state[PEER], state[RUNS]
    wait, armed, faults = state[WAIT], state[ARMED], state[FAULTS]
    links = links_of(k)
    if not armed[0] and not armed[1]:
        out.append(("Tick", tick(state, k)))
    for t in (0, 1):
        if armed[t]:
            r = 1 - t
            w = Node(state)
            go_down(w, t, k, fenced=True)
            w.f[ARMED][t] = False
            if is_up(state, r):
                w.f[PEER][r] = DOWN
            w.f[MISSED][r] = 0
            out.append(("Fence(%s)" % NODES[t], w.freeze()))
    for n in (0, 1):
        p = 1 - n
        idle_peer = peer[n] == DOWN or (peer[n] == MEMBER and link_up(state, k, "AB")
                                        and is_up(state, p) and not runs[p])
        if status[n] == QUORATE and not runs[n] and idle_peer:
            out.append(("Start(%s)" % NODES[n],
                        replace_field(state, RUNS, replace(runs, n, True))))
        if runs[n] and status[n] == INQUORATE:
            out.append(("StopNoQuorum(%s)" % NODES[n],
                        replace_field(state, RUNS, replace(runs, n, False))))
    if (runs[0] and runs[1] and link_up(state, k, "AB")
            and peer[0] == MEMBER and peer[1] == MEMBER):
        out.append(("StopMultipleActive", replace_field(state, RUNS, (False, False))))
    for i, name in enumerate(links):
        if state[LINK][i] and faults > 0:
            nxt = replace_field(state, LINK, replace(state[LINK], i, False))
            out.append(("Cut(%s)" % name, replace_field(nxt, FAULTS, faults - 1)))
    for n in (0, 1):
        if is_up(state, n) and faults > 0:
            w = Node(state)
            go_down(w, n, k, fenced=False)
            w.f[FAULTS] = faults - 1
            out.append(("Crash(%s)" % NODES[n], w.freeze()))
    if (is_up(state, 0) or is_up(state, 1)) and faults > 0:
        w = Node(state)
        go_down(w, 0, k, fenced=False)
        go_down(w, 1, k, fenced=False)
        w.f[FAULTS] = faults - 1
        out.append(("PowerLoss", w.freeze()))
    for i, name in enumerate(links):
        if not state[LINK][i]:
            out.append(("Heal(%s)" % name,
                        replace_field(state, LINK, replace(state[LINK], i, True))))
    for n in (0, 1):
        p = 1 - n
        if (status[n] == DOWN and not armed[0] and not armed[1] and wait[p] == 0
                and state[DOWN_FOR][n] >= k["boot_ticks"]):
            booted = replace_field(state, STATUS, replace(status, n, INQUORATE))
            booted = replace_field(booted, DOWN_FOR, replace(state[DOWN_FOR], n, 0))
            out.append(("Boot(%s)" % NODES[n], booted))
    return out


def replace_field(state, index, value):
    return tuple(value if i == index else v for i, v in enumerate(state))


def holds(name, state):
    status, wait, armed, fenced, runs = (state[STATUS], state[WAIT], state[ARMED],
                                         state[FENCED], state[RUNS])
    if name == "NoSplitBrain":
        return not (runs[0] and runs[1])
    if name == "NoMutualFencing":
        return not (fenced[0] and fenced[1] and status[0] == DOWN and status[1] == DOWN)
    if name == "NoFenceLoop":
        return not any(fenced[n] and status[n] != DOWN and (wait[n] > 0 or armed[1 - n])
                       for n in (0, 1))
    raise KeyError(name)


def explore(knobs=None):
    """Breadth-first search: counts, depth and the shortest counterexample lengths."""
    k = full_knobs(knobs)
    init = initial_state(k)
    level = {init: 0}
    queue = deque([init])
    transitions = depth = 0
    shortest = dict.fromkeys(PROPERTIES)
    while queue:
        s = queue.popleft()
        lv = level[s]
        depth = max(depth, lv)
        for name in PROPERTIES:
            if shortest[name] is None and not holds(name, s):
                shortest[name] = lv
        for _label, t in successors(s, k):
            transitions += 1
            if t not in level:
                level[t] = lv + 1
                queue.append(t)
    return {"distinct_states": len(level), "transitions": transitions,
            "depth": depth, "shortest": shortest, "states": level}


# -- failover time ----------------------------------------------------------------
def _is_trigger(state, n, k, any_peer):
    p = 1 - n
    if state[RUNS][0] or state[RUNS][1] or state[STATUS][n] != DOWN:
        return False
    if not all(state[LINK]) or state[ARMED][p]:
        return False
    return is_up(state, p) if any_peer else state[STATUS][p] == QUORATE


def _quiet_prompt_steps(state, k):
    """Successors allowed from a trigger on: protocol actions, and Tick only when
    no protocol action is enabled. Each is (is_tick, successor)."""
    steps = successors(state, k)
    protocol = [(False, t) for label, t in steps if label.split("(")[0] in PROTOCOL_ACTIONS]
    if protocol:
        return protocol
    return [(True, t) for label, t in steps if label == "Tick"]


def failover_time(knobs=None, any_peer=False, down=None):
    """The FailoverTime figure: the most Ticks from a trigger to serving(p), or
    "never" when a quiet, prompt run can avoid the response forever; None when no
    reachable state is a trigger. `down` ("A" or "B") keeps only the triggers where
    that node is the one lost."""
    k = full_knobs(knobs)
    reachable = explore(k)["states"]
    worst = None
    for n in (0, 1):
        if down is not None and NODES[n] != down:
            continue
        p = 1 - n
        memo = {}
        for s in reachable:
            if _is_trigger(s, n, k, any_peer):
                ticks = _longest(s, p, k, memo, set())
                if ticks == "never":
                    return "never"
                worst = ticks if worst is None else max(worst, ticks)
    return worst


def _longest(state, p, k, memo, on_path):
    """Most Ticks from state to a state where p serves; "never" on a cycle or a
    dead end that avoids the response."""
    if state[RUNS][p]:
        return 0
    if state in memo:
        return memo[state]
    if state in on_path:
        return "never"
    on_path.add(state)
    steps = _quiet_prompt_steps(state, k)
    result = "never" if not steps else 0
    for is_tick, nxt in steps:
        sub = _longest(nxt, p, k, memo, on_path)
        if sub == "never":
            result = "never"
            break
        result = max(result, sub + (1 if is_tick else 0))
    on_path.discard(state)
    memo[state] = result
    return result


# -- Recovers: (no node serves) ~> (some node serves) under weak fairness ----------
FAIR_ACTIONS = ("Tick", "Fence", "Start", "StopNoQuorum", "StopMultipleActive", "Heal")


def _fair(label, k):
    name = label.split("(")[0]
    return name in FAIR_ACTIONS or label == "Boot(B)" or (label == "Boot(A)" and k["a_returns"])


def recovers(knobs=None):
    """True when Recovers holds: no reachable set of states where no node serves
    holds a cycle that is fair (every weakly fair action instance is taken on it
    or disabled somewhere on it), and no such state lets every fair instance stay
    disabled (stuttering)."""
    k = full_knobs(knobs)
    states = [s for s in explore(k)["states"] if not (s[RUNS][0] or s[RUNS][1])]
    inside = set(states)
    edges = {}
    enabled = {}
    for s in states:
        steps = successors(s, k)
        enabled[s] = {label for label, _ in steps if _fair(label, k)}
        if not enabled[s]:
            return False
        edges[s] = [(label, t) for label, t in steps if t in inside]
    for component in _components(states, edges):
        members = set(component)
        taken = {label for s in component for label, t in edges[s] if t in members}
        if not any(t in members for s in component for _, t in edges[s]):
            continue  # a single state without a self-loop: no cycle
        wanted = set().union(*(enabled[s] for s in component))
        if all(label in taken or any(label not in enabled[s] for s in component)
               for label in wanted):
            return False
    return True


def _components(nodes, edges):
    """Strongly connected components (Kosaraju, iterative)."""
    order, seen = [], set()
    for root in nodes:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(edges[root]))]
        while stack:
            v, it = stack[-1]
            for _, w in it:
                if w not in seen:
                    seen.add(w)
                    stack.append((w, iter(edges[w])))
                    break
            else:
                stack.pop()
                order.append(v)
    reverse = {v: [] for v in nodes}
    for v in nodes:
        for _, w in edges[v]:
            reverse[w].append(v)
    out, assigned = [], set()
    for root in reversed(order):
        if root in assigned:
            continue
        assigned.add(root)
        component, todo = [], [root]
        while todo:
            v = todo.pop()
            component.append(v)
            for w in reverse[v]:
                if w not in assigned:
                    assigned.add(w)
                    todo.append(w)
        out.append(component)
    return out


if __name__ == "__main__":
    import time
    for extra in ({}, {"fence_delay": 2}, {"wait_for_all": False, "fence_delay": 2},
                  {"stonith": False}, {"qdevice": True}):
        t0 = time.time()
        r = explore(extra)
        print(extra or "defaults", r["distinct_states"], r["transitions"], r["depth"],
              r["shortest"], failover_time(extra), failover_time(extra, any_peer=True),
              "%.2fs" % (time.time() - t0))
