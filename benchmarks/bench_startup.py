"""Benchmark: how long `xlsxkit --help` and `xlsxkit validate` take to start and finish.

Run by hand:  python benchmarks/bench_startup.py [--runs R] [--against CODE_DIR] [--no-bytecode]
Each command runs R times (default 15) in a fresh interpreter, interleaved with
`python -c pass` (the floor) so that load from elsewhere hits all alike; prints the minimum
and median wall time of each, and its CPU time (less distorted when other work loads the
machine), and the ratio of its minimum CPU time to the floor's. ``--against CODE_DIR`` runs
the same commands with the xlsxkit found there (an older checkout) in the same run.
Two more lines show what the libraries alone cost: `import click` (every command) and
`import click, yaml` (validate), so what xlsxkit adds can be told from what it must load.

The commands run with their bytecode cached, as an installed xlsxkit runs (pip compiles
the package when it installs it): in a private PYTHONPYCACHEPREFIX, filled by one run of
each command before timing, so no checkout is written to (this machine's environment sets
PYTHONDONTWRITEBYTECODE, under which every run compiles xlsxkit's sources again).
``--no-bytecode`` measures that way instead.
Goal (issue 14, point 5): --help <= 80 ms and validate <= 120 ms.
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
GOALS = {"--help": 0.080, "validate": 0.120}
ENTRY = "import sys; from xlsxkit.cli import main; sys.argv[0] = 'xlsxkit'; main()"


def timed(argv: list[str], code: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ARGV."""
    env = {**env, "PYTHONPATH": str(code)}
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
    parser.add_argument("--no-bytecode", action="store_true", help="compile on every run")
    args = parser.parse_args()
    py = [sys.executable]
    cases = {
        "python -c pass": ([*py, "-c", "pass"], ROOT),
        "import click": ([*py, "-c", "import click"], ROOT),
        "import click, yaml": ([*py, "-c", "import click, yaml"], ROOT),
        "--help": ([*py, "-c", ENTRY, "--help"], ROOT),
        "validate": ([*py, "-c", ENTRY, "validate", "framework.yaml"], ROOT),
    }
    if args.against:
        cases["--help (before)"] = ([*py, "-c", ENTRY, "--help"], args.against)
        cases["validate (before)"] = (
            [*py, "-c", ENTRY, "validate", "framework.yaml"],
            args.against,
        )
    with tempfile.TemporaryDirectory(prefix="xlsxkit-pycache-") as cache:
        env = dict(os.environ)
        if args.no_bytecode:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = cache
            for argv, code in cases.values():  # fill the cache
                timed(argv, code, env)
        walls: dict[str, list[float]] = {name: [] for name in cases}
        cpus: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, (argv, code) in cases.items():
                wall, cpu = timed(argv, code, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
    mode = "compiled on every run" if args.no_bytecode else "bytecode cached"
    print(
        f"{args.runs} runs each, {mode}; wall time min / median, CPU time (user+sys) "
        "min / median, min CPU as a multiple of python -c pass's"
    )
    floor = min(cpus["python -c pass"])
    for name in cases:
        goal = GOALS.get(name.split(" ")[0])
        note = f"   goal <= {goal * 1000:.0f} ms" if goal else ""
        w, c = walls[name], cpus[name]
        print(
            f"{name:20} wall {min(w) * 1e3:5.0f} / {statistics.median(w) * 1e3:5.0f} ms   "
            f"CPU {min(c) * 1e3:5.0f} / {statistics.median(c) * 1e3:5.0f} ms   "
            f"{min(c) / floor:4.1f}x{note}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
