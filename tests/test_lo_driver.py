"""The LibreOffice test driver (tests/lo) against a workbook built here with XlsxWriter.

Most assertions share one LibreOffice start (the module-scoped ``run`` fixture runs one
:class:`tests.lo.Batch`); a few tests start their own to cover the one-shot helpers.

Observed with LibreOffice 7.4.7.2 (recorded here because the importer must cope with it):

* xlsx booleans written by XlsxWriter load as the formulas ``=TRUE()``/``=FALSE()``; an
  untouched one is saved back to xlsx as ``<c t="b"><f>TRUE()</f><v>1</v></c>``.
* Ticking (typing TRUE) gives the value 1 with the BOOLEAN number format, which LibreOffice
  recognises as the same thing as XlsxWriter's ``"TRUE";"TRUE";"FALSE"``.  Saved, it is a real
  boolean in all three formats: python-calamine reads ``True``/``False`` from xlsx, ods and xls.
* A typed boolean into a "General" cell only stays a boolean because the driver applies the
  UI's number-format rule; plain UNO ``setFormula("TRUE")`` leaves the number 1 there.
* UNO does not enforce sheet protection (``protection="api"`` can write a locked cell); the
  driver refuses such edits by default, like the UI.  Unlocked cells on protected sheets are
  edited normally, and protection and list validations survive the save.
* Dates stay dates (python-calamine gives ``datetime.date``) in xlsx, ods and xls.
* LibreOffice does not recalculate an xlsx on load: XlsxWriter's cached 0 is what it shows
  until ``calculateAll()``.  Cells that depend on an edited cell are recalculated at once
  (even with ``recalc=False``), and the saved file carries the new cached values.
* A "very hidden" sheet comes back merely "hidden" from every LibreOffice save.
* xls integers come back from python-calamine as ``int``, xlsx/ods ones as ``float``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import subprocess
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook, SheetVisibleEnum

import tests.lo as lo
from tests.lo import Batch, Edit, LOError, RunResult, require_lo

SHEET = "Assess"
HIDDEN = "Lists"
NON_ASCII = "Zoë – 東京 ✓"
CHOICES = ["Not started", "Partly", "Done", NON_ASCII]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_workbook(path: Path) -> Path:
    """A protected sheet whose input cells (B1:B5, B10) are unlocked, plus a hidden sheet."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(SHEET)
    unlocked = wb.add_format({"locked": False})
    boolean = wb.add_format({"locked": False, "num_format": '"TRUE";"TRUE";"FALSE"'})
    date = wb.add_format({"locked": False, "num_format": "yyyy-mm-dd"})
    ws.write_string("A1", "Stage")
    ws.write_blank("B1", None, unlocked)
    ws.data_validation("B1", {"validate": "list", "source": CHOICES})
    ws.write_string("A2", "Done?")
    ws.write_boolean("B2", False, boolean)
    ws.write_string("A3", "Reviewed on")
    ws.write_datetime("B3", dt.datetime(2024, 1, 31), date)
    ws.write_string("A4", "Count")
    ws.write_number("B4", 1, unlocked)
    ws.write_number("B5", 2, unlocked)
    ws.write_formula("B6", "=SUM(B4:B5)")  # XlsxWriter caches 0 as the result
    ws.write_formula("B7", "=COUNTIF(B2,TRUE)")
    ws.write_string("B8", "locked text")
    ws.write_boolean("B9", True)
    ws.write_blank("B10", None, unlocked)  # "General" format
    ws.protect()
    lists = wb.add_worksheet(HIDDEN)
    lists.write_column("A1", CHOICES)
    lists.very_hidden()
    wb.close()
    return path


def rows(path: Path, sheet: str = SHEET) -> list[list[Any]]:
    rows: list[list[Any]] = (
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    )
    return rows


def cell(path: Path, ref: str) -> Any:
    col = ord(ref[0]) - ord("A")
    return rows(path)[int(ref[1:]) - 1][col]


@dataclass
class Run:
    src: Path
    src_hash_before: str
    result: RunResult
    jobs: dict[str, int]
    out: Path

    def job(self, name: str) -> dict[str, Any]:
        return self.result.results[self.jobs[name]]


