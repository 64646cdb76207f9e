"""Independent reference implementation of the WSFC quorum model (specs/wsfc/SEMANTICS.md).

Plain Python, no imports from the project. Nodes are indices 0..N-1 (node i is
"N{i+1}"). A state is a tuple

    (up, member, vote, hosts, nic, site_link, witness_up, wvote,
     pending, missed, fo_left, faults, quorum_lost)

where the first five fields are tuples of N bools.
"""
from collections import deque

KNOB_DEFAULTS = dict(nodes=3, witness=True, dynamic_quorum=True, dynamic_witness=True,
                     tie_breaker=True, lower_quorum_priority_node=0, heartbeat_threshold=2,
                     failover_limit=2, max_faults=2, sequential_faults=False,
                     node_failures_only=False, force_quorum=False)

FIELDS = ("up", "member", "vote", "hosts", "nic", "site_link", "witness_up", "wvote",
          "pending", "missed", "fo_left", "faults", "quorum_lost")
PER_NODE = ("up", "member", "vote", "hosts", "nic")
PROTOCOL = ("Regroup", "Join", "Form", "Failover")
PROPERTIES = ("NoSplitBrain", "OneRunningPartition", "QuorumKept")


def full_knobs(knobs):
    k = dict(KNOB_DEFAULTS)
    k.update(knobs or {})
    return k


