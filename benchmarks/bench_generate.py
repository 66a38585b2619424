"""Benchmark: generate N organisation workbooks (the batch and its manifest, as
``xlsxkit generate`` writes them).

Run by hand:  python benchmarks/bench_generate.py [N] [--jobs J] [--runs R]
                  [--against CODE_DIR] [--profile K]
Each run is a fresh process (its working directory the code measured) that generates N
workbooks for N distinct organisations with the bundled framework; wall time, CPU time
(the process and its workers) and the mean workbook size are reported, minimum and median
over R runs (default 5). ``--against CODE_DIR`` runs the xlsxkit found there too (an older
checkout), interleaved run by run with this one so that load from elsewhere hits both
alike, and prints the ratio of the medians. ``--profile K`` prints a cProfile (tottime
and cumulative) of K workbooks written in one process instead.
Goal (issue 14, point 4): 1,000 workbooks in 4 s or less on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.child import run_child  # noqa: E402

GOAL_SECONDS = 4.0

#: Runs in a child process whose working directory is the code measured.
CHILD = """
import cProfile, json, pstats, resource, shutil, sys, tempfile, time
from pathlib import Path
from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Organisation
from xlsxkit.outbound.generate import GenerateRequest, generate
from xlsxkit.resources import bundled_framework
from xlsxkit.workbook.instructions import load_template

n, jobs, mode = int(sys.argv[1]), int(sys.argv[2]) or None, sys.argv[3]
framework = require_framework(bundled_framework())
organisations = [
    Organisation(id=f"org-{i:05}", name=f"Organisation {i:05}", email=f"o{i}@example.org")
    for i in range(n)
]
out = Path(tempfile.mkdtemp(prefix="xlsxkit-bench-gen-"))
request = GenerateRequest(
    framework=framework, organisations=organisations, out_dir=out / "batch",
    instructions=load_template(), round="bench", jobs=1 if mode == "profile" else jobs,
)
try:
    if mode == "profile":
        profiler = cProfile.Profile()
        profiler.enable()
        generate(request)
        profiler.disable()
        for order in ("tottime", "cumulative"):
            pstats.Stats(profiler).sort_stats(order).print_stats(25)
        raise SystemExit(0)
    start = time.perf_counter()
    result = generate(request)
    wall = time.perf_counter() - start
    size = sum(p.stat().st_size for p in (out / "batch").glob("*.xlsx"))
finally:
    shutil.rmtree(out, ignore_errors=True)
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "wall": wall,
    "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
    "kb": size / len(result.rows) / 1024,
    "main_mb": me.ru_maxrss / 1024,
    "worker_mb": kids.ru_maxrss / 1024,
}))
"""


def run(code: Path, n: int, jobs: int | None, mode: str = "time") -> dict[str, float]:
    stdout = run_child(code, CHILD, str(n), str(jobs or 0), mode)
    if mode == "profile":
        print(stdout)
        return {}
    result: dict[str, float] = json.loads(stdout.strip().splitlines()[-1])
    return result


def _summary(label: str, runs: list[dict[str, float]], n: int) -> str:
    wall = [r["wall"] for r in runs]
    cpu = [r["cpu"] / n * 1e3 for r in runs]
    return (
        f"{label:7} wall s {min(wall):6.2f} / {statistics.median(wall):6.2f}   "
        f"CPU ms/workbook {min(cpu):6.2f} / {statistics.median(cpu):6.2f}   "
        f"{runs[0]['kb']:.1f} KB each; peak RSS main {max(r['main_mb'] for r in runs):.0f} MB, "
        f"largest worker {max(r['worker_mb'] for r in runs):.0f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=1000)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--against", type=Path, default=None)
    parser.add_argument("--profile", type=int, default=0, metavar="K")
    args = parser.parse_args()
    if args.profile:
        run(args.against or ROOT, args.profile, 1, "profile")
        return 0
    now: list[dict[str, float]] = []
    then: list[dict[str, float]] = []
    for _ in range(args.runs):
        now.append(run(ROOT, args.n, args.jobs))
        if args.against:
            then.append(run(args.against, args.n, args.jobs))
    jobs = args.jobs or "all cores as"
    print(f"generate {args.n} workbooks ({jobs} jobs), min / median of {args.runs} runs")
    print(_summary("now", now, args.n))
    if then:
        print(_summary("before", then, args.n))
        ratio = statistics.median(r["wall"] for r in then) / statistics.median(
            r["wall"] for r in now
        )
        print(f"wall-time speed-up (medians) {ratio:.2f}x")
    best = statistics.median(r["wall"] for r in now)
    print(f"median {best:.2f} s (goal <= {GOAL_SECONDS} s for 1,000 workbooks on 2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