READ_CELLS = [(SHEET, f"B{n}") for n in range(1, 11)]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    require_lo()
    base = tmp_path_factory.mktemp("lo")
    src = make_workbook(base / "Zoë source.xlsx")  # a non-ASCII file name too
    before = sha256(src)
    out = base / "out"
    edits = [
        Edit.text(SHEET, "B1", NON_ASCII),
        Edit.boolean(SHEET, "B2", True),
        Edit.date(SHEET, "B3", dt.date(2025, 2, 28)),
        Edit.number(SHEET, "B4", 40),
        Edit.boolean(SHEET, "B10", True),
    ]
    batch = Batch()
    jobs = {
        "read_cached": batch.read(src, READ_CELLS, recalc=False),
        "read_recalc": batch.read(src, READ_CELLS, recalc=True),
        "edit": batch.edit(
            src,
            edits,
            {fmt: out / f"edited.{fmt}" for fmt in ("xlsx", "ods", "xls", "pdf")},
        ),
        "locked": batch.edit(src, [Edit.text(SHEET, "B8", "x")], {"xlsx": out / "locked.xlsx"}),
        "locked_api": batch.edit(
            src, [Edit.text(SHEET, "B8", "x")], {"xlsx": out / "api.xlsx"}, protection="api"
        ),
        "missing": batch.read(base / "does-not-exist.xlsx", READ_CELLS),
        "read_saved": batch.read(out / "edited.xlsx", READ_CELLS, recalc=False),
        "untick": batch.edit(
            out / "edited.xlsx",
            [Edit.boolean(SHEET, "B2", False), Edit.clear(SHEET, "B1"), Edit.clear(SHEET, "B5")],
            {"xlsx": out / "untick.xlsx"},
            recalc=False,
        ),
        "typed": batch.edit(
            src,
            [
                Edit.input(SHEET, "B10", "TRUE"),
                Edit.input(SHEET, "B1", "2024-03-05"),
                Edit.input(SHEET, "B5", "12.5"),
                Edit.text(SHEET, "B4", "TRUE"),
            ],
            {"xlsx": out / "typed.xlsx"},
        ),
        "convert": batch.convert(src, "pdf", out),
    }
    result = batch.run()
    print(
        f"\nLibreOffice {result.soffice_version}: start {result.startup_seconds}s, "
        f"{len(batch.jobs)} jobs {result.jobs_seconds}s, stop {result.shutdown_seconds}s, "
        f"wall {result.wall_seconds}s"
    )
    return Run(src, before, result, jobs, out)


@pytest.mark.libreoffice
def test_run_is_clean(run: Run) -> None:
    require_lo()
    assert run.result.ok
    assert run.result.startup_seconds is not None and run.result.startup_seconds < 60
    assert lo.pids_with(Path(run.result.workdir).name) == []  # no soffice left behind
    assert not Path(run.result.workdir).exists()  # private profile removed


@pytest.mark.libreoffice
def test_source_never_modified(run: Run) -> None:
    require_lo()
    assert sha256(run.src) == run.src_hash_before


@pytest.mark.libreoffice
def test_failed_jobs_are_reported_not_fatal(run: Run) -> None:
    require_lo()
    assert run.job("missing")["ok"] is False
    assert "no such file" in run.job("missing")["error"]
    locked = run.job("locked")
    assert locked["ok"] is False and "locked on a protected sheet" in locked["error"]
    assert not (run.out / "locked.xlsx").exists()
    with pytest.raises(LOError, match="locked"):
        run.result.job(run.jobs["locked"])
    # UNO itself ignores sheet protection: only the driver's check stops a locked edit.
    assert run.job("locked_api")["ok"] is True
    assert cell(run.out / "api.xlsx", "B8") == "x"


@pytest.mark.libreoffice
def test_libreoffice_view_of_the_source(run: Run) -> None:
    require_lo()
    cached = run.result.cells(run.jobs["read_cached"])
    fresh = run.result.cells(run.jobs["read_recalc"])
    # No recalculation on load: XlsxWriter's cached 0 is shown until calculateAll().
    assert cached[(SHEET, "B6")].value == 0
    assert fresh[(SHEET, "B6")].value == 3
    assert fresh[(SHEET, "B6")].formula == "=SUM(B4:B5)"
    assert fresh[(SHEET, "B6")].type == "FORMULA"
    assert fresh[(SHEET, "B6")].locked and fresh[(SHEET, "B6")].sheet_protected
    # XlsxWriter's booleans load as =TRUE()/=FALSE() formulas, shown as TRUE/FALSE.
    b2 = fresh[(SHEET, "B2")]
    assert (b2.type, b2.formula, b2.string, b2.is_boolean) == ("FORMULA", "=FALSE()", "FALSE", True)
    assert not b2.locked
    b3 = fresh[(SHEET, "B3")]
    assert (b3.type, b3.string, b3.value, b3.is_date) == ("VALUE", "2024-01-31", 45322, True)
    assert fresh[(SHEET, "B1")].type == "EMPTY"
    sheets = {s["name"]: s for s in run.job("read_recalc")["sheets"]}
    assert sheets[SHEET] == {"name": SHEET, "visible": True, "protected": True}
    assert sheets[HIDDEN]["visible"] is False


