"""Benchmark: the batch meeting scheduler against its upper bound and a first-come baseline.

Run: /work/venv/bin/python bench/meetings.py [--delegates 1000] [--requests 6000]
     [--slots 16] [--tables 400] [--availability 0.9] [--seed 1] [--priorities]
Target on the default instance: scheduled >= 99.5 % of the bound within 5 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from confapp.meetings.scheduler import Problem  # noqa: E402
from confapp.meetings.scheduler import Request  # noqa: E402
from confapp.meetings.scheduler import schedule  # noqa: E402


def generate(
    delegates: int,
    requests: int,
    slots: int,
    tables: int,
    availability: float,
    seed: int,
    priorities: bool,
) -> Problem:
    """Zipf-like popularity (weight 1/rank^0.9 for invitees, 1/rank^0.5 for requesters)."""
    rng = random.Random(seed)
    people = list(range(delegates))
    popular = people[:]
    rng.shuffle(popular)
    active = people[:]
    rng.shuffle(active)
    invitee_w = [1 / (rank + 1) ** 0.9 for rank in range(delegates)]
    requester_w = [1 / (rank + 1) ** 0.5 for rank in range(delegates)]
    pairs: set[tuple[int, int]] = set()
    out: list[Request] = []
    while len(out) < requests:
        a = rng.choices(active, requester_w)[0]
        b = rng.choices(popular, invitee_w)[0]
        key = (min(a, b), max(a, b))
        if a == b or key in pairs:
            continue
        pairs.add(key)
        weight = rng.choice((1, 1, 2, 3)) if priorities else 1
        out.append(Request(id=len(out), a=a, b=b, weight=weight))
    slot_ids = list(range(slots))
    unavailable = {p: {s for s in slot_ids if rng.random() > availability} for p in people}
    return Problem(
        slots=slot_ids,
        tables=dict.fromkeys(slot_ids, tables),
        requests=out,
        unavailable=unavailable,
    )


def first_come(problem: Problem) -> int:
    """Baseline: requests in arrival order, each in the first slot both have free."""
    busy: dict = {}
    used = dict.fromkeys(problem.slots, 0)
    weight = 0
    for r in problem.requests:
        for s in problem.slots:
            if (
                used[s] >= problem.tables[s]
                or s in problem.unavailable.get(r.a, ())
                or s in problem.unavailable.get(r.b, ())
            ):
                continue
            if (r.a, s) in busy or (r.b, s) in busy:
                continue
            busy[r.a, s] = busy[r.b, s] = r.id
            used[s] += 1
            weight += r.weight
            break
    return weight


def main() -> None:
    """Generate the instance, run baseline and scheduler, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delegates", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--slots", type=int, default=16)
    parser.add_argument("--tables", type=int, default=400)
    parser.add_argument("--availability", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--priorities", action="store_true", help="priorities 1/2/3 instead of all 1"
    )
    parser.add_argument("--time-limit", type=float, default=4.0)
    args = parser.parse_args()
    problem = generate(
        args.delegates,
        args.requests,
        args.slots,
        args.tables,
        args.availability,
        args.seed,
        args.priorities,
    )
    started = time.perf_counter()
    baseline = first_come(problem)
    baseline_seconds = time.perf_counter() - started
    result = schedule(problem, time_limit=args.time_limit)
    ratio = result.weight / result.bound if result.bound else 1.0
    print(
        f"instance: {args.delegates} delegates, {len(problem.requests)} accepted requests, "
        f"{args.slots} slots x {args.tables} tables, "
        f"availability {args.availability}, seed {args.seed}"
    )
    print(
        f"first-come baseline: {baseline} ({baseline / result.bound:.2%} of bound) "
        f"in {baseline_seconds:.2f} s"
    )
    print(f"scheduled: {result.scheduled} meetings, weight {result.weight}")
    print(f"bound: {result.bound}")
    print(f"ratio: {ratio:.4f}")
    print(f"seconds: {result.seconds:.2f}")
    print(f"vs baseline: {result.weight / baseline:.3f}x")
    target = ratio >= 0.995 and result.seconds <= 5
    print("target (>= 99.5 % of bound in <= 5 s):", "met" if target else "NOT met")


if __name__ == "__main__":
    main()
