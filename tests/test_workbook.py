"""The generated workbook, inspected with openpyxl and as raw XML."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tests.fwtools import big_framework, minimal, write
from tests.helpers import item_ids, orgs, write_filled
from xlsxkit.framework.load import load_framework
from xlsxkit.framework.model import Framework
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.instructions import load_template
from xlsxkit.workbook.styles import BOOLEAN_FORMAT
from xlsxkit.workbook.write import WorkbookSpec, write_workbook


@pytest.fixture()
def book(framework: Framework, tmp_path: Path) -> Path:
    [org] = orgs("North & East Trust")
    path = tmp_path / "north.xlsx"
    write_workbook(
        WorkbookSpec(
            framework=framework,
            organisation=org,
            instructions=load_template(),
            token="tok-123",
            round="2026 Q4",
            deadline=dt.date(2027, 1, 15),
            return_to="coordinator@example.org",
            generated_at=dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC),
        ),
        path,
    )
    return path


def test_sheets_and_identity(book: Path, framework: Framework) -> None:
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["Start", "People", "Culture", "Systems", "xlsxkit"]
    assert wb["xlsxkit"].sheet_state == "veryHidden"
    assert all(wb[n].sheet_state == "visible" for n in wb.sheetnames[:-1])
    ws = wb["xlsxkit"]
    assert ws["A1"].value == L.IDENTITY_MARKER
    pairs = {r[0].value: r[1].value for r in ws.iter_rows(min_row=2, max_col=2) if r[0].value}
    assert pairs[L.KEY_FRAMEWORK_ID] == "ip-engaging-people"
    assert pairs[L.KEY_FRAMEWORK_VERSION] == "1.0"
    assert pairs[L.KEY_FRAMEWORK_HASH] == framework.content_hash
    assert pairs[L.KEY_ORG_ID] == "north-east-trust"
    assert pairs[L.KEY_ORG_NAME] == "North & East Trust"
    assert pairs[L.KEY_GENERIC] == "false"
    assert pairs[L.KEY_ROUND] == "2026 Q4"
    assert pairs[L.KEY_TOKEN] == "tok-123"
    assert pairs[L.KEY_GENERATED_AT] == "2026-11-26T09:30:00+00:00"
    assert pairs[L.KEY_XLSXKIT_VERSION]
    assert pairs["sheet:people"] == "People"
    labels = [ws.cell(row=2 + i, column=L.LIST_STAGE_COL + 1).value for i in range(3)]
    assert labels == ["Not well-developed", "Some work done", "Well-developed"]


def test_every_input_row_carries_its_id(book: Path, framework: Framework) -> None:
    wb = openpyxl.load_workbook(book)
    ids = []
    for name in ("People", "Culture", "Systems"):
        ws = wb[name]
        assert ws.column_dimensions["A"].hidden
        for row in ws.iter_rows(min_row=1):
            item = row[L.COL_ID].value
            if item:
                ids.append(item)
                kind = row[L.COL_KIND].value
                assert kind == ("criterion" if framework.has_criterion(item) else "action")
    assert ids == item_ids(framework)


def test_validations_point_to_the_hidden_list(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb["People"]
    rows = {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}
    by_cell = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            by_cell[rng] = dv
    stage = by_cell[f"E{rows['people-staff-engagement']}"]
    assert stage.type == "list"
    assert stage.formula1 == "'xlsxkit'!$D$2:$D$4"
    assert stage.showErrorMessage and stage.errorStyle in (None, "stop")
    assert stage.showInputMessage and stage.prompt
    tick = by_cell[f"E{rows['people-map-clinician-links']}"]
    assert tick.type == "list" and tick.formula1 == '"TRUE,FALSE"'
    date = by_cell[f"H{rows['people-map-clinician-links']}"]
    assert date.type == "date" and date.operator in (None, "between")  # between is the default
    assert (date.formula1, date.formula2) == ("36526", "73415")  # 2000-01-01 to 2100-12-31


def test_long_stage_lists_are_never_inline(tmp_path: Path) -> None:
    doc = big_framework(stages=7, dimensions=2)
    fw = load_framework(write(tmp_path, doc)).framework
    assert fw is not None
    assert len(",".join(s.label for s in fw.stages)) > 255
    path = tmp_path / "big.xlsx"
    write_filled(fw, path, orgs("X")[0], {})
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            assert dv.formula1 is None or len(dv.formula1) <= 257
            if dv.type == "list" and dv.formula1 != '"TRUE,FALSE"':
                assert dv.formula1 == "'xlsxkit'!$D$2:$D$8"


def test_only_input_cells_are_unlocked(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        # Allowed for the partner: selecting, resizing rows and columns, filtering.
        assert ws.protection.formatColumns is False
        assert ws.protection.formatRows is False
        assert ws.protection.autoFilter is False
        assert ws.protection.selectLockedCells is False
        assert ws.protection.selectUnlockedCells is False
        # Not allowed: inserting or deleting rows and columns.
        assert ws.protection.insertRows is not False
        assert ws.protection.deleteColumns is not False
    ws = wb["People"]
    rows = {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}
    crit, act = rows["people-staff-engagement"], rows["people-map-clinician-links"]
    unlocked = {c for c in ("E", "F") if not ws[f"{c}{crit}"].protection.locked}
    assert unlocked == {"E", "F"}
    assert {c for c in "EFGH" if not ws[f"{c}{act}"].protection.locked} == set("EFGH")
    assert ws[f"D{act}"].protection.locked
    assert ws[f"I{crit}"].protection.locked
    assert ws["D1"].protection.locked


def test_password_is_applied(framework: Framework, tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    write_workbook(
        WorkbookSpec(
            framework=framework,
            organisation=None,
            instructions=load_template(),
            token="t",
            password="secret",
        ),
        path,
    )
    ws = openpyxl.load_workbook(path)["People"]
    assert ws.protection.sheet and ws.protection.password


def test_native_checkbox_part_and_boolean_format(book: Path) -> None:
    with zipfile.ZipFile(book) as z:
        names = z.namelist()
        assert "xl/featurePropertyBag/featurePropertyBag.xml" in names
        content_types = z.read("[Content_Types].xml").decode()
        assert "featurePropertyBag" in content_types
        styles = z.read("xl/styles.xml").decode()
        assert "xfpb:xfComplement" in styles
        sheet = z.read("xl/worksheets/sheet2.xml").decode()
    assert len(re.findall(r'<c r="E\d+" s="\d+" t="b"><v>0</v></c>', sheet)) == 13
    wb = openpyxl.load_workbook(book)
    ws = wb["People"]
    rows = {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}
    cell = ws[f"E{rows['people-map-clinician-links']}"]
    assert cell.value is False
    assert cell.number_format == BOOLEAN_FORMAT


def test_defined_names(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    names = {n: d.attr_text for n, d in wb.defined_names.items()}
    assert names[L.NAME_STAGES] == "'xlsxkit'!$D$2:$D$4"
    assert names[L.NAME_ORG_NAME] == "'Start'!$E$5"
    assert names[L.NAME_FRAMEWORK_HASH] == "'xlsxkit'!$B$5"
    wb2 = openpyxl.load_workbook(book)
    assert wb2["xlsxkit"]["A5"].value == L.KEY_FRAMEWORK_HASH


def test_print_setup_and_looks(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    for name in ("Start", "People", "Culture", "Systems"):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1)
        assert ws.page_setup.fitToHeight == 0
        assert "Page &P of &N" in ws.oddFooter.right.text
    people = wb["People"]
    assert people.print_title_rows == "$1:$3"
    assert people.freeze_panes == "A4"
    assert "North && East Trust" in people.oddFooter.left.text
    assert people.column_dimensions["D"].width > 50
    rules = people.conditional_formatting
    cell_rules = [r for cf in rules for r in cf.rules if r.type == "cellIs"]
    assert sorted(r.formula[0] for r in cell_rules) == [
        '"Not well-developed"',
        '"Some work done"',
        '"Well-developed"',
    ]
    assert any(r.type == "expression" and "TRUE" in r.formula[0] for cf in rules for r in cf.rules)


def test_start_sheet_progress_formulas(book: Path, framework: Framework) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb["Start"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "North & East Trust" in texts
    assert "15 January 2027" in texts  # one date format everywhere
    assert "coordinator@example.org" in texts
    assert any(t == "How to fill it in" for t in texts)
    assert any(t.startswith("This workbook is the Engaging people") for t in texts)
    formulas = [t for t in texts if t.startswith("=")]
    assert any("SUMPRODUCT" in f and "'People'!" in f for f in formulas)
    assert sum("'xlsxkit'!$D$" in f for f in formulas) == 3 * len(framework.stages)
    # Cached values let apps that do not recalculate on load show the right numbers.
    cal = CalamineWorkbook.from_path(book).get_sheet_by_name("Start").to_python()
    flat = [v for row in cal for v in row]
    assert "People" in flat and 13.0 in flat


def test_generic_workbook_has_an_org_name_input(framework: Framework, tmp_path: Path) -> None:
    path = tmp_path / "g.xlsx"
    write_workbook(
        WorkbookSpec(
            framework=framework, organisation=None, instructions=load_template(), token="g"
        ),
        path,
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["Start"]
    assert ws["A5"].value == L.START_ORG_ROW_ID
    assert ws["E5"].protection.locked is False
    idn = {r[0].value: r[1].value for r in wb["xlsxkit"].iter_rows(min_row=2, max_col=2)}
    assert idn[L.KEY_GENERIC] == "true" and idn[L.KEY_ORG_ID] in (None, "")


@pytest.mark.parametrize("stages", [2, 7])
@pytest.mark.parametrize("dimensions", [1, 12])
def test_any_valid_framework_writes(tmp_path: Path, stages: int, dimensions: int) -> None:
    doc = big_framework(stages=stages, dimensions=dimensions, criteria=2, actions=1)
    fw = load_framework(write(tmp_path, doc)).framework
    assert fw is not None
    path = write_filled(fw, tmp_path / "w.xlsx", orgs("Org")[0], {})
    names = openpyxl.load_workbook(path).sheetnames
    assert len(names) == dimensions + 2
    assert len({n.casefold() for n in names}) == len(names)
    for n in names:
        assert len(n) <= 31 and not set(n) & set("[]:*?/\\") and n.casefold() != "history"


def test_minimal_framework_without_actions(tmp_path: Path) -> None:
    doc = minimal()
    doc["dimensions"][0]["criteria"][0]["actions"] = {}
    fw = load_framework(write(tmp_path, doc)).framework
    assert fw is not None
    path = write_filled(fw, tmp_path / "w.xlsx", orgs("Org")[0], {})
    ws = openpyxl.load_workbook(path)["People"]
    texts = [c.value for row in ws.iter_rows() for c in row]
    assert "No suggested actions" in texts
