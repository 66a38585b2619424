"""The benchmark corpora: distinct filled returns of each kind partners send, built once.

Kinds (each file has its own organisation, token and random answers):

``xlsxwriter``  the workbook as xlsxkit writes it, answers prefilled (native checkboxes);
``openpyxl``    a generated workbook filled and saved by openpyxl (checkbox part dropped);
``lo-xlsx``, ``lo-ods``, ``lo-xls``
                an xlsxwriter return opened and saved by LibreOffice in each format.

They are written into benchmarks/_out/corpus/<kind>-<N>/ (git-ignored) and reused: building
the LibreOffice kinds takes minutes (one LibreOffice start saves each file in the three
formats). Run by hand to build them ahead:  python benchmarks/corpora.py N
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.filling import fill_with_openpyxl, random_answers  # noqa: E402
from xlsxkit.framework.load import require_framework  # noqa: E402
from xlsxkit.framework.model import Framework, Organisation  # noqa: E402
from xlsxkit.resources import bundled_framework  # noqa: E402
from xlsxkit.workbook.instructions import load_template  # noqa: E402
from xlsxkit.workbook.write import CellValue, WorkbookSpec, write_workbook  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "_out" / "corpus"
KINDS = ("xlsxwriter", "openpyxl", "lo-xlsx", "lo-ods", "lo-xls")
SUFFIX = {"lo-ods": ".ods", "lo-xls": ".xls"}


def prefilled_answers(framework: Framework, rng: random.Random) -> dict[tuple[str, str], CellValue]:
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


def _spec(framework: Framework, i: int, typed: dict[tuple[str, str], CellValue]) -> WorkbookSpec:
    return WorkbookSpec(
        framework=framework,
        organisation=Organisation(id=f"org-{i:05}", name=f"Organisation {i:05}"),
        instructions=load_template(),
        token=f"{i:016x}",
        generated_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=i),
        typed=typed,
    )


def _write(args: tuple[str, int, str]) -> None:
    kind, i, folder = args
    framework = require_framework(bundled_framework())
    target = Path(folder) / f"org-{i:05}.xlsx"
    if kind == "xlsxwriter":
        typed = prefilled_answers(framework, random.Random(i))
        write_workbook(_spec(framework, i, typed), target)
        return
    with tempfile.TemporaryDirectory() as tmp:
        blank = Path(tmp) / "blank.xlsx"
        write_workbook(_spec(framework, i, {}), blank)
        fill_with_openpyxl(blank, target, random_answers(framework, i))


def _complete(folder: Path, n: int, suffix: str) -> bool:
    return folder.is_dir() and len(list(folder.glob(f"*{suffix}"))) == n


def corpus(kind: str, n: int) -> Path:
    """The folder of N returns of KIND, built on first use."""
    folder = OUT / f"{kind}-{n}"
    suffix = SUFFIX.get(kind, ".xlsx")
    if _complete(folder, n, suffix):
        return folder
    for bigger in sorted(OUT.glob(f"{kind}-*")):
        count = bigger.name.rsplit("-", 1)[1]
        if count.isdigit() and int(count) > n and _complete(bigger, int(count), suffix):
            folder.mkdir(parents=True, exist_ok=True)  # the first N of a larger corpus
            for path in sorted(bigger.glob(f"*{suffix}"))[:n]:
                if not (folder / path.name).exists():
                    os.link(path, folder / path.name)
            return folder
    if kind.startswith("lo-"):
        _build_lo(n)
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    print(f"writing {n} {kind} returns into {folder} (once)...", file=sys.stderr, flush=True)
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        list(pool.map(_write, [(kind, i, str(folder)) for i in range(n)], chunksize=32))
    return folder


def _build_lo(n: int) -> None:
    from tests.lo import Batch, require_lo

    require_lo()
    source = corpus("xlsxwriter", n)
    folders = {fmt: OUT / f"lo-{fmt}-{n}" for fmt in ("xlsx", "ods", "xls")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    print(f"saving {n} returns with LibreOffice as xlsx, ods, xls (once)...", file=sys.stderr)
    files = sorted(source.glob("*.xlsx"))
    for start in range(0, len(files), 200):  # one LibreOffice start per 200 files
        batch = Batch()
        for path in files[start : start + 200]:
            outputs = {fmt: folders[fmt] / f"{path.stem}.{fmt}" for fmt in folders}
            if all(p.exists() for p in outputs.values()):
                continue
            batch.edit(path, [], outputs, recalc=False, protection="api")
        if batch.jobs:
            result = batch.run(timeout=3600)
            for index in range(len(batch.jobs)):
                result.job(index)


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    for name in KINDS:
        print(name, corpus(name, count))