@pytest.mark.libreoffice
def test_edits_as_seen_by_libreoffice(run: Run) -> None:
    require_lo()
    after = {(c["sheet"], c["ref"]): c for c in run.job("edit")["edits"]}
    assert after[(SHEET, "B2")]["string"] == "TRUE"
    assert after[(SHEET, "B2")]["format_types"] == ["LOGICAL"]
    # Typing TRUE into a "General" cell switches it to the BOOLEAN format, as in the UI.
    assert after[(SHEET, "B10")]["number_format"] == "BOOLEAN"
    assert after[(SHEET, "B3")]["string"] == "2025-02-28"  # the date format was kept
    saved = run.result.cells(run.jobs["read_saved"])
    assert saved[(SHEET, "B6")].value == 42  # recalculated after the edit, cached in the file
    assert saved[(SHEET, "B7")].value == 1  # COUNTIF(B2,TRUE) sees the ticked box
    assert saved[(SHEET, "B1")].string == NON_ASCII


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_saved_values_read_by_calamine(run: Run, fmt: str) -> None:
    require_lo()
    path = run.out / f"edited.{fmt}"
    got = rows(path)
    assert got[0][1] == NON_ASCII
    # Booleans: True in xlsx (t="b"), ods (office:value-type="boolean") and xls alike.
    assert got[1][1] is True
    assert got[9][1] is True
    assert got[8][1] is True  # the untouched =TRUE() formula
    assert got[2][1] == dt.date(2025, 2, 28)
    assert got[3][1] == 40  # xls: int 40; xlsx/ods: 40.0
    assert got[5][1] == 42  # =SUM(B4:B5) recalculated after the edit
    assert got[6][1] == 1  # =COUNTIF(B2,TRUE)
    assert got[7][1] == "locked text"
    # The very hidden sheet survives, but only as "hidden".
    meta = {m.name: m.visible for m in CalamineWorkbook.from_path(str(path)).sheets_metadata}
    assert meta[SHEET] == SheetVisibleEnum.Visible
    assert meta[HIDDEN] == SheetVisibleEnum.Hidden
    assert rows(path, HIDDEN)[3][0] == NON_ASCII


@pytest.mark.libreoffice
def test_protection_and_validation_survive_xlsx(run: Run) -> None:
    require_lo()
    with zipfile.ZipFile(run.out / "edited.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert '<sheetProtection sheet="true"' in sheet
    assert 'type="list"' in sheet and NON_ASCII in sheet
    assert re.search(r'<c r="B2" s="\d+" t="b"><v>1</v></c>', sheet)  # a value, not =TRUE()


@pytest.mark.libreoffice
def test_untick_and_clear(run: Run) -> None:
    require_lo()
    path = run.out / "untick.xlsx"
    got = rows(path)
    assert got[1][1] is False
    assert got[0][1] == ""  # cleared
    assert got[4][1] == ""  # cleared
    assert got[5][1] == 40  # dependents recalculated even with recalc=False
    assert got[6][1] == 0


@pytest.mark.libreoffice
def test_typed_input(run: Run) -> None:
    require_lo()
    got = rows(run.out / "typed.xlsx")
    assert got[9][1] is True  # "TRUE" typed into a General cell
    assert got[0][1] == dt.date(2024, 3, 5)  # an ISO date typed into a General cell
    assert got[4][1] == 12.5
    assert got[3][1] == "TRUE"  # a text edit is never interpreted
    assert got[5][1] == 12.5  # =SUM(B4:B5) with B4 now text


@pytest.mark.libreoffice
def test_pdf_outputs(run: Run, tmp_path: Path) -> None:
    require_lo()
    pdf = run.result.outputs(run.jobs["convert"])["pdf"]
    assert pdf == (run.out / f"{run.src.stem}.pdf").resolve()
    for path in (pdf, run.out / "edited.pdf"):
        assert path.read_bytes().startswith(b"%PDF")
        pages = lo.pdf_page_count(path)
        assert pages >= 1
        pngs = lo.pdf_to_pngs(path, tmp_path / path.stem, dpi=30)
        assert len(pngs) == pages
        assert all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)