class Cluster:
    """The semantics for one set of knob values."""

    def __init__(self, knobs=None):
        self.k = full_knobs(knobs)
        self.n = self.k["nodes"]
        self.site = [1 if i + 1 <= (self.n + 1) // 2 else 2 for i in range(self.n)]

    # -- derived notions ---------------------------------------------------
    def conn(self, d, a, b):
        if a == b:
            return True
        return d["nic"][a] and d["nic"][b] and (self.site[a] == self.site[b] or d["site_link"])

    def total(self, d):
        return sum(d["vote"]) + int(d["wvote"])

    def table(self, d, members):
        """Table(M): (votes tuple, wvote) for the node set `members` (a set of indices)."""
        k = self.k
        if not k["dynamic_quorum"]:
            return tuple([True] * self.n), k["witness"]
        v = len(members)
        wvote = k["witness"] and (not k["dynamic_witness"] or (d["witness_up"] and v % 2 == 0))
        votes = [i in members for i in range(self.n)]
        if k["tie_breaker"] and v >= 2 and (v + int(wvote)) % 2 == 0:
            p = k["lower_quorum_priority_node"] - 1
            victim = p if (k["lower_quorum_priority_node"] != 0 and p in members) else min(members)
            votes[victim] = False
        return tuple(votes), wvote

    def first(self, d, n, pred):
        return not any(self.conn(d, n, p) and pred(p) for p in range(n))

    # -- states ------------------------------------------------------------
    def initial(self):
        k = self.k
        d = dict(up=[True] * self.n, member=[True] * self.n,
                 hosts=[i == 0 for i in range(self.n)], nic=[True] * self.n,
                 site_link=True, witness_up=k["witness"], pending=False, missed=0,
                 fo_left=k["failover_limit"], faults=k["max_faults"], quorum_lost=False)
        votes, wvote = self.table(d, set(range(self.n)))
        d["vote"], d["wvote"] = list(votes), wvote
        return freeze(d)

    def successors(self, state):
        """Every (label, successor) of every enabled action instance."""
        k, n_nodes = self.k, self.n
        s = thaw(state)
        out = []
        T = k["heartbeat_threshold"]
        settled_ok = not (k["sequential_faults"] and s["pending"])
        # node_failures_only: Crash is the only fault (no NIC, link or witness failure).
        other_faults = not k["node_failures_only"]

        def emit(label, d):
            out.append((label, freeze(d)))

        # Tick
        d = thaw(state)
        if s["pending"]:
            d["missed"] = min(s["missed"] + 1, T)
        emit("Tick", d)

        # Regroup
        if s["pending"] and s["missed"] == T:
            d = thaw(state)
            arbiter = next((i for i in range(n_nodes)
                            if s["member"][i] and s["nic"][i] and s["witness_up"]), None)
            total = self.total(s)
            quorate = []
            for i in range(n_nodes):
                mine = sum(1 for p in range(n_nodes)
                           if self.conn(s, i, p) and s["member"][p] and s["vote"][p])
                if s["wvote"] and arbiter is not None and self.conn(s, i, arbiter):
                    mine += 1
                quorate.append(s["member"][i] and 2 * mine > total)
            d["member"] = list(quorate)
            d["hosts"] = [s["hosts"][i] and quorate[i] for i in range(n_nodes)]
            if any(quorate):
                votes, wvote = self.table(s, {i for i in range(n_nodes) if quorate[i]})
                d["vote"], d["wvote"] = list(votes), wvote
            d["quorum_lost"] = s["quorum_lost"] or (not any(quorate) and any(s["member"]))
            d["pending"], d["missed"] = False, 0
            emit("Regroup", d)

        for i in range(n_nodes):
            name = "N%d" % (i + 1)
            running_near = [p for p in range(n_nodes) if self.conn(s, i, p) and s["member"][p]]
            group = {p for p in range(n_nodes) if self.conn(s, i, p) and s["up"][p]}
            may_start = (s["up"][i] and not s["member"][i] and not running_near
                         and self.first(s, i, lambda p: s["up"][p]))
            # Join(n)
            if (not s["pending"] and s["up"][i] and not s["member"][i]
                    and any(p != i for p in running_near)):
                d = thaw(state)
                d["member"][i] = True
                members = {p for p in range(n_nodes) if s["member"][p]} | {i}
                votes, wvote = self.table(s, members)
                d["vote"], d["wvote"] = list(votes), wvote
                emit("Join(%s)" % name, d)
            # Form(n)
            if not s["pending"] and may_start:
                witness_free = not any(s["member"][p] and s["nic"][p] for p in range(n_nodes))
                mine = sum(1 for p in group if s["vote"][p])
                if s["wvote"] and s["nic"][i] and s["witness_up"] and witness_free:
                    mine += 1
                if 2 * mine > self.total(s):
                    emit("Form(%s)" % name, self.started(s, state, group))
            # Failover(n)
            if (not s["pending"] and s["member"][i] and s["fo_left"] > 0
                    and not any(self.conn(s, i, p) and s["hosts"][p] for p in range(n_nodes))
                    and self.first(s, i, lambda p: s["member"][p])):
                d = thaw(state)
                d["hosts"][i] = True
                d["fo_left"] = s["fo_left"] - 1
                emit("Failover(%s)" % name, d)
            # ForceQuorum(n)
            if k["force_quorum"] and may_start:
                emit("ForceQuorum(%s)" % name, self.started(s, state, group))
            # Crash(n)
            if s["up"][i] and s["faults"] > 0 and settled_ok:
                d = thaw(state)
                d["up"][i] = d["member"][i] = d["hosts"][i] = False
                d["faults"] = s["faults"] - 1
                d["pending"] = s["pending"] or s["member"][i]
                emit("Crash(%s)" % name, d)
            # Restart(n)
            if not s["up"][i]:
                d = thaw(state)
                d["up"][i] = True
                emit("Restart(%s)" % name, d)
            # Isolate(n)
            if other_faults and s["nic"][i] and s["faults"] > 0 and settled_ok:
                d = thaw(state)
                d["nic"][i] = False
                d["faults"] = s["faults"] - 1
                d["pending"] = True
                emit("Isolate(%s)" % name, d)
            # Reconnect(n)
            if not s["nic"][i]:
                d = thaw(state)
                d["nic"][i] = True
                d["pending"] = True
                emit("Reconnect(%s)" % name, d)
        # SiteSplit / SiteHeal
        if other_faults and s["site_link"] and s["faults"] > 0 and settled_ok:
            d = thaw(state)
            d["site_link"], d["faults"], d["pending"] = False, s["faults"] - 1, True
            emit("SiteSplit", d)
        if not s["site_link"]:
            d = thaw(state)
            d["site_link"], d["pending"] = True, True
            emit("SiteHeal", d)
        # WitnessFail / WitnessRepair
        if k["witness"]:
            if other_faults and s["witness_up"] and s["faults"] > 0 and settled_ok:
                d = thaw(state)
                d["witness_up"], d["faults"], d["pending"] = False, s["faults"] - 1, True
                emit("WitnessFail", d)
            if not s["witness_up"]:
                d = thaw(state)
                d["witness_up"], d["pending"] = True, True
                emit("WitnessRepair", d)
        return out

    def started(self, s, state, group):
        """Form and ForceQuorum: the group's nodes become members; Table(group)."""
        d = thaw(state)
        for p in group:
            d["member"][p] = True
        votes, wvote = self.table(s, group)
        d["vote"], d["wvote"] = list(votes), wvote
        return d

    # -- properties ----------------------------------------------------------
    def holds(self, name, state):
        s = thaw(state)
        if name == "NoSplitBrain":
            return sum(s["hosts"]) <= 1
        if name == "OneRunningPartition":
            return s["pending"] or all(
                self.conn(s, a, b) for a in range(self.n) for b in range(self.n)
                if a < b and s["member"][a] and s["member"][b])
        if name == "QuorumKept":
            return not s["quorum_lost"]
        raise KeyError(name)


def thaw(state):
    d = dict(zip(FIELDS, state))
    for f in PER_NODE:
        d[f] = list(d[f])
    return d


def freeze(d):
    return tuple(tuple(d[f]) if f in PER_NODE else d[f] for f in FIELDS)


def explore(knobs=None):
    """Distinct states, transitions, depth and shortest counterexample lengths."""
    c = Cluster(knobs)
    init = c.initial()
    level = {init: 0}
    queue = deque([init])
    transitions = depth = 0
    shortest = {p: None for p in PROPERTIES}
    while queue:
        s = queue.popleft()
        lv = level[s]
        depth = max(depth, lv)
        for p in PROPERTIES:
            if shortest[p] is None and not c.holds(p, s):
                shortest[p] = lv
        for _label, t in c.successors(s):
            transitions += 1
            if t not in level:
                level[t] = lv + 1
                queue.append(t)
    return {"distinct_states": len(level), "transitions": transitions, "depth": depth,
            "shortest": shortest, "states": level}


def is_trigger(c, state):
    s = thaw(state)
    return (not any(s["hosts"]) and not all(s["up"]) and sum(s["up"]) == c.n - 1
            and all(s["nic"]) and s["site_link"] and (s["witness_up"] or not c.k["witness"]))


def failover_time(knobs=None):
    """SEMANTICS.md FailoverTime: the worst number of Ticks from a trigger to a serving
    node with a quiet environment and prompt protocol actions, or "never"."""
    c = Cluster(knobs)
    reachable = explore(knobs)["states"]
    triggers = [s for s in reachable if is_trigger(c, s)]
    if not triggers:
        return None

    def quiet_steps(state):
        steps = [(label, t) for label, t in c.successors(state)
                 if label.split("(")[0] in PROTOCOL]
        if steps:
            return [(0, t) for _, t in steps]
        return [(1, t) for label, t in c.successors(state) if label == "Tick"]

    memo, on_path = {}, set()

    def worst(state):
        """Largest Tick count to the response, or None for never."""
        if any(thaw(state)["hosts"]):
            return 0
        if state in memo:
            return memo[state]
        if state in on_path:
            return None  # a cycle that avoids the response
        on_path.add(state)
        best = 0
        for ticks, t in quiet_steps(state):
            rest = worst(t)
            if rest is None:
                best = None
                break
            best = max(best, ticks + rest)
        on_path.discard(state)
        memo[state] = best
        return best

    figures = [worst(s) for s in triggers]
    return "never" if any(f is None for f in figures) else max(figures)


FAIR = ("Tick", "Regroup", "Join", "Form", "Failover", "Restart", "Reconnect", "SiteHeal",
        "WitnessRepair")


def recovers(knobs=None):
    """SEMANTICS.md Recovers: (no node serves) ~> (some node serves) under weak fairness of
    every instance of the clock, protocol and repair actions. It fails exactly when the
    states where nobody serves hold a fair cycle: a strongly connected set with an inner
    edge in which every fair instance is either disabled somewhere or taken inside."""
    c = Cluster(knobs)
    offline = [s for s in explore(knobs)["states"] if not any(thaw(s)["hosts"])]
    inside = set(offline)
    edges = {s: [(label, t) for label, t in c.successors(s) if t in inside] for s in offline}
    enabled = {s: {label for label, _ in c.successors(s)
                   if label.split("(")[0] in FAIR} for s in offline}
    for component in components(offline, {s: [t for _, t in e] for s, e in edges.items()}):
        members = set(component)
        taken = {label for s in component for label, t in edges[s] if t in members}
        if not taken:
            continue  # a single state without a self-loop: no cycle
        always = set.intersection(*(enabled[s] for s in component))
        if always <= taken:
            return False
    return True


def components(nodes, succ):
    """Strongly connected components (iterative Tarjan)."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(succ[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ[w])))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
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
    for extra in ({}, {"sequential_faults": True}, {"force_quorum": True}):
        t0 = time.time()
        r = explore(extra)
        r.pop("states")
        print(extra or "defaults", r, "FailoverTime", failover_time(extra),
              "Recovers", recovers(extra),
              "%.1fs" % (time.time() - t0))
