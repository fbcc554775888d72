"""Batch meeting scheduler: a pure function on plain data (no database).

The problem: delegates are vertices, accepted requests are edges, slots are colours.
A request may only use a slot both delegates are available in, a delegate has at most
one meeting per slot and a slot holds at most as many meetings as it has tables. We
look for the heaviest (by priority) set of requests that can be placed.

Method: a "pressure" greedy (priority first, then requests whose delegates are least
over-subscribed) picks for each request the free slot least wanted by the two people's
other requests, then ejection chains (move the meetings that block a request to other
slots, recursively, all or nothing) place what the greedy left out. The upper bound is
the maximum fractional b-matching (b = a person's usable slots, plus the table total),
computed by max flow on the bipartite double cover; for weighted requests it is summed
over priority thresholds. Tables are interchangeable within a slot, so the caller
numbers a slot's meetings onto its tables afterwards.
"""

from __future__ import annotations

import heapq
import time
from collections import defaultdict
from collections import deque
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

NO_COMMON_SLOT = "no_common_slot"
PERSON_FULLY_BOOKED = "person_fully_booked"
TABLES_FULL = "tables_full"
BOTH_BUSY = "busy_in_common_slots"
# Instances with at most this many requests to place are solved exactly when the
# heuristic falls short of the bound (and the search fits in its node budget).
EXACT_MAX_REQUESTS = 40
# Time allowed for the weighted LP bound (the per-level bound is used if it runs out).
WEIGHTED_BOUND_SECONDS = 3.0

REASON_TEXT = {
    NO_COMMON_SLOT: "the two delegates have no free slot in common",
    PERSON_FULLY_BOOKED: "one of the delegates is fully booked in every slot both could use",
    TABLES_FULL: "all tables are taken in the slots both delegates have free",
    BOTH_BUSY: "in each common slot one of the two already has another meeting",
}


@dataclass(frozen=True)
class Request:
    """An accepted request between persons `a` and `b`, worth `weight` (its priority)."""

    id: Hashable
    a: Hashable
    b: Hashable
    weight: int = 1


@dataclass
class Problem:
    """Slots with their table counts, availability, requests and meetings to keep.

    `unavailable` maps a person to the slots they cannot attend (everything else is
    open); `fixed` maps a request id to the slot it already has and keeps.
    """

    slots: Sequence[Hashable]
    tables: dict[Hashable, int]
    requests: Sequence[Request]
    unavailable: dict[Hashable, set] = field(default_factory=dict)
    fixed: dict[Hashable, Hashable] = field(default_factory=dict)


@dataclass
class Result:
    """Slot per scheduled request, the weight placed, a valid bound, and reasons."""

    assignment: dict[Hashable, Hashable]
    scheduled: int
    weight: int
    bound: int
    reasons: dict[Hashable, str]
    seconds: float = 0.0
    why: dict[Hashable, Why] = field(default_factory=dict)


