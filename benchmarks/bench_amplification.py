"""Benchmark: what returns built to amplify one string cost the main process.

Run by hand:  python benchmarks/bench_amplification.py [N_RETURNS] [STRING_MB] [CODE_DIR]
Writes N_RETURNS (default 8) genuine workbooks whose shared-strings part holds one string
of STRING_MB (default 6) megabytes referenced from every input cell (each file is about
30 KB), plus two ordinary returns, and imports them with the summary and the CSVs in a
fresh process. Prints that process's own peak memory (VmHWM: the main process only; the
readers are separate worker processes), the verdicts and the size of the outputs.
CODE_DIR runs the import with the xlsxkit found there instead (an older checkout, to
compare).
Goal (issue 9, point 9): the main process stays under 500 MB.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import one_answer, orgs, write_filled  # noqa: E402
from tests.test_amplification import amplified_return  # noqa: E402
from xlsxkit.framework.load import require_framework  # noqa: E402
from xlsxkit.resources import bundled_framework  # noqa: E402

LIMIT_MB = 500

CHILD = """
import sys
from collections import Counter
from pathlib import Path
from xlsxkit.app.import_job import import_job
from xlsxkit.framework.load import require_framework
from xlsxkit.inbound.batch import ImportRequest
from xlsxkit.resources import bundled_framework
folder = Path(sys.argv[1])
fw = require_framework(bundled_framework())
outcome = import_job(
    ImportRequest(sources=[folder / "inbox"], framework=fw, jobs=2),
    summary_path=folder / "summary.xlsx",
    data_dir=folder / "data",
)
status = Path("/proc/self/status").read_text()
rss = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024
verdicts = Counter(
    f"{r.status}/{r.code}" if r.code else str(r.status) for r in outcome.result.returns
)
print(f"{rss:.0f}|{dict(verdicts)}")
"""


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    size_mb = float(sys.argv[2]) if len(sys.argv) > 2 else 6.0
    fw = require_framework(bundled_framework())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inbox = folder / "inbox"
        inbox.mkdir()
        sizes = []
        for i in range(n):
            path = amplified_return(
                fw, inbox / f"amplified-{i}.xlsx", int(size_mb * 1_000_000), org=f"Amplify {i}"
            )
            sizes.append(path.stat().st_size)
        for org in orgs("Good One", "Good Two"):
            write_filled(fw, inbox / f"{org.id}.xlsx", org, one_answer(fw))
        print(
            f"{n} returns of {min(sizes) / 1000:.0f}-{max(sizes) / 1000:.0f} KB, each one "
            f"{size_mb:g} MB shared string in every input cell, plus 2 ordinary returns"
        )
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(folder)],
            capture_output=True,
            text=True,
            check=False,
            cwd=sys.argv[3] if len(sys.argv) > 3 else ROOT,
        )
        if out.returncode != 0:
            print(out.stderr[-2000:])
            return 1
        peak, verdicts = out.stdout.strip().splitlines()[-1].split("|", 1)
        outputs = sum(p.stat().st_size for p in (folder / "data").glob("*.csv"))
        summary = (folder / "summary.xlsx").stat().st_size
        print(f"verdicts: {verdicts}")
        print(f"outputs: CSVs {outputs / 1000:.0f} KB, summary {summary / 1000:.0f} KB")
        print(f"main process peak: {peak} MB (limit {LIMIT_MB} MB)")
        return 0 if float(peak) < LIMIT_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
