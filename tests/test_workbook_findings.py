"""Issue 13's findings on the partner's workbook, checked in the file and on the rendered
page (LibreOffice): ticks in words while the cell stays boolean, no orphan Start pages,
one date format, no doubled colon, readable progress text, long texts that grow or say
they continue."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml

from tests.fwtools import big_framework
from tests.helpers import import_paths, only, orgs
from tests.lo import Batch, Edit, pdf_to_pngs, require_lo
from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Framework
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.instructions import load_template
from xlsxkit.workbook.plan import plan_workbook
from xlsxkit.workbook.styles import DATE_FORMAT, TICK_WORDS_FORMAT, long_date
from xlsxkit.workbook.write import WorkbookSpec, write_workbook
from xlsxkit.workbook.write.dimension import CONTINUES
from xlsxkit.workbook.write.pages import plan_pages

ROOT = Path(__file__).resolve().parent.parent
RENDERED = ROOT / "tests" / "_rendered" / "workbook-findings"
F = L.FieldName
LONG = "The steering group minutes record every decision and who took it. " * 8


def _seven_by_twelve(tmp_path: Path) -> Framework:
    path = tmp_path / "fw712.yaml"
    data = big_framework(stages=7, dimensions=12, criteria=2, actions=2)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return require_framework(path)


def _book(framework: Framework, path: Path, typed: dict, **kw: object) -> Path:  # type: ignore[type-arg]
    [org] = orgs(str(kw.pop("org", "North & East Trust")))
    write_workbook(
        WorkbookSpec(
            framework=framework,
            organisation=org,
            instructions=load_template(),
            token="t",
            round="2027 spring",
            deadline=dt.date(2027, 6, 30),
            return_to="ip@example.org",
            typed=typed,
            **kw,  # type: ignore[arg-type]
        ),
        path,
    )
    return path


def _sheet_xml(path: Path, index: int) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(f"xl/worksheets/sheet{index}.xml").decode()


def test_ticks_stay_booleans_with_words_laid_over_them(
    framework: Framework, tmp_path: Path
) -> None:
    a1, a2 = framework.actions[:2]
    path = _book(framework, tmp_path / "b.xlsx", {(a1.id, F.DONE): True})
    sheet, row, col = plan_workbook(framework).cell(a2.id, L.FIELD[F.DONE])
    xml = _sheet_xml(path, 2)
    # both boxes are boolean cells (t="b"), the native checkbox kept
    for action in (a1, a2):
        _, r, c = plan_workbook(framework).cell(action.id, L.FIELD[F.DONE])
        assert re.search(rf'<c r="{L.cell_ref(r, c)}" s="\d+" t="b">', xml)
    # the words come from a conditional format over every box, not from the cell's format
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    assert ws[L.cell_ref(row, col)].number_format == '"TRUE";"TRUE";"FALSE"'
    ranges = [
        (str(cf.sqref), rule.dxf.numFmt.formatCode)
        for cf in ws.conditional_formatting
        for rule in cf.rules
        if rule.dxf is not None and rule.dxf.numFmt is not None
    ]
    assert any(
        L.cell_ref(row, col) in _cells(sqref) and code == TICK_WORDS_FORMAT
        for sqref, code in ranges
    )
    # and the reader reads them as before
    got = {a.item_id: a.done for a in only(import_paths(framework, path)).answers}
    assert got[a1.id] is True and got[a2.id] is False


def _cells(sqref: str) -> set[str]:
    out: set[str] = set()
    for part in sqref.split():
        first, _, last = part.partition(":")
        col = re.match(r"[A-Z]+", first).group()  # type: ignore[union-attr]
        lo, hi = int(first[len(col) :]), int((last or first)[len(col) :])
        out |= {f"{col}{n}" for n in range(lo, hi + 1)}
    return out


def test_one_date_format_and_no_doubled_colon(framework: Framework, tmp_path: Path) -> None:
    a1 = framework.actions[0]
    path = _book(framework, tmp_path / "d.xlsx", {(a1.id, F.TARGET_DATE): dt.date(2027, 9, 30)})
    wb = openpyxl.load_workbook(path)
    start = [c.value for row in wb["Start"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "30 June 2027" in start
    assert not any("2027-06-30" in t for t in start)
    assert any("by 30 June 2027" in t for t in start)  # the instructions, the same way
    sheet, row, col = plan_workbook(framework).cell(a1.id, L.FIELD[F.TARGET_DATE])
    assert wb[sheet][L.cell_ref(row, col)].number_format == DATE_FORMAT == "d mmmm yyyy"
    assert long_date(dt.date(2027, 9, 3)) == "3 September 2027"
    for d in framework.dimensions:
        title = wb[plan_workbook(framework).sheet_names[d.id]]["D1"].value
        assert title == f"{d.name} – {framework.title}"
        assert "::" not in title.replace(" ", "") and title.count(":") == framework.title.count(":")


def test_progress_and_cross_reference_text_is_not_tiny(
    framework: Framework, tmp_path: Path
) -> None:
    path = _book(framework, tmp_path / "p.xlsx", {})
    wb = openpyxl.load_workbook(path)
    plan = plan_workbook(framework)
    block = plan.dimensions[0].blocks[0]
    ws = wb[plan.dimensions[0].sheet]
    indicator = ws[L.cell_ref(block.row, L.COL_INFO)]
    assert indicator.font.sz >= 10
    action_row = block.groups[0].actions[0][1]
    assert ws[L.cell_ref(action_row, L.COL_INFO)].font.sz >= 10


def test_prefilled_long_texts_get_rows_that_hold_them(framework: Framework, tmp_path: Path) -> None:
    c = framework.criteria[0]
    a = c.actions[0]
    typed = {(c.id, F.COMMENT): LONG, (a.id, F.NOTES): LONG[:300]}
    path = _book(framework, tmp_path / "l.xlsx", typed)
    wb = openpyxl.load_workbook(path)
    plan = plan_workbook(framework)
    ws = wb[plan.items[c.id].sheet]
    crow, arow = plan.items[c.id].row, plan.items[a.id].row
    lines = lambda h: (h - 3) / 15  # noqa: E731
    assert lines(ws.row_dimensions[crow + 1].height) >= len(LONG) / 35
    assert lines(ws.row_dimensions[arow + 1].height) >= 300 / 35
    # the labels' cached values: nothing continues, as every row holds its text
    block = plan.dimensions[0].blocks[0]
    band = ws[L.cell_ref(block.band_row, L.COL_NOTE)]
    assert band.value.startswith("=IF(") and "LEN(F" in band.value
    assert CONTINUES in band.value


def test_page_plan_keeps_a_short_sheet_on_one_page_and_sections_whole() -> None:
    widths = [30] + [13] * 8
    short = plan_pages({r: 20.0 for r in range(30)}, 29, widths)  # 600 pt: 1.26 pages
    assert short.one_page and short.breaks == ()
    heights = {r: 20.0 for r in range(60)}
    pages = plan_pages(heights, 59, widths, keep_together=[(20, 29), (50, 59)], repeated=20)
    assert not pages.one_page
    assert all(b in (20, 50) for b in pages.breaks)
    # sections start a page whatever the room left; one inside a section placed whole not
    both = plan_pages(heights, 59, widths, sections=[(30, 45), (30, 38), (40, 45)])
    assert both.breaks == (30,)
    apart = plan_pages(heights, 59, widths, sections=[(20, 59), (20, 38), (40, 59)])
    assert apart.breaks == (20, 40)
    # a block longer than a page is never pushed (it would only leave a gap)
    long_block = plan_pages(heights, 59, widths, keep_together=[(5, 59)])
    assert 5 not in long_block.breaks


# Rendered by LibreOffice ----------------------------------------------------------------


@pytest.mark.libreoffice
def test_rendered_workbooks_read_as_meant(framework: Framework, tmp_path: Path) -> None:
    """Render the bundled framework's and a 7-stage, 12-dimension framework's workbooks;
    type a long text over an evidence cell and pick ticks in LibreOffice; then read the
    pages: words for ticks, one page of Start, no orphan pages, the 'continues' label."""
    require_lo()
    big = _seven_by_twelve(tmp_path)
    a1, a2 = framework.actions[:2]
    typed = {(a1.id, F.DONE): True, (a2.id, F.TARGET_DATE): dt.date(2027, 9, 30)}
    small = _book(framework, tmp_path / "bundled.xlsx", typed)
    large = _book(big, tmp_path / "big.xlsx", {}, org="Ünïcödé Partnership – 東京 & Co")
    plan = plan_workbook(framework)
    c = framework.criteria[0]
    sheet, crow, col = plan.cell(c.id, L.FIELD[F.COMMENT])
    band = L.cell_ref(plan.dimensions[0].blocks[0].band_row, L.COL_NOTE)
    _, brow, bcol = plan.cell(a2.id, L.FIELD[F.DONE])
    batch = Batch()
    conv = [batch.convert(p, "pdf", tmp_path / "pdf") for p in (small, large)]
    edit = batch.edit(
        small,
        [
            Edit.text(sheet, L.cell_ref(crow, col), LONG),
            Edit.boolean(sheet, L.cell_ref(brow, bcol), True),
        ],
        {"xlsx": tmp_path / "edited.xlsx", "pdf": tmp_path / "edited.pdf"},
    )
    read = batch.read(tmp_path / "bundled.xlsx", [(sheet, band)])
    result = batch.run()
    pdfs = [result.outputs(i)["pdf"] for i in conv]
    RENDERED.mkdir(parents=True, exist_ok=True)
    for pdf in [*pdfs, result.outputs(edit)["pdf"]]:
        pdf_to_pngs(pdf, RENDERED)
    pages = [_pages(p) for p in pdfs]
    # the bundled Start sheet: its progress table and stage legend together, never the
    # legend's rows alone on a page
    legend = next(p for p in pages[0] if "Stage 3 of 3" in p)
    assert "Your progress" in legend and "The stages" in legend
    # ticks in words; one date format
    body = "\n".join(pages[0][1:])
    assert "Not done" in body and "Done" in body
    assert not re.search(r"\bFALSE\b", body)
    assert "30 September 2027" in body and "2027-09-30" not in body
    # the 7 x 12 Start sheet: every page after the first opens with a whole section
    start_pages = [
        p for p in pages[1] if "Your progress" in p or "The stages" in p or "How to fill" in p
    ]
    for text in start_pages[1:]:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        assert lines[1] in ("Your progress", "The stages"), lines[:3]
    # LibreOffice's label over the untouched evidence; the long text typed: "continues"
    assert result.cells(read)[(sheet, band)].string == "Evidence / comments"
    edited = _pages(result.outputs(edit)["pdf"])
    assert f"Evidence / comments {CONTINUES}" in "\n".join(edited)
    got = only(import_paths(framework, result.outputs(edit)["xlsx"]))
    answers = {a.item_id: a for a in got.answers}
    assert answers[c.id].comment == LONG
    assert answers[a2.id].done is True


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")
