"""The batch scheduler on plain data: validity, optimality on tiny instances, a valid bound."""

from __future__ import annotations

import itertools
import random

import pytest

from confapp.meetings import scheduler as S


def check_valid(problem: S.Problem, result: S.Result) -> None:
    """No one twice in a slot, tables respected, availability respected, fixed kept."""
    reqs = {r.id: r for r in problem.requests}
    seen = set()
    per_slot: dict = {}
    for rid, slot in result.assignment.items():
        r = reqs[rid]
        for p in (r.a, r.b):
            assert (p, slot) not in seen, f"{p} twice in slot {slot}"
            seen.add((p, slot))
            if rid not in problem.fixed:
                assert slot not in problem.unavailable.get(p, set())
        per_slot[slot] = per_slot.get(slot, 0) + 1
    for slot, n in per_slot.items():
        assert n <= problem.tables[slot]
    for rid, slot in problem.fixed.items():
        assert result.assignment[rid] == slot
    assert result.weight == sum(reqs[rid].weight for rid in result.assignment)
    assert set(result.reasons) == {r.id for r in problem.requests} - set(result.assignment)


def brute_force(problem: S.Problem) -> int:
    """Exhaustive optimum: each request gets a slot or none."""
    slots = list(problem.slots)
    options = []
    for r in problem.requests:
        if r.id in problem.fixed:
            options.append([problem.fixed[r.id]])
            continue
        ok = [
            s
            for s in slots
            if s not in problem.unavailable.get(r.a, set())
            and s not in problem.unavailable.get(r.b, set())
        ]
        options.append([None, *ok])
    best = 0
    for choice in itertools.product(*options):
        busy = set()
        used: dict = {}
        weight = 0
        valid = True
        for r, s in zip(problem.requests, choice, strict=True):
            if s is None:
                continue
            if (r.a, s) in busy or (r.b, s) in busy:
                valid = False
                break
            busy.add((r.a, s))
            busy.add((r.b, s))
            used[s] = used.get(s, 0) + 1
            if used[s] > problem.tables[s]:
                valid = False
                break
            weight += r.weight
        if valid:
            best = max(best, weight)
    return best


def random_problem(rng: random.Random, weighted: bool) -> S.Problem:
    people = list(range(rng.randint(3, 6)))
    slots = list(range(rng.randint(1, 3)))
    pairs = [p for p in itertools.combinations(people, 2)]
    rng.shuffle(pairs)
    chosen = pairs[: rng.randint(1, min(7, len(pairs)))]
    requests = [
        S.Request(id=i, a=a, b=b, weight=rng.choice((1, 2, 3)) if weighted else 1)
        for i, (a, b) in enumerate(chosen)
    ]
    return S.Problem(
        slots=slots,
        tables={s: rng.randint(0, 3) for s in slots},
        requests=requests,
        unavailable={p: {s for s in slots if rng.random() < 0.25} for p in people},
    )


@pytest.mark.parametrize("weighted", [False, True])
def test_optimal_on_small_instances_and_bound_valid(weighted):
    rng = random.Random(7 if weighted else 3)
    for _ in range(300):
        problem = random_problem(rng, weighted)
        result = S.schedule(problem, time_limit=1)
        check_valid(problem, result)
        optimum = brute_force(problem)
        assert result.bound >= optimum, "the bound must never be below the optimum"
        assert S.upper_bound(problem) >= optimum
        if not weighted:
            assert result.weight == optimum


def test_weighted_small_instances_close_to_optimum():
    rng = random.Random(11)
    total = best = 0
    for _ in range(200):
        problem = random_problem(rng, True)
        total += S.schedule(problem, time_limit=1).weight
        best += brute_force(problem)
    assert total >= 0.98 * best


def test_fixed_meetings_kept_and_availability_respected():
    problem = S.Problem(
        slots=["s1", "s2"],
        tables={"s1": 1, "s2": 1},
        requests=[S.Request("x", "A", "B"), S.Request("y", "A", "C"), S.Request("z", "B", "C")],
        unavailable={"C": {"s2"}},
        fixed={"x": "s1"},
    )
    result = S.schedule(problem)
    check_valid(problem, result)
    assert result.assignment["x"] == "s1"
    # y and z both need C, who only has s1, taken by the fixed meeting's table.
    assert result.scheduled == 1
    assert result.reasons["y"] == S.TABLES_FULL or result.reasons["y"] == S.PERSON_FULLY_BOOKED


def test_reasons():
    problem = S.Problem(
        slots=[1, 2],
        tables={1: 5, 2: 0},
        requests=[S.Request(1, "A", "B"), S.Request(2, "A", "C"), S.Request(3, "D", "E")],
        unavailable={"D": {1}},
    )
    result = S.schedule(problem)
    check_valid(problem, result)
    assert result.reasons[3] == S.NO_COMMON_SLOT
    assert result.reasons[2] == S.PERSON_FULLY_BOOKED
    assert result.bound == 1
    full = S.Problem(
        slots=[1], tables={1: 1}, requests=[S.Request(1, "A", "B"), S.Request(2, "C", "D")]
    )
    result = S.schedule(full)
    assert list(result.reasons.values()) == [S.TABLES_FULL]
    assert result.bound == 1


def test_bound_beats_simple_bounds_on_a_star():
    # One popular person with 10 requests but 3 slots: at most 3 meetings.
    requests = [S.Request(i, "hub", f"p{i}") for i in range(10)]
    problem = S.Problem(slots=[1, 2, 3], tables={1: 10, 2: 10, 3: 10}, requests=requests)
    result = S.schedule(problem)
    assert result.scheduled == result.bound == 3


def test_progress_reported():
    calls = []
    problem = S.Problem(
        slots=[1], tables={1: 3}, requests=[S.Request(i, i, i + 100) for i in range(5)]
    )
    S.schedule(problem, on_progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (5, 5)


def test_medium_instance_reaches_the_bound_quickly():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from meetings import generate

    problem = generate(200, 1200, 8, 80, 0.9, 5, False)
    result = S.schedule(problem, time_limit=3)
    check_valid(problem, result)
    assert result.weight >= 0.995 * result.bound
