"""Tamper evidence (issue 11): every input row carries a short hash of the locked wording it
shows, and a return whose wording was edited is imported with a warning, the answer still
taken by id."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from tests.filling import rows_by_id
from tests.helpers import orgs, write_filled
from xlsxkit.codes import Code
from xlsxkit.framework.model import Framework
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.read import read_return

LAYOUT1 = Path(__file__).parent / "layout1"


def _sent(framework: Framework, tmp: Path) -> Path:
    criterion = framework.criteria[0]
    answers = {(criterion.id, "stage"): framework.stages[1].label}
    answers[(criterion.actions[0].id, "notes")] = "kept"
    return write_filled(framework, tmp / "sent.xlsx", orgs("North Trust")[0], answers)


def _edit(src: Path, dst: Path, edits: dict[tuple[str, int, int], object]) -> Path:
    wb = openpyxl.load_workbook(src)
    for (sheet, row, col), value in edits.items():
        wb[sheet].cell(row=row, column=col + 1).value = value
    wb.save(dst)
    return dst


def test_every_form_row_carries_the_hash_of_its_wording_in_a_hidden_column(
    framework: Framework, tmp_path: Path
) -> None:
    path = _sent(framework, tmp_path)
    wb = openpyxl.load_workbook(path)
    hashed = 0
    for ws in wb.worksheets:
        if ws.title in (L.START_SHEET, L.IDENTITY_SHEET):
            continue
        assert ws.column_dimensions[L.col_letter(L.COL_HASH)].hidden, ws.title
        for row in ws.iter_rows(min_row=1):
            kind = row[L.COL_KIND].value if len(row) > L.COL_KIND else None
            if kind in (L.KIND_CRITERION, L.KIND_ACTION):
                text = row[L.COL_TEXT].value
                assert row[L.COL_HASH].value == L.wording_hash(text)
                assert len(row[L.COL_HASH].value) == 8
                hashed += 1
    assert hashed == len(framework.criteria) + len(framework.actions)


def test_an_untouched_return_gives_no_wording_warning(framework: Framework, tmp_path: Path) -> None:
    ret = read_return(_sent(framework, tmp_path), framework)
    assert ret.status == "accepted"
    assert ret.problems == ()


def test_edited_wording_is_reported_and_the_answer_still_taken_by_id(
    framework: Framework, tmp_path: Path
) -> None:
    src = _sent(framework, tmp_path)
    rows = rows_by_id(src)
    criterion = framework.criteria[0]
    action = criterion.actions[0]
    csheet, crow = rows[criterion.id]
    asheet, arow = rows[action.id]
    edited = _edit(
        src,
        tmp_path / "edited.xlsx",
        {
            (csheet, crow, L.COL_TEXT): "We have a plan (partly)",
            (asheet, arow, L.COL_TEXT): None,  # wording deleted altogether
        },
    )
    ret = read_return(edited, framework, display="edited.xlsx")
    assert ret.status == "accepted"
    problems = [p for p in ret.problems if p.code == Code.WORDING_EDITED]
    assert [(p.location.sheet, p.location.cell) for p in problems] == [
        (csheet, f"{L.col_letter(L.COL_TEXT)}{crow}"),
        (asheet, f"{L.col_letter(L.COL_TEXT)}{arow}"),
    ]
    assert all(p.location.file == "edited.xlsx" for p in problems)
    assert "the wording of this criterion was edited in the workbook" in problems[0].message
    assert "We have a plan (partly)" in problems[0].message
    assert "the wording of this action was edited" in problems[1].message
    got = {a.item_id: a for a in ret.answers}
    assert got[criterion.id].stage_id == framework.stages[1].id
    assert got[action.id].notes == "kept"
    # Only those two: nothing about the hash column being content outside the form.
    assert len(ret.problems) == 2


def test_a_re_save_that_changes_only_line_breaks_is_not_an_edit(
    framework: Framework, tmp_path: Path
) -> None:
    src = _sent(framework, tmp_path)
    # An action with details is shown on several lines.
    action = next(a for a in framework.actions if a.details)
    sheet, row = rows_by_id(src)[action.id]
    wb = openpyxl.load_workbook(src)
    text = wb[sheet].cell(row=row, column=L.COL_TEXT + 1).value
    assert "\n" in text
    resaved = _edit(
        src, tmp_path / "crlf.xlsx", {(sheet, row, L.COL_TEXT): text.replace("\n", "\r\n") + " "}
    )
    ret = read_return(resaved, framework)
    assert not [p for p in ret.problems if p.code == Code.WORDING_EDITED]


def test_an_edited_hash_itself_is_reported_like_edited_wording(
    framework: Framework, tmp_path: Path
) -> None:
    src = _sent(framework, tmp_path)
    sheet, row = rows_by_id(src)[framework.criteria[1].id]
    edited = _edit(src, tmp_path / "h.xlsx", {(sheet, row, L.COL_HASH): "00000000"})
    [problem] = read_return(edited, framework).problems
    assert problem.code == Code.WORDING_EDITED


def test_rows_without_a_hash_are_not_checked(framework: Framework) -> None:
    """A layout-1 workbook has no hashes: no warning, whatever its wording."""
    assert json.loads((LAYOUT1 / "north-trust-layout1.json").read_text())["answers"]
    ret = read_return(LAYOUT1 / "north-trust-layout1.xlsx", framework)
    assert not [p for p in ret.problems if p.code == Code.WORDING_EDITED]
