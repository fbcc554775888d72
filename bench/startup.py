"""Benchmark: start-up of every process that builds the app, against a bare interpreter.

Run: python bench/startup.py [--runs 7]

Measures, each in fresh subprocesses and in turns (so that load from elsewhere on the
machine falls on all of them alike):
- baseline: `python -c pass`;
- the app as a gunicorn worker builds it: `import confapp; confapp.create_app()`;
- `confapp --help` (builds the app and lists every command);
and prints the median wall time and CPU time (user + system) of each, and each one's
ratio to the baseline. Goal: each `confapp` process ready in at most 1.0 s. The goal is
judged on CPU time, what the process itself needs: on a shared machine the wall time also
holds the time spent waiting for a core (both are printed).

Python runs as installed code does, with its bytecode cache (here in a temporary folder,
after one warm-up run); a cold run without any cache (PYTHONDONTWRITEBYTECODE=1 and no
.pyc, as in a fresh checkout) compiles every module first and is printed for comparison.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 1.0

CASES = {
    "python -c pass (baseline)": ["-c", "pass"],
    "create_app() (gunicorn worker)": ["-c", "import confapp; confapp.create_app()"],
    "confapp --help": ["-c", "from confapp.cli import main; main()", "--help"],
}


def _env(cache: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFAPP_")}
    env["CONFAPP_ENV"] = "development"
    env["CONFAPP_DATABASE_URL"] = "sqlite://"
    env.pop("PYTHONPYCACHEPREFIX", None)
    if cache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
    return env


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh interpreter running `args`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(runs: int, env: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds of each case, the cases taking turns."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in CASES}
    for _ in range(runs):
        for name, args in CASES.items():
            samples[name].append(run_once(args, env))
    return {
        name: (statistics.median(w for w, _ in s), statistics.median(c for _, c in s))
        for name, s in samples.items()
    }


def _print(results: dict[str, tuple[float, float]]) -> bool:
    base_wall, base_cpu = results["python -c pass (baseline)"]
    met = True
    for name, (wall, cpu) in results.items():
        line = f"   {name:32} wall {wall:5.2f} s  cpu {cpu:5.2f} s"
        if not name.startswith("python"):
            ok = cpu <= GOAL
            met &= ok
            line += f"  ({wall / base_wall:4.0f}x the baseline)  {'met' if ok else 'MISSED'}"
        print(line)
    return met


def main() -> int:
    """Print the figures; exit 1 when a `confapp` process needs more CPU than the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        env = _env(cache)
        for case in CASES.values():  # warm-up: writes the bytecode cache
            run_once(case, env)
        print(f"start-up, median of {args.runs} runs, with bytecode (goal: cpu <= {GOAL:.1f} s):")
        met = _print(measure(args.runs, env))
    print("cold, no bytecode cache (every module compiled first; for comparison):")
    _print(measure(max(1, args.runs // 3), _env(None)))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
