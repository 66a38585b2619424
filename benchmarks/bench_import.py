"""Benchmark: import N filled returns; report time and peak memory, next to a plain
openpyxl loop over the same files measured in the same run.

Run by hand:  python benchmarks/bench_import.py [N] [--jobs J] [--openpyxl-sample K]
Goal (issue 4): 10,000 returns in 30 s or less on a 2-core machine, with peak memory
that does not grow with N (the readers run in worker processes; the main process keeps
only the compact answers).

The returns are generated once into benchmarks/_out/returns-N (git-ignored) and reused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import openpyxl

from xlsxkit.app.import_job import import_job
from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Framework, Organisation
from xlsxkit.inbound.batch import ImportRequest
from xlsxkit.resources import bundled_framework
from xlsxkit.workbook.instructions import load_template
from xlsxkit.workbook.write import CellValue, WorkbookSpec, write_workbook

HERE = Path(__file__).resolve().parent


def _answers(framework: Framework, rng: random.Random) -> dict[tuple[str, str], CellValue]:
    out: dict[tuple[str, str], CellValue] = {}
    for c in framework.criteria:
        if rng.random() < 0.9:
            out[(c.id, "stage")] = rng.choice(framework.stages).label
            if rng.random() < 0.3:
                out[(c.id, "comment")] = "Evidence: minutes of the steering group, March."
        for a in c.actions:
            out[(a.id, "done")] = rng.random() < 0.5
            if rng.random() < 0.2:
                out[(a.id, "notes")] = "In progress with the comms team."
    return out


def _write(args: tuple[int, str]) -> None:
    i, folder = args
    framework = require_framework(bundled_framework())
    rng = random.Random(i)
    org = Organisation(id=f"org-{i:05}", name=f"Organisation {i:05}")
    write_workbook(
        WorkbookSpec(
            framework=framework,
            organisation=org,
            instructions=load_template(),
            token=f"{i:016x}",
            generated_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=i),
            typed=_answers(framework, rng),
        ),
        Path(folder) / f"org-{i:05}.xlsx",
    )


def corpus(n: int) -> Path:
    folder = HERE / "_out" / f"returns-{n}"
    if folder.is_dir() and len(list(folder.glob("*.xlsx"))) == n:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    print(f"writing {n} filled returns into {folder} (once)...", flush=True)
    with ProcessPoolExecutor() as pool:
        list(pool.map(_write, [(i, str(folder)) for i in range(n)], chunksize=64))
    return folder


def openpyxl_loop(files: list[Path]) -> float:
    start = time.perf_counter()
    cells = 0
    for path in files:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells += len(row)
        wb.close()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=10_000)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument(
        "--openpyxl-sample",
        type=int,
        default=None,
        help="time openpyxl on this many of the files and scale up (default: all)",
    )
    args = parser.parse_args()
    folder = corpus(args.n)
    framework = require_framework(bundled_framework())
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        outcome = import_job(
            ImportRequest(sources=[folder], framework=framework, jobs=args.jobs),
            summary_path=Path(tmp) / "summary.xlsx",
            data_dir=Path(tmp) / "data",
        )
        elapsed = time.perf_counter() - start
    main_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"xlsxkit import: {args.n} returns in {elapsed:.2f} s "
        f"({outcome.imported} accepted; jobs={args.jobs or os.cpu_count()}), summary and CSVs "
        f"included; peak RSS main {main_mb:.0f} MB, largest worker {worker_mb:.0f} MB"
    )
    files = sorted(folder.glob("*.xlsx"))
    sample = files[: args.openpyxl_sample] if args.openpyxl_sample else files
    took = openpyxl_loop(sample)
    scaled = took * len(files) / len(sample)
    note = f" (measured on {len(sample)}, scaled)" if len(sample) != len(files) else ""
    print(
        f"plain openpyxl loop (read_only, values only, one process): {scaled:.2f} s for "
        f"{len(files)} files{note}; {scaled / elapsed:.1f}x the xlsxkit import"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
