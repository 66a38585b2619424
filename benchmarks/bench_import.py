"""Benchmark: import N distinct filled returns, all outputs included, next to a plain
openpyxl loop over the same files measured in the same run.

Run by hand:  python benchmarks/bench_import.py [N] [KIND ...] [--runs R] [--jobs J]
                  [--openpyxl-sample K] [--against CODE_DIR] [--profile]
KIND is one of benchmarks/corpora.py's (default: xlsxwriter openpyxl lo-xlsx lo-ods lo-xls;
the corpora are built once into benchmarks/_out/corpus, git-ignored). Each run imports the
N returns in a fresh process (summary workbook and CSV files written), which reports its
wall time and its own peak memory (VmHWM; the readers are worker processes, reported
apart). The baseline is openpyxl's read-only, values-only loop over every sheet of K
files (default 200) per run, one process, scaled to N; it cannot read .ods or .xls.
Minimum and median over R runs (default 5). ``--against CODE_DIR`` imports with the xlsxkit
found there too, in the same run; ``--profile`` prints where the main process spends its
time (one extra run under cProfile).
Goals (issue 14): >= 8x the openpyxl loop at 1,000 returns of each kind; 10,000 returns in
<= 12 s on 2 cores; main-process peak <= 300 MB.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.child import run_child  # noqa: E402
from benchmarks.corpora import KINDS, SUFFIX, corpus  # noqa: E402

CHILD = """
import cProfile, pstats, resource, sys, tempfile, time
from pathlib import Path
from xlsxkit.app.import_job import import_job
from xlsxkit.framework.load import require_framework
from xlsxkit.inbound.batch import ImportRequest
from xlsxkit.resources import bundled_framework

folder, jobs, profile = Path(sys.argv[1]), int(sys.argv[2]) or None, sys.argv[3] == "profile"
fw = require_framework(bundled_framework())
# The reading workers' peak, taken when reading is done: the CSV writer, a child forked
# later from the main process (which then holds every return), would otherwise count.
import xlsxkit.app.import_job as job
readers = {}
def run_import(*args, **kwargs):
    result = read(*args, **kwargs)
    readers["peak"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return result
read, job.run_import = job.run_import, run_import
with tempfile.TemporaryDirectory() as tmp:
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    outcome = import_job(
        ImportRequest(sources=[folder], framework=fw, jobs=jobs),
        summary_path=Path(tmp) / "summary.xlsx",
        data_dir=Path(tmp) / "data",
    )
    if profiler:
        profiler.disable()
    took = time.perf_counter() - start
    size = (Path(tmp) / "summary.xlsx").stat().st_size
status = Path("/proc/self/status").read_text()
peak = int(next(l.split()[1] for l in status.splitlines() if l.startswith("VmHWM"))) / 1024
worker = readers["peak"]
if profiler:
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
print(f"{took}|{peak}|{worker}|{outcome.imported}|{size}")
"""


def import_once(code: Path, folder: Path, jobs: int | None, *, profile: bool = False) -> list[str]:
    stdout = run_child(code, CHILD, str(folder), str(jobs or 0), "profile" if profile else "-")
    if profile:
        print(stdout)
    return stdout.strip().splitlines()[-1].split("|")


def openpyxl_per_file(files: list[Path]) -> float:
    import openpyxl

    start = time.perf_counter()
    for path in files:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for ws in wb.worksheets:
            for _row in ws.iter_rows(values_only=True):
                pass
        wb.close()
    return (time.perf_counter() - start) / len(files)


def _s(values: list[float]) -> str:
    return f"{min(values):6.2f} / {statistics.median(values):6.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=1000)
    parser.add_argument("kinds", nargs="*", default=list(KINDS))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--openpyxl-sample", type=int, default=200)
    parser.add_argument("--against", type=Path, default=None)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    print(f"{args.n} returns per kind, {args.runs} runs; min / median")
    for kind in args.kinds:
        folder = corpus(kind, args.n)
        files = sorted(folder.glob(f"*{SUFFIX.get(kind, '.xlsx')}"))
        if args.profile:
            import_once(ROOT, folder, args.jobs, profile=True)
        ours: list[float] = []
        before: list[float] = []
        base: list[float] = []
        peaks: list[float] = []
        workers: list[float] = []
        for _ in range(args.runs):
            took, peak, worker, imported, size = import_once(ROOT, folder, args.jobs)
            ours.append(float(took))
            peaks.append(float(peak))
            workers.append(float(worker))
            if args.against:
                before.append(float(import_once(args.against, folder, args.jobs)[0]))
            if kind not in ("lo-ods", "lo-xls"):
                base.append(openpyxl_per_file(files[: args.openpyxl_sample]) * len(files))
        line = (
            f"{kind:10} xlsxkit {_s(ours)}  ({imported} accepted, summary {int(size) // 1000} KB,"
            f" main peak {max(peaks):.0f} MB, largest reading worker {max(workers):.0f} MB)"
        )
        if before:
            line += f"\n{'':10} before  {_s(before)}"
        if base:
            ratio = statistics.median(base) / statistics.median(ours)
            line += f"\n{'':10} openpyxl loop {_s(base)} (scaled from {args.openpyxl_sample})"
            line += f": xlsxkit is {ratio:.1f}x faster (goal >= 8x)"
        else:
            line += "\n           openpyxl loop: n/a (openpyxl reads neither .ods nor .xls)"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
