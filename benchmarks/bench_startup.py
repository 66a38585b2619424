"""Benchmark: how long `xlsxkit --help` and `xlsxkit validate` take to start and finish.

Run by hand:  python benchmarks/bench_startup.py [--runs R] [--against CODE_DIR]
Each command runs R times (default 15) in a fresh interpreter, interleaved with
`python -c pass` (the floor) so that load from elsewhere hits all alike; prints the minimum
and median wall time of each, and its CPU time (less distorted when other work loads the
machine). ``--against CODE_DIR`` runs the same commands with the
xlsxkit found there (an older checkout) in the same run.
Goal (issue 14, point 5): --help <= 80 ms and validate <= 120 ms.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = {"--help": 0.080, "validate": 0.120}
ENTRY = "import sys; from xlsxkit.cli import main; sys.argv[0] = 'xlsxkit'; main()"


def timed(argv: list[str], code: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ARGV."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=code, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--against", type=Path, default=None)
    args = parser.parse_args()
    py = [sys.executable]
    cases = {
        "python -c pass": ([*py, "-c", "pass"], ROOT),
        "--help": ([*py, "-c", ENTRY, "--help"], ROOT),
        "validate": ([*py, "-c", ENTRY, "validate", "framework.yaml"], ROOT),
    }
    if args.against:
        cases["--help (before)"] = ([*py, "-c", ENTRY, "--help"], args.against)
        cases["validate (before)"] = (
            [*py, "-c", ENTRY, "validate", "framework.yaml"],
            args.against,
        )
    walls: dict[str, list[float]] = {name: [] for name in cases}
    cpus: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, (argv, code) in cases.items():
            wall, cpu = timed(argv, code)
            walls[name].append(wall)
            cpus[name].append(cpu)
    print(f"{args.runs} runs each; wall time min / median, CPU time (user+sys) min / median")
    for name in cases:
        goal = GOALS.get(name.split(" ")[0])
        note = f"   goal <= {goal * 1000:.0f} ms" if goal else ""
        w, c = walls[name], cpus[name]
        print(
            f"{name:20} wall {min(w) * 1e3:5.0f} / {statistics.median(w) * 1e3:5.0f} ms   "
            f"CPU {min(c) * 1e3:5.0f} / {statistics.median(c) * 1e3:5.0f} ms{note}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