class _State:
    """Bitmask bookkeeping of a (partial) schedule."""

    def __init__(self, problem: Problem) -> None:
        self.slots = list(problem.slots)
        self.index = {s: i for i, s in enumerate(self.slots)}
        n = len(self.slots)
        self.full_mask = (1 << n) - 1
        self.cap = [max(0, int(problem.tables.get(s, 0))) for s in self.slots]
        self.used = [0] * n
        people: set = set()
        for r in problem.requests:
            people.add(r.a)
            people.add(r.b)
        self.avail: dict = {}
        for p in people:
            mask = self.full_mask
            for s in problem.unavailable.get(p, ()):
                i = self.index.get(s)
                if i is not None:
                    mask &= ~(1 << i)
            self.avail[p] = mask
        self.busy: dict = dict.fromkeys(people, 0)
        # (person, slot index) -> request placed there.
        self.at: dict = {}
        # Requests placed in each slot index.
        self.in_slot: list[set] = [set() for _ in range(n)]
        self.slot_of: dict = {}
        self.req = {r.id: r for r in problem.requests}
        # Journal of (placed?, request, slot index) for exact undo of failed moves.
        self.log: list[tuple[bool, Request, int]] = []

    def rollback(self, mark: int) -> None:
        """Undo every place/remove made after the journal had `mark` entries."""
        while len(self.log) > mark:
            placed, r, i = self.log.pop()
            if placed:
                self.remove(r, log=False)
            else:
                self.place(r, i, log=False)

    def open_mask(self) -> int:
        """Slots with a table left."""
        mask = 0
        for i, (u, c) in enumerate(zip(self.used, self.cap, strict=True)):
            if u < c:
                mask |= 1 << i
        return mask

    def place(self, r: Request, i: int, log: bool = True) -> None:
        """Put request r in slot index i (caller checked it is free)."""
        if log:
            self.log.append((True, r, i))
        bit = 1 << i
        self.busy[r.a] |= bit
        self.busy[r.b] |= bit
        self.at[r.a, i] = r
        self.at[r.b, i] = r
        self.used[i] += 1
        self.in_slot[i].add(r.id)
        self.slot_of[r.id] = i

    def remove(self, r: Request, log: bool = True) -> int:
        """Take request r out of its slot; return the slot index."""
        i = self.slot_of.pop(r.id)
        if log:
            self.log.append((False, r, i))
        bit = 1 << i
        self.busy[r.a] &= ~bit
        self.busy[r.b] &= ~bit
        del self.at[r.a, i]
        del self.at[r.b, i]
        self.used[i] -= 1
        self.in_slot[i].discard(r.id)
        return i


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def _max_flow(n: int, edges: list[tuple[int, int, int]], s: int, t: int) -> int:
    """Dinic's maximum flow on a graph of n nodes given as (u, v, capacity) arcs."""
    head: list[list[int]] = [[] for _ in range(n)]
    to: list[int] = []
    cap: list[int] = []
    for u, v, c in edges:
        head[u].append(len(to))
        to.append(v)
        cap.append(c)
        head[v].append(len(to))
        to.append(u)
        cap.append(0)
    return _dinic(n, head, to, cap, s, t)


def _dinic(n: int, head: list[list[int]], to: list[int], cap: list[int], s: int, t: int) -> int:
    """Dinic's algorithm on adjacency lists of arc ids (arc e ^ 1 is e's reverse)."""
    flow = 0
    while True:
        level = [-1] * n
        level[s] = 0
        queue = deque([s])
        while queue:
            u = queue.popleft()
            for e in head[u]:
                if cap[e] > 0 and level[to[e]] < 0:
                    level[to[e]] = level[u] + 1
                    queue.append(to[e])
        if level[t] < 0:
            return flow
        pointer = [0] * n
        while True:
            # Iterative DFS for one augmenting path in the level graph.
            path: list[int] = []
            u = s
            while u != t:
                arcs = head[u]
                advanced = False
                while pointer[u] < len(arcs):
                    e = arcs[pointer[u]]
                    v = to[e]
                    if cap[e] > 0 and level[v] == level[u] + 1:
                        path.append(e)
                        u = v
                        advanced = True
                        break
                    pointer[u] += 1
                if not advanced:
                    if u == s:
                        break
                    level[u] = -1  # dead end
                    e = path.pop()
                    u = to[e ^ 1]
                    pointer[u] += 1
            if u != t:
                break
            push = min(cap[e] for e in path)
            for e in path:
                cap[e] -= push
                cap[e ^ 1] += push
            flow += push


def _person_capacity(state: _State, usable: Sequence[Request]) -> dict:
    """b(p) of both bounds: at most one meeting per slot p could use, and per request of p."""
    reach: dict = defaultdict(int)
    degree: dict = defaultdict(int)
    for r in usable:
        common = state.avail[r.a] & state.avail[r.b] & state.open_total
        reach[r.a] |= common
        reach[r.b] |= common
        degree[r.a] += 1
        degree[r.b] += 1
    return {p: min(reach[p].bit_count(), degree[p]) for p in reach}


