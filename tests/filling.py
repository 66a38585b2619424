"""Fill generated workbooks programmatically, as a partner's app would, for tests."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import openpyxl

from xlsxkit.framework.model import Framework
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.plan import plan_workbook

#: field name -> column, from the layout's one Fields table.
FIELD_COLUMNS: dict[str, int] = {f.name: f.col for f in L.FIELDS}

#: (item id, field name) -> the raw value a partner's app leaves in the cell.
Answers = dict[tuple[str, str], Any]


def rows_by_id(path: Path) -> dict[str, tuple[str, int]]:
    """item id -> (sheet title, 1-based row), read from the hidden id column."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, tuple[str, int]] = {}
    for ws in wb.worksheets:
        if ws.title == L.IDENTITY_SHEET:
            continue
        for row in ws.iter_rows(min_col=L.COL_ID + 1, max_col=L.COL_ID + 1):
            value = row[0].value
            if isinstance(value, str) and value:
                out.setdefault(value, (ws.title, row[0].row))
    return out


def cell_for(framework: Framework, item_id: str, field: str) -> tuple[str, str]:
    """(sheet, A1 reference) of an item's input cell in a generated workbook, by the plan."""
    sheet, row, col = plan_workbook(framework).cell(item_id, L.FIELD[L.FieldName(field)])
    return sheet, L.cell_ref(row, col)


def fill_with_openpyxl(src: Path, dst: Path, answers: Answers) -> None:
    """Open SRC in openpyxl, type ANSWERS into their cells, save as DST.

    openpyxl drops the native checkbox part on save, leaving plain TRUE/FALSE cells: what
    an app without native checkboxes does.
    """
    wb = openpyxl.load_workbook(src)
    ids = rows_by_id(src)
    for (item_id, field), value in answers.items():
        sheet, row = ids[item_id]
        cell = wb[sheet].cell(row=row, column=FIELD_COLUMNS[field] + 1)
        if isinstance(value, str) and value.startswith("="):
            cell.value = value
            cell.data_type = "s"  # typed text, not a formula
        else:
            cell.value = value
    wb.save(dst)


def random_answers(framework: Framework, seed: int, *, blank_share: float = 0.2) -> Answers:
    """Answers for every item: valid stages, ticks, free text in several scripts, dates."""
    rng = random.Random(seed)
    texts = [
        "Done in March; see minutes",
        "Zoë – 東京 ✓ ünïcödé",
        "Plan agreed, منصور",
        '=HYPERLINK("http://x","y")',
        "+44 20 7946 0000",
        "-2 items outstanding",
        "@lead to confirm",
        "Line one\nline two",
    ]
    answers: Answers = {}
    for criterion in framework.criteria:
        if rng.random() < blank_share:
            continue
        answers[(criterion.id, "stage")] = rng.choice(framework.stages).label
        if rng.random() < 0.6:
            answers[(criterion.id, "comment")] = rng.choice(texts)
        for action in criterion.actions:
            answers[(action.id, "done")] = rng.random() < 0.5
            if rng.random() < 0.4:
                answers[(action.id, "notes")] = rng.choice(texts)
            if rng.random() < 0.3:
                answers[(action.id, "lead")] = rng.choice(("Ada", "Bó Wén", "Comms team"))
            if rng.random() < 0.3:
                answers[(action.id, "target_date")] = dt.date(2027, rng.randint(1, 12), 28)
    return answers
