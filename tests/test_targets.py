"""Targets and the last round (issue 11): each criterion's second dropdown, "Target stage by
next round", read back as ``Answer.target_stage_id``; the locked "Last round (...)" cell of a
workbook generated from an earlier round; and layout-1 workbooks, made before targets
existed, still read."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from tests.filling import rows_by_id
from tests.helpers import orgs, write_filled
from tests.lo import Edit, edit_and_save, require_lo
from xlsxkit.codes import Code
from xlsxkit.framework.model import Answer, Framework
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.instructions import load_template
from xlsxkit.workbook.plan import plan_workbook
from xlsxkit.workbook.read import read_return
from xlsxkit.workbook.write import WorkbookSpec, write_workbook

LAYOUT1 = Path(__file__).parent / "layout1"
TARGET = L.FIELD[L.FieldName.TARGET_STAGE]


def _spec(framework: Framework, prefill: list[Answer], previous_round: str | None = None):
    return WorkbookSpec(
        framework=framework,
        organisation=orgs("North Trust")[0],
        instructions=load_template(),
        token="tok",
        round="2027 spring",
        prefill=prefill,
        previous_round=previous_round,
        generated_at=dt.datetime(2027, 3, 1, tzinfo=dt.UTC),
    )


def _answer(framework: Framework, item_id: str, **values: object) -> Answer:
    where = plan_workbook(framework).items[item_id]
    return Answer(item_id=item_id, sheet=where.sheet, row=where.row + 1, **values)  # type: ignore[arg-type]


def test_target_dropdown_offers_the_stage_list_and_refuses_anything_else(
    framework: Framework, tmp_path: Path
) -> None:
    path = tmp_path / "w.xlsx"
    write_workbook(_spec(framework, []), path)
    ws_rows = rows_by_id(path)
    wb = openpyxl.load_workbook(path)
    criterion = framework.criteria[0]
    sheet, row = ws_rows[criterion.id]
    ws = wb[sheet]
    ref = f"{L.col_letter(TARGET.col)}{row}"
    [dv] = [dv for dv in ws.data_validations.dataValidation if ref in str(dv.sqref).split()]
    stage_ref = f"{L.col_letter(L.FIELD[L.FieldName.STAGE].col)}{row}"
    [stage_dv] = [
        dv for dv in ws.data_validations.dataValidation if stage_ref in str(dv.sqref).split()
    ]
    assert dv.type == "list" and dv.errorStyle in (None, "stop") and dv.showErrorMessage
    assert dv.formula1 == stage_dv.formula1  # the same list on the hidden sheet
    assert dv.formula1.startswith(f"{L.quote_sheet(L.IDENTITY_SHEET)}!$")
    assert dv.promptTitle == "Target stage by next round" and dv.showInputMessage
    assert ws[ref].protection.locked is False
    # Without a last round, the target spans the last-round column.
    merged = [str(m) for m in ws.merged_cells.ranges]
    assert f"{ref}:{L.col_letter(L.COL_LAST_ROUND)}{row}" in merged


def test_prefilled_targets_are_shown_and_read_back(framework: Framework, tmp_path: Path) -> None:
    first, second = framework.criteria[0], framework.criteria[1]
    top = framework.stages[-1]
    prefill = [
        _answer(framework, first.id, stage_id=framework.stages[0].id, target_stage_id=top.id),
        _answer(framework, second.id, target_stage_id=framework.stages[1].id),
    ]
    path = tmp_path / "w.xlsx"
    write_workbook(_spec(framework, prefill), path)
    sheet, row = rows_by_id(path)[first.id]
    cell = openpyxl.load_workbook(path)[sheet].cell(row=row, column=TARGET.col + 1)
    assert cell.value == top.label
    got = {a.item_id: a for a in read_return(path, framework).answers}
    assert got[first.id].target_stage_id == top.id
    assert got[first.id].stage_id == framework.stages[0].id
    assert (got[second.id].stage_id, got[second.id].target_stage_id) == (
        None,
        framework.stages[1].id,
    )
    assert got[framework.criteria[2].id].target_stage_id is None


def test_typed_targets_are_matched_like_stages_and_unreadable_ones_are_reported(
    framework: Framework, tmp_path: Path
) -> None:
    one, two = framework.criteria[0], framework.criteria[1]
    label = framework.stages[2].label
    typed = {
        (one.id, "target_stage"): f"  {label.upper()} ",  # typed over the dropdown
        (two.id, "target_stage"): "next year, hopefully",
    }
    path = write_filled(framework, tmp_path / "typed.xlsx", orgs("North Trust")[0], typed)
    ret = read_return(path, framework, display="typed.xlsx")
    got = {a.item_id: a for a in ret.answers}
    assert got[one.id].target_stage_id == framework.stages[2].id
    assert got[two.id].target_stage_id is None
    sheet, row = rows_by_id(path)[two.id]
    [problem] = [p for p in ret.problems if p.code == Code.UNREADABLE_STAGE]
    assert problem.location.file == "typed.xlsx"
    assert problem.location.sheet == sheet
    assert problem.location.cell == f"{L.col_letter(TARGET.col)}{row}"
    assert "next year, hopefully" in problem.message
    assert "target stage was left blank" in problem.message


@pytest.mark.parametrize("recorded", [True, False])
def test_last_round_cell_shows_the_prefilled_stage_locked(
    framework: Framework, tmp_path: Path, recorded: bool
) -> None:
    criterion = framework.criteria[0]
    stage = framework.stages[1]
    prefill = [_answer(framework, criterion.id, stage_id=stage.id if recorded else None)]
    path = tmp_path / "w.xlsx"
    write_workbook(_spec(framework, prefill, previous_round="2026 autumn"), path)
    rows = rows_by_id(path)
    wb = openpyxl.load_workbook(path)
    sheet, row = rows[criterion.id]
    cell = wb[sheet].cell(row=row, column=L.COL_LAST_ROUND + 1)
    shown = stage.label if recorded else "not assessed"
    assert cell.value == f"Last round (2026 autumn): {shown}"
    assert cell.protection.locked is not False
    # A criterion with no prefill answer at all was not assessed last round either.
    sheet2, row2 = rows[framework.criteria[1].id]
    assert (
        wb[sheet2].cell(row=row2, column=L.COL_LAST_ROUND + 1).value
        == "Last round (2026 autumn): not assessed"
    )
    # The cell shows, it is not an answer: the return reads as the prefill.
    [got] = [a for a in read_return(path, framework).answers if a.item_id == criterion.id]
    assert got.stage_id == (stage.id if recorded else None)


def test_without_a_previous_round_no_last_round_cells_are_written(
    framework: Framework, tmp_path: Path
) -> None:
    path = tmp_path / "w.xlsx"
    prefill = [_answer(framework, framework.criteria[0].id, stage_id=framework.stages[1].id)]
    write_workbook(_spec(framework, prefill), path)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and v.startswith("Last round") for v in row)


def test_a_layout_1_workbook_still_reads_with_its_answers(framework: Framework) -> None:
    recorded = json.loads((LAYOUT1 / "north-trust-layout1.json").read_text())
    ret = read_return(LAYOUT1 / "north-trust-layout1.xlsx", framework)
    assert ret.status == "accepted", ret.reason
    assert ret.round == "2026 autumn"
    # Only a framework revision since that workbook may be reported, nothing about layout.
    assert {p.code for p in ret.problems} <= {Code.FRAMEWORK_VERSION}
    got = {a.item_id: a for a in ret.answers}
    for want in recorded["answers"]:
        answer = got[want["id"]]
        if framework.has_criterion(want["id"]):
            attrs = ("stage_id", "comment")
        else:
            attrs = ("done", "notes", "lead", "target_date")
        for attr in attrs:
            assert getattr(answer, attr) == want[attr], (want["id"], attr)
    assert all(a.target_stage_id is None for a in ret.answers)


@pytest.mark.libreoffice
def test_a_target_picked_in_libreoffice_reads_back_from_xlsx_and_ods(
    framework: Framework, tmp_path: Path
) -> None:
    require_lo()
    one, two = framework.criteria[0], framework.criteria[1]
    prefill = [
        _answer(framework, one.id, stage_id=framework.stages[0].id),
        _answer(
            framework,
            two.id,
            stage_id=framework.stages[1].id,
            target_stage_id=framework.stages[2].id,
        ),
    ]
    sent = tmp_path / "sent.xlsx"
    write_workbook(_spec(framework, prefill, previous_round="2026 autumn"), sent)
    rows = rows_by_id(sent)
    col = L.col_letter(TARGET.col)
    s1, r1 = rows[one.id]
    s2, r2 = rows[two.id]
    top = framework.stages[-1]
    outputs = edit_and_save(
        sent,
        [
            Edit.input(s1, f"{col}{r1}", top.label),  # typed as a partner picks it
            Edit.clear(s2, f"{col}{r2}"),  # a prefilled target removed
        ],
        {"xlsx": tmp_path / "out" / "back.xlsx", "ods": tmp_path / "out" / "back.ods"},
    )
    for fmt, path in outputs.items():
        ret = read_return(path, framework)
        assert ret.status == "accepted", (fmt, ret.reason)
        got = {a.item_id: a for a in ret.answers}
        assert (got[one.id].stage_id, got[one.id].target_stage_id) == (
            framework.stages[0].id,
            top.id,
        ), fmt
        assert (got[two.id].stage_id, got[two.id].target_stage_id) == (
            framework.stages[1].id,
            None,
        ), fmt
        # LibreOffice's save keeps every locked wording as its hash says (line breaks too).
        assert ret.problems == (), (fmt, ret.problems)