def _cardinality_bound(state: _State, requests: Sequence[Request]) -> int:
    """Max fractional b-matching of the requests, capped by the table total (a valid bound)."""
    usable = [r for r in requests if state.avail[r.a] & state.avail[r.b] & state.open_total]
    if not usable:
        return 0
    capacity = _person_capacity(state, usable)
    people = list(capacity)
    pos = {p: k for k, p in enumerate(people)}
    m = len(people)
    source, sink, hub = 2 * m, 2 * m + 1, 2 * m + 2
    edges: list[tuple[int, int, int]] = [(hub, source, 2 * state.table_total)]
    for p in people:
        b = capacity[p]
        edges.append((source, pos[p], b))
        edges.append((m + pos[p], sink, b))
    for r in usable:
        pa, pb = pos[r.a], pos[r.b]
        edges.append((pa, m + pb, 1))
        edges.append((pb, m + pa, 1))
    # The flow runs from hub; the double cover counts every request twice.
    return _max_flow(2 * m + 3, edges, hub, sink) // 2


def _residual(arcs: list[tuple[int, int, int, int]], n: int):
    """Adjacency lists of arc ids with capacities and costs; arc e ^ 1 is e's reverse."""
    head: list[list[int]] = [[] for _ in range(n)]
    to: list[int] = []
    cap: list[int] = []
    cost: list[int] = []
    for u, v, c, w in arcs:
        head[u].append(len(to))
        to.append(v)
        cap.append(c)
        cost.append(w)
        head[v].append(len(to))
        to.append(u)
        cap.append(0)
        cost.append(-w)
    return head, to, cap, cost


def _initial_potentials(
    n: int, head: list[list[int]], to: list[int], cap: list[int], cost: list[int], s: int
) -> list[float]:
    """Shortest distances from s by Bellman-Ford (queue based); the graph has no negative
    cycle. Unreachable nodes keep infinity."""
    pot = [float("inf")] * n
    pot[s] = 0
    queue = deque([s])
    queued = [False] * n
    while queue:
        u = queue.popleft()
        queued[u] = False
        for e in head[u]:
            if cap[e] > 0 and pot[u] + cost[e] < pot[to[e]]:
                pot[to[e]] = pot[u] + cost[e]
                if not queued[to[e]]:
                    queued[to[e]] = True
                    queue.append(to[e])
    return pot


