"""Benchmark: read one return in process, next to calamine's own parse of the same file.

Run by hand:  python benchmarks/bench_read.py [KIND ...] [--files K] [--runs R]
                  [--against CODE_DIR] [--profile KIND]
For each kind of return (benchmarks/corpora.py: XlsxWriter-prefilled, openpyxl-saved,
LibreOffice-saved xlsx, ods and xls), K distinct files (default 100) are read R times
(default 7) by ``read_return`` and by a bare calamine parse (open the file, read every
sheet to Python values), interleaved so that load from elsewhere hits both alike. Each
run's CPU time per file (process time: other work on the machine inflates wall time, and
the readers are CPU-bound) is reported, minimum and median over the runs, and the ratio of the
medians. ``--against CODE_DIR`` measures the xlsxkit found there too (an older checkout),
in the same run. ``--profile KIND`` prints a cProfile of ``read_return`` over that kind.
Goal (issue 14, point 1): read_return at most 1.5x calamine's own parse, for every kind.
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
from benchmarks.corpora import KINDS, SUFFIX, corpus  # noqa: E402

GOAL = 1.5

#: Runs in a child process whose working directory is the code measured.
CHILD = """
import cProfile, json, pstats, sys, time
from pathlib import Path
from python_calamine import CalamineWorkbook
from xlsxkit.framework.load import require_framework
from xlsxkit.resources import bundled_framework
from xlsxkit.workbook.read import read_return

files = [Path(p) for p in json.loads(sys.argv[1])]
runs, profile = int(sys.argv[2]), sys.argv[3] == "profile"
fw = require_framework(bundled_framework())

def ours(path):
    result = read_return(path, fw)
    if result.status != "accepted":
        raise SystemExit(f"{path}: {result.status} {result.verdict}")

def calamine(path):
    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()

for path in files[:5]:
    ours(path)
    calamine(path)
if profile:
    profiler = cProfile.Profile()
    profiler.enable()
    for path in files:
        ours(path)
    profiler.disable()
    pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(20)
    raise SystemExit(0)
mine, base = [], []
for _ in range(runs):
    for fn, out in ((ours, mine), (calamine, base)):
        start = time.process_time()
        for path in files:
            fn(path)
        out.append((time.process_time() - start) / len(files))
print(json.dumps({"ours": mine, "calamine": base}))
"""


def measure(
    code: Path, files: list[Path], runs: int, *, profile: bool = False
) -> dict[str, list[float]]:
    stdout = run_child(
        code,
        CHILD,
        json.dumps([str(f) for f in files]),
        str(runs),
        "profile" if profile else "time",
    )
    if profile:
        print(stdout)
        return {}
    result: dict[str, list[float]] = json.loads(stdout.strip().splitlines()[-1])
    return result


def _ms(values: list[float]) -> str:
    return f"{min(values) * 1e3:6.2f} / {statistics.median(values) * 1e3:6.2f}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--corpus", type=int, default=1000, help="corpus size to draw from")
    parser.add_argument("--against", type=Path, default=None)
    parser.add_argument("--profile", choices=KINDS, default=None)
    parser.add_argument("kinds", nargs="*", default=list(KINDS))
    args = parser.parse_args()

    def files_of(kind: str) -> list[Path]:
        suffix = SUFFIX.get(kind, ".xlsx")
        return sorted(corpus(kind, args.corpus).glob(f"*{suffix}"))[: args.files]

    if args.profile:
        print(f"cProfile of read_return over {args.files} {args.profile} returns (tottime):")
        measure(args.against or ROOT, files_of(args.profile), 1, profile=True)
        return 0
    print(f"CPU ms per file, min / median of {args.runs} runs over {args.files} distinct files")
    head = f"{'kind':11} {'read_return':>15} {'calamine':>15} {'ratio':>6}"
    if args.against:
        head += f" | {'before':>15} {'calamine':>15} {'ratio':>6}"
    print(head)
    worst = 0.0
    for kind in args.kinds:
        files = files_of(kind)
        now = measure(ROOT, files, args.runs)
        ratio = statistics.median(now["ours"]) / statistics.median(now["calamine"])
        worst = max(worst, ratio)
        line = f"{kind:11} {_ms(now['ours'])} {_ms(now['calamine'])} {ratio:5.2f}x"
        if args.against:
            then = measure(args.against, files, args.runs)
            was = statistics.median(then["ours"]) / statistics.median(then["calamine"])
            line += f" | {_ms(then['ours'])} {_ms(then['calamine'])} {was:5.2f}x"
        print(line, flush=True)
    print(f"worst ratio {worst:.2f}x (goal <= {GOAL}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
