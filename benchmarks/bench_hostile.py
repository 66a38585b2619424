"""Benchmark: how long the worst hostile files take to be refused, and the memory used.

Run by hand:  python benchmarks/bench_hostile.py
Each file is read by `read_return` in a fresh process, so the peak memory reported is that
file's alone (a bare Python process with xlsxkit imported is about 30 MB).
Goal (issue 5): the worst is rejected in about a second, with bounded memory.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.corpus import raw_zip, rewrite, sheet_part  # noqa: E402
from tests.helpers import orgs, write_filled  # noqa: E402
from xlsxkit.framework.load import require_framework  # noqa: E402
from xlsxkit.resources import bundled_framework  # noqa: E402

CHILD = """
import sys, time
from pathlib import Path
from xlsxkit.framework.load import require_framework
from xlsxkit.workbook.read import read_return
from xlsxkit.resources import bundled_framework
fw = require_framework(bundled_framework())
start = time.perf_counter()
r = read_return(Path(sys.argv[1]), fw)
took = time.perf_counter() - start
# ru_maxrss survives fork+exec on Linux; VmHWM is this process's own high-water mark.
status = Path("/proc/self/status").read_text()
rss = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024
print(f"{took:.3f}|{rss:.0f}|{r.status}|{r.code}")
"""


def build(folder: Path) -> dict[str, Path]:
    fw = require_framework(bundled_framework())
    base = write_filled(fw, folder / "base.xlsx", orgs("Base")[0], {})
    files: dict[str, Path] = {}

    def put(name: str, data: bytes) -> None:
        files[name] = folder / name
        files[name].write_bytes(data)

    put("declared 4 GB entry", raw_zip([("xl/worksheets/sheet1.xml", b"0", 2**32 - 1)]))
    put(
        "lying 1 GiB entry",
        raw_zip(
            [("xl/workbook.xml", b"<workbook/>", None), ("xl/worksheets/sheet1.xml", 1 << 30, 1000)]
        ),
    )
    put(
        "entries at the unpacking bound",
        raw_zip(
            [("xl/workbook.xml", b"<workbook/>", None)]
            + [(f"xl/worksheets/sheet{i}.xml", 31 << 20, None) for i in range(1, 3)]
        ),
    )
    put(
        "many parts",
        raw_zip(
            [("xl/workbook.xml", b"<workbook/>", None)]
            + [(f"xl/p{i}.xml", b"<x/>", None) for i in range(5000)]
        ),
    )
    part = sheet_part(base, "Systems")
    for label, last in (
        ("sheet of 580,000 cells (trimmed)", 580_000),
        ("sheet of 800,000 cells", 800_200),
    ):
        rows = "".join(
            f'<row r="{r}"><c r="D{r}"><v>{r}</v></c></row>' for r in range(200, last)
        ).encode()
        target = folder / f"{last}.xlsx"
        rewrite(
            base,
            target,
            lambda n, b, rows=rows: (
                b.replace(b"</sheetData>", rows + b"</sheetData>") if n == part else b
            ),
        )
        files[label] = target
    entities = ['<!ENTITY a0 "lol">'] + [
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    ]
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE s ['
        + "".join(entities)
        + "]><sst><si><t>&a9;</t></si></sst>"
    ).encode()
    target = folder / "laughs.xlsx"
    rewrite(base, target, lambda n, b: laughs if n == "xl/sharedStrings.xml" else b)
    files["billion laughs"] = target
    return files


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        files = build(Path(tmp))
        print(f"{'file':36} {'size':>9} {'time':>8} {'peak RSS':>9}  verdict")
        for label, path in files.items():
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True
            ).stdout.strip()
            took, rss, status, code = out.split("|")
            size = path.stat().st_size
            print(
                f"{label:36} {size / 1e6:8.2f}M {float(took):7.3f}s {rss:>7} MB  {status} ({code})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