@pytest.mark.libreoffice
def test_one_shot_helpers(tmp_path: Path) -> None:
    require_lo()
    src = make_workbook(tmp_path / "src.xlsx")
    before = sha256(src)
    out = lo.edit_and_save(src, [Edit.number(SHEET, "B5", 5)], {"ods": tmp_path / "o.ods"})
    assert out == {"ods": (tmp_path / "o.ods").resolve()}
    cells = lo.read_cells(out["ods"], [(SHEET, "B6"), (SHEET, "B2")])
    assert cells[(SHEET, "B6")].value == 6
    assert cells[(SHEET, "B2")].is_boolean and cells[(SHEET, "B2")].value == 0
    with pytest.raises(LOError, match="locked on a protected sheet"):
        lo.edit_and_save(src, [Edit.number(SHEET, "B6", 1)], {"xlsx": tmp_path / "x.xlsx"})
    assert sha256(src) == before


@pytest.fixture
def lo_dirs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the temporary directories (private profiles) tests.lo creates.

    Used to look for left-over processes of this test only: other LibreOffice runs may be
    going on at the same time.
    """
    made: list[str] = []
    real = tempfile.mkdtemp

    def mkdtemp(*args: Any, **kwargs: Any) -> str:
        path: str = real(*args, **kwargs)
        made.append(Path(path).name)
        return path

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    return made


@pytest.mark.libreoffice
def test_convert_cli(tmp_path: Path, lo_dirs: list[str]) -> None:
    require_lo()
    src = make_workbook(tmp_path / "cli.xlsx")
    started = time.monotonic()
    pdf = lo.convert_cli(src, "pdf", tmp_path / "pdf")
    print(f"\nsoffice --convert-to pdf: {time.monotonic() - started:.1f}s")
    assert lo.pdf_page_count(pdf) >= 1
    assert len(lo_dirs) == 1 and lo_dirs[0].startswith("xlsxkit-lo-cli-")
    assert lo.pids_with(lo_dirs[0]) == []


@pytest.mark.libreoffice
@pytest.mark.parametrize("timeout", [0.4, 1.2])  # starting soffice; connecting to it
def test_timeout_leaves_no_soffice(tmp_path: Path, lo_dirs: list[str], timeout: float) -> None:
    require_lo()
    src = make_workbook(tmp_path / "t.xlsx")
    jobs = [{"op": "read", "src": str(src), "cells": [[SHEET, "B6"]]}] * 20
    with pytest.raises(LOError, match="longer than"):
        lo.run_jobs(jobs, timeout=timeout)
    assert len(lo_dirs) == 1
    assert lo.pids_with(lo_dirs[0]) == []
    assert not (Path(tempfile.gettempdir()) / lo_dirs[0]).exists()


# -- no LibreOffice needed ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("ci", "outcome"), [("", pytest.skip.Exception), ("true", pytest.fail.Exception)]
)
def test_require_lo_without_libreoffice(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(lo, "lo_available", lambda: (False, "no soffice here"))
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="no soffice here"):
        require_lo()


def test_edit_values_are_checked() -> None:
    with pytest.raises(TypeError):
        Edit.boolean(SHEET, "B2", "TRUE")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Edit(SHEET, "B4", "number", True)
    with pytest.raises(ValueError, match="unknown edit kind"):
        Edit(SHEET, "B4", "formula", "=1")  # type: ignore[arg-type]
    assert Edit.date(SHEET, "B3", dt.date(2025, 1, 2)).to_json()["value"] == "2025-01-02"
    with pytest.raises(ValueError, match="unknown output format"):
        Batch().edit(Path("x.xlsx"), [], {"docx": Path("x.docx")})


@pytest.mark.libreoffice
def test_driver_rejects_bad_json() -> None:
    require_lo()
    proc = subprocess.run(
        [lo.LO_PYTHON, str(lo.DRIVER)],
        input="{not json",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"].startswith("bad job JSON")