def _reduced_distances(
    n: int,
    head: list[list[int]],
    to: list[int],
    cap: list[int],
    cost: list[int],
    pot: list[float],
    s: int,
) -> list[float]:
    """Dijkstra on reduced costs (cost + pot[u] - pot[v], never negative)."""
    inf = float("inf")
    dist = [inf] * n
    dist[s] = 0
    heap = [(0, s)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        pu = pot[u]
        for e in head[u]:
            if cap[e] > 0:
                v = to[e]
                nd = d + cost[e] + pu - pot[v]
                if nd < dist[v]:
                    dist[v] = nd
                    heapq.heappush(heap, (nd, v))
    return dist


def _min_cost(
    n: int, arcs: list[tuple[int, int, int, int]], s: int, t: int, deadline: float
) -> int | None:
    """Least cost of any s-t flow over (u, v, capacity, cost) arcs; stop at cost >= 0.

    Primal-dual: Dijkstra on reduced costs, then a maximum flow on the zero-reduced-cost
    arcs, so every phase sends all paths of one length. None if the deadline passes.
    """
    head, to, cap, cost = _residual(arcs, n)
    inf = float("inf")
    pot = _initial_potentials(n, head, to, cap, cost, s)
    if pot[t] == inf:
        return 0
    pot = [p if p != inf else 0 for p in pot]
    total = 0
    while True:
        if time.perf_counter() > deadline:
            return None
        dist = _reduced_distances(n, head, to, cap, cost, pot, s)
        if dist[t] == inf:
            return total
        dt_ = dist[t]
        for v in range(n):
            pot[v] += dist[v] if dist[v] < dt_ else dt_
        path_cost = pot[t] - pot[s]
        if path_cost >= 0:
            return total
        # Maximum flow on admissible arcs (reduced cost 0).
        sub = [
            (u, to[e], cap[e], e)
            for u in range(n)
            for e in head[u]
            if cap[e] > 0 and cost[e] + pot[u] - pot[to[e]] == 0
        ]
        pushed = _max_flow_arcs(n, sub, s, t, cap)
        if pushed == 0:
            return total
        total += pushed * path_cost


def _max_flow_arcs(
    n: int, sub: list[tuple[int, int, int, int]], s: int, t: int, cap: list[int]
) -> int:
    """Max flow over a subset of arcs of a residual graph, written back into `cap`."""
    edges = [(u, v, c) for u, v, c, _ in sub]
    head: list[list[int]] = [[] for _ in range(n)]
    to: list[int] = []
    rc: list[int] = []
    for u, v, c in edges:
        head[u].append(len(to))
        to.append(v)
        rc.append(c)
        head[v].append(len(to))
        to.append(u)
        rc.append(0)
    flow = _dinic(n, head, to, rc, s, t)
    for k, (_, _, c, e) in enumerate(sub):
        used = c - rc[2 * k]
        if used:
            cap[e] -= used
            cap[e ^ 1] += used
    return flow


def _weighted_bound(state: _State, requests: Sequence[Request], deadline: float) -> int | None:
    """Max-weight fractional b-matching (min-cost flow on the double cover); None on timeout."""
    usable = [
        r
        for r in requests
        if r.weight > 0 and state.avail[r.a] & state.avail[r.b] & state.open_total
    ]
    if not usable:
        return 0
    capacity = _person_capacity(state, usable)
    people = list(capacity)
    pos = {p: k for k, p in enumerate(people)}
    m = len(people)
    source, sink, hub = 2 * m, 2 * m + 1, 2 * m + 2
    arcs = [(hub, source, 2 * state.table_total, 0)]
    for p in people:
        b = capacity[p]
        arcs.append((source, pos[p], b, 0))
        arcs.append((m + pos[p], sink, b, 0))
    for r in usable:
        arcs.append((pos[r.a], m + pos[r.b], 1, -r.weight))
        arcs.append((pos[r.b], m + pos[r.a], 1, -r.weight))
    least = _min_cost(2 * m + 3, arcs, hub, sink, deadline)
    return None if least is None else (-least) // 2


def upper_bound(problem: Problem) -> int:
    """A weight no schedule can beat: LP (fractional b-matching) bound per priority level."""
    state = _State(problem)
    return _bound(state, problem.requests)


def _bound(state: _State, requests: Sequence[Request]) -> int:
    state.open_total = 0
    for i, c in enumerate(state.cap):
        if c > 0:
            state.open_total |= 1 << i
    state.table_total = sum(state.cap)
    levels = sorted({r.weight for r in requests if r.weight > 0})
    total = 0
    previous = 0
    for level in levels:
        # weight = sum over thresholds k <= weight of (k - previous threshold).
        subset = [r for r in requests if r.weight >= level]
        total += (level - previous) * _cardinality_bound(state, subset)
        previous = level
    if len(levels) > 1:
        # Both are valid; the LP of the weighted problem is usually tighter.
        weighted = _weighted_bound(state, requests, time.perf_counter() + WEIGHTED_BOUND_SECONDS)
        if weighted is not None:
            total = min(total, weighted)
    return total


def schedule(
    problem: Problem,
    *,
    time_limit: float = 4.0,
    on_progress: Callable[[int, int], None] | None = None,
    on_improve: Callable[[float], None] | None = None,
) -> Result:
    """Place the heaviest set of requests the slots, tables and availability allow.

    What it maximises: the total weight (organisers' priority 1-3) of the requests given
    a slot, subject to (1) a request only in a slot both delegates are available in,
    (2) one meeting per person per slot, (3) at most the slot's table count of meetings
    per slot. Meetings in `problem.fixed` are kept where they are and count as placed.

    How, in four phases within `time_limit` seconds (the greedy always runs to the end):

    1. Greedy by pressure. Requests are taken by priority (heaviest first), then by how
       over-subscribed their two delegates are (requests per available slot, least first:
       they have the most room to spare), then by id for a stable result. Each gets the
       free slot that the two people's other unplaced requests want least (their weights
       summed), a slot with more free tables winning ties. `on_progress(done, total)`
       reports this phase.
    2. Ejection chains. For each request left out, the meetings in its way (one of its
       two people busy, or the slot's tables full) are moved to other slots, recursively
       to depth 1, then 2, then 3, all or nothing; with several priorities a "swap" pass
       in between puts a heavier request in place of lighter meetings when the ejected
       ones find room elsewhere or weigh less. Passes repeat while they improve, until
       the bound is reached or the time is up. `on_improve(share of the time limit
       used)` is called as it goes (this phase may take the whole time limit).
    3. Exact search. Instances with at most EXACT_MAX_REQUESTS requests to place that
       are still short of the bound are solved by branch and bound (a node budget and the
       deadline cut it short); a finished search proves its optimum, which becomes the
       reported bound.
    4. Reasons. Every request left out gets a reason code (REASON_TEXT) and a `Why`: who
       is fully booked, where tables ran out, which slots each of the two still has free.

    The bound reported is an upper limit on the weight of any schedule: the maximum
    fractional b-matching of the requests (b = the slots a person could use, capped by the
    table total), by max flow on the bipartite double cover, summed over the priority
    levels; with several levels the weighted LP (min-cost flow, WEIGHTED_BOUND_SECONDS at
    most) is used when tighter. `weight / bound` is the quality bench/meetings.py reports.

    Fairness enters through the pressure order (delegates with few usable slots and many
    requests are not crowded out by those with room to spare) and the least-wanted slot
    choice; priorities enter as the weights everything maximises.
    """
    started = time.perf_counter()
    deadline = started + time_limit
    state = _State(problem)
    _place_fixed(state, problem)
    todo = _greedy_order(state, problem)
    _greedy(state, todo, on_progress)
    state.log.clear()
    bound = _bound(state, problem.requests)
    tick = (
        (lambda: on_improve((time.perf_counter() - started) / time_limit)) if on_improve else None
    )
    _improve(state, todo, bound, set(problem.fixed), deadline, tick)
    if _placed_weight(state) < bound and len(todo) <= EXACT_MAX_REQUESTS:
        proven = _exact(state, todo, deadline)
        if proven is not None:
            bound = proven
    assignment = {rid: state.slots[i] for rid, i in state.slot_of.items()}
    left_out = [r for r in problem.requests if r.id not in state.slot_of]
    why = {r.id: _why(state, r) for r in left_out}
    weight = _placed_weight(state)
    return Result(
        assignment=assignment,
        scheduled=len(assignment),
        weight=weight,
        bound=max(bound, weight),
        reasons={rid: w.reason for rid, w in why.items()},
        seconds=time.perf_counter() - started,
        why=why,
    )


def _place_fixed(state: _State, problem: Problem) -> None:
    """Meetings to keep first, as given (even if they break a rule, they are kept)."""
    for rid, slot in problem.fixed.items():
        r = state.req.get(rid)
        i = state.index.get(slot)
        if r is None or i is None:
            continue
        state.place(r, i)


def _placed_weight(state: _State) -> int:
    return sum(state.req[rid].weight for rid in state.slot_of)


def _greedy_order(state: _State, problem: Problem) -> list[Request]:
    """Requests to place: heaviest first, then the least pressed delegates, then by id."""
    todo = [r for r in problem.requests if r.id not in state.slot_of and r.weight > 0]
    degree: dict = defaultdict(int)
    for r in todo:
        degree[r.a] += 1
        degree[r.b] += 1

    def pressure(p) -> float:
        return degree[p] / max(1, state.avail[p].bit_count())

    todo.sort(key=lambda r: (-r.weight, pressure(r.a) + pressure(r.b), str(r.id)))
    return todo


def _greedy(
    state: _State, todo: list[Request], on_progress: Callable[[int, int], None] | None
) -> None:
    """Place each request in the free slot least wanted by its people's other requests."""
    # Remaining demand of each person per slot: how many of their unplaced requests
    # could still use the slot; the greedy takes the slot least wanted by others.
    partners: dict = defaultdict(list)
    for r in todo:
        partners[r.a].append(r)
        partners[r.b].append(r)
    total = len(todo)
    pending = set(r.id for r in todo)
    step = max(1, total // 50)
    for k, r in enumerate(todo):
        if on_progress and k % step == 0:
            on_progress(k, total)
        free = (
            state.avail[r.a]
            & state.avail[r.b]
            & ~state.busy[r.a]
            & ~state.busy[r.b]
            & state.open_mask()
        )
        pending.discard(r.id)
        if free:
            state.place(r, _least_wanted(state, r, _bits(free), partners, pending))
    if on_progress:
        on_progress(total, total)


def _least_wanted(
    state: _State, r: Request, candidates: list[int], partners: dict, pending: set
) -> int:
    """The candidate slot the two people's other unplaced requests want least."""
    if len(candidates) == 1:
        return candidates[0]
    best, best_cost = candidates[0], None
    for i in candidates:
        bit = 1 << i
        cost = 0
        for p in (r.a, r.b):
            for q in partners[p]:
                if q.id in pending:
                    other = q.b if q.a == p else q.a
                    if state.avail[other] & ~state.busy[other] & bit:
                        cost += q.weight
        cost -= (state.cap[i] - state.used[i]) / (state.cap[i] + 1)
        if best_cost is None or cost < best_cost:
            best, best_cost = i, cost
    return best


def _improve(
    state: _State,
    todo: list[Request],
    bound: int,
    fixed_ids: set,
    deadline: float,
    tick: Callable[[], None] | None = None,
) -> None:
    """Ejection chains for what the greedy left out, deeper while time allows, until
    the bound is reached (with a swap pass when priorities differ)."""
    weighted = len({r.weight for r in todo}) > 1
    for phase in (1, 2, "swap", 3):
        if phase == "swap" and not weighted:
            continue
        improved = True
        while improved and time.perf_counter() < deadline and _placed_weight(state) < bound:
            improved = False
            if phase == "swap":
                improved |= _swap_pass(state, todo, fixed_ids, deadline)
            improved |= _insert_pass(
                state, todo, 2 if phase == "swap" else phase, fixed_ids, deadline, tick
            )
        if time.perf_counter() >= deadline:
            break


def _swap_pass(state: _State, todo: list[Request], fixed_ids: set, deadline: float) -> bool:
    """Swap heavier requests in for lighter meetings, re-placing the ejected ones where
    possible."""
    improved = False
    for r in sorted(todo, key=lambda q: -q.weight):
        if r.id not in state.slot_of and time.perf_counter() < deadline:
            improved |= _swap_in(state, r, fixed_ids, deadline)
            state.log.clear()
    return improved


def _insert_pass(
    state: _State,
    todo: list[Request],
    depth: int,
    fixed_ids: set,
    deadline: float,
    tick: Callable[[], None] | None = None,
) -> bool:
    """Try to place every unplaced request with ejection chains of `depth`."""
    improved = False
    for k, r in enumerate(todo):
        if r.id in state.slot_of:
            continue
        if tick and k % 16 == 0:
            tick()
        if time.perf_counter() >= deadline:
            break
        if _insert(state, r, depth, fixed_ids, set(), deadline):
            improved = True
        state.log.clear()
    return improved


def _exact(
    state: _State, todo: list[Request], deadline: float, node_limit: int = 200_000
) -> int | None:
    """Branch and bound over the non-fixed requests of a small instance.

    Leaves the best schedule found in `state`; returns its weight when the search
    finished (a proven optimum), None when it ran out of nodes or time.
    """
    base = {r.id: state.slot_of[r.id] for r in todo if r.id in state.slot_of}
    for r in todo:
        if r.id in state.slot_of:
            state.remove(r, log=False)
    order = sorted(todo, key=lambda r: -r.weight)
    suffix = [0] * (len(order) + 1)
    for k in range(len(order) - 1, -1, -1):
        suffix[k] = suffix[k + 1] + order[k].weight
    best_weight = sum(r.weight for r in todo if r.id in base)
    best = dict(base)
    current: dict = {}
    nodes = 0
    finished = True

    def search(k: int, weight: int) -> None:
        nonlocal best_weight, best, nodes, finished
        nodes += 1
        if nodes > node_limit or (nodes % 1024 == 0 and time.perf_counter() > deadline):
            finished = False
            return
        if weight + suffix[k] <= best_weight:
            return
        if k == len(order):
            best_weight, best = weight, dict(current)
            return
        r = order[k]
        free = (
            state.avail[r.a]
            & state.avail[r.b]
            & ~state.busy[r.a]
            & ~state.busy[r.b]
            & state.open_mask()
        )
        for i in _bits(free):
            state.place(r, i, log=False)
            current[r.id] = i
            search(k + 1, weight + r.weight)
            del current[r.id]
            state.remove(r, log=False)
            if not finished:
                return
        search(k + 1, weight)

    search(0, 0)
    for rid, i in best.items():
        state.place(state.req[rid], i, log=False)
    if not finished:
        return None
    fixed_weight = sum(state.req[rid].weight for rid in state.slot_of if rid not in best)
    return best_weight + fixed_weight


def _swap_in(state: _State, r: Request, fixed: set, deadline: float) -> bool:
    """Place r by ejecting lighter meetings, re-placing them if possible; keep only a net gain."""
    best: tuple[int, int, list[Request]] | None = None
    for i in _bits(state.avail[r.a] & state.avail[r.b]):
        if state.cap[i] <= 0:
            continue
        blockers = {state.at[p, i] for p in (r.a, r.b) if (p, i) in state.at}
        if state.used[i] - len(blockers) >= state.cap[i]:
            # Also free a table: the lightest movable meeting of the slot.
            others = [
                state.req[q]
                for q in state.in_slot[i]
                if q not in fixed and state.req[q] not in blockers
            ]
            if not others:
                continue
            blockers.add(min(others, key=lambda q: q.weight))
        if any(b.id in fixed for b in blockers):
            continue
        if sum(b.weight for b in blockers) >= r.weight:
            continue
        mark = len(state.log)
        for b in blockers:
            state.remove(b)
        state.place(r, i)
        lost = 0
        for b in sorted(blockers, key=lambda b: str(b.id)):
            if not _insert(state, b, 1, fixed, {r.id}, deadline):
                lost += b.weight
        gain = r.weight - lost
        state.rollback(mark)
        if gain > 0 and (best is None or gain > best[0]):
            best = (gain, i, sorted(blockers, key=lambda b: str(b.id)))
    if best is None:
        return False
    _, i, ordered = best
    mark = len(state.log)
    for b in ordered:
        state.remove(b)
    state.place(r, i)
    lost = sum(b.weight for b in ordered if not _insert(state, b, 1, fixed, {r.id}, deadline))
    if lost >= r.weight:  # a deadline cut the re-placing short
        state.rollback(mark)
        return False
    return True


def _insert(
    state: _State, r: Request, depth: int, fixed: set, moving: set, deadline: float
) -> bool:
    """Place r, moving the meetings in its way to other slots (recursively); all or nothing."""
    common = state.avail[r.a] & state.avail[r.b]
    # Cheapest first: slots where nothing blocks, then slots with fewer blockers.
    options = []
    for i in _bits(common):
        blockers = {state.at[p, i] for p in (r.a, r.b) if (p, i) in state.at}
        table_full = state.used[i] >= state.cap[i]
        if state.cap[i] <= 0:
            continue
        if not blockers and not table_full:
            state.place(r, i)
            return True
        options.append(
            (len(blockers) + (1 if table_full and not blockers else 0), i, blockers, table_full)
        )
    if depth <= 0 or time.perf_counter() >= deadline:
        return False
    options.sort(key=lambda o: o[0])
    moving = moving | {r.id}
    for _, i, blockers, _table_full in options:
        if any(b.id in fixed or b.id in moving for b in blockers):
            continue
        if blockers:
            groups = [list(blockers)]
        else:
            # Table full: try moving out one meeting of this slot.
            groups = [
                [state.req[q]] for q in list(state.in_slot[i]) if q not in fixed and q not in moving
            ]
        for group in groups:
            if _try_move(state, r, i, group, depth, fixed, moving, deadline):
                return True
            if time.perf_counter() >= deadline:
                return False
    return False


def _try_move(
    state: _State,
    r: Request,
    i: int,
    group: list[Request],
    depth: int,
    fixed: set,
    moving: set,
    deadline: float,
) -> bool:
    """Eject `group` from slot i, place r there, re-place the group elsewhere or undo."""
    mark = len(state.log)
    for b in group:
        state.remove(b)
    if state.busy[r.a] & (1 << i) or state.busy[r.b] & (1 << i) or state.used[i] >= state.cap[i]:
        state.rollback(mark)
        return False
    state.place(r, i)
    inner_moving = moving | {b.id for b in group}
    for b in group:
        # The ejected meeting may not come back to slot i.
        original_a, original_b = state.avail[b.a], state.avail[b.b]
        state.avail[b.a] = original_a & ~(1 << i)
        state.avail[b.b] = original_b & ~(1 << i)
        try:
            done = _insert(state, b, depth - 1, fixed, inner_moving, deadline)
        finally:
            state.avail[b.a] = original_a
            state.avail[b.b] = original_b
        if not done:
            state.rollback(mark)
            return False
    return True


@dataclass(frozen=True)
class Why:
    """Why a request stayed out of the schedule, and what would let it in.

    Slots are the problem's slot ids. `common`: the slots both delegates are available in
    (with tables); `fully_booked`: who of the two ("a", "b") is busy in every one of them;
    `tables_full`: common slots in which both are free but every table is taken;
    `free_a` / `free_b`: slots where that delegate is available and free with a table
    left, but the other is not available (the other opening one of them would help).
    """

    reason: str
    common: tuple = ()
    fully_booked: tuple[str, ...] = ()
    tables_full: tuple = ()
    free_a: tuple = ()
    free_b: tuple = ()


def _why(state: _State, r: Request) -> Why:
    """Why an unscheduled request could not be placed, given the final schedule."""
    open_slots = state.open_mask()
    common = [i for i in _bits(state.avail[r.a] & state.avail[r.b]) if state.cap[i] > 0]

    def free_alone(p, other) -> tuple:
        mask = state.avail[p] & ~state.busy[p] & open_slots & ~state.avail[other]
        return tuple(state.slots[i] for i in _bits(mask))

    full = tuple(
        side
        for side, p in (("a", r.a), ("b", r.b))
        if common and all(state.busy[p] >> i & 1 for i in common)
    )
    both_free = [
        i for i in common if not (state.busy[r.a] >> i & 1) and not (state.busy[r.b] >> i & 1)
    ]
    if not common:
        reason = NO_COMMON_SLOT
    elif full:
        reason = PERSON_FULLY_BOOKED
    elif both_free:
        reason = TABLES_FULL
    else:
        reason = BOTH_BUSY
    return Why(
        reason=reason,
        common=tuple(state.slots[i] for i in common),
        fully_booked=full,
        tables_full=tuple(state.slots[i] for i in both_free),
        free_a=free_alone(r.a, r.b),
        free_b=free_alone(r.b, r.a),
    )


def explain(problem: Problem, assignment: dict, request_ids: Sequence) -> dict:
    """`Why` each of `request_ids` is not placed, given a schedule (request id -> slot):
    the same answer the scheduler gives, for the meetings booked now."""
    state = _State(problem)
    for rid, slot in assignment.items():
        r, i = state.req.get(rid), state.index.get(slot)
        if r is not None and i is not None and rid not in state.slot_of:
            state.place(r, i)
    return {
        rid: _why(state, state.req[rid])
        for rid in request_ids
        if rid in state.req and rid not in state.slot_of
    }
