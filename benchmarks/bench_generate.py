"""Benchmark: generate N organisation workbooks; report wall time and peak memory.

Run by hand:  python benchmarks/bench_generate.py [N] [--jobs J]
Goal (issue 3): 1,000 workbooks in 20 s or less on a 2-core machine.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Organisation
from xlsxkit.outbound.generate import GenerateRequest, generate
from xlsxkit.resources import bundled_framework
from xlsxkit.workbook.instructions import load_template


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=1000)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    framework = require_framework(bundled_framework())
    organisations = [
        Organisation(id=f"org-{i:05}", name=f"Organisation {i:05}", email=f"o{i}@example.org")
        for i in range(args.n)
    ]
    out = Path(tempfile.mkdtemp(prefix="xlsxkit-bench-gen-"))
    try:
        start = time.perf_counter()
        result = generate(
            GenerateRequest(
                framework=framework,
                organisations=organisations,
                out_dir=out / "batch",
                instructions=load_template(),
                round="bench",
                jobs=args.jobs,
            )
        )
        elapsed = time.perf_counter() - start
        size = sum(p.stat().st_size for p in (out / "batch").glob("*.xlsx"))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    n = len(result.rows)
    print(
        f"generate: {n} workbooks in {elapsed:.2f} s ({elapsed / n * 1000:.1f} ms each, "
        f"{size / n / 1024:.1f} KB each); peak RSS main {parent:.0f} MB, largest worker "
        f"{children:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
