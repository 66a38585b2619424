"""The reader's shortcut for empty cells gives exactly what decoding them gives: for every
field of the layout, an empty cell (None, or "" as calamine reads one) decodes to the
:data:`answers.BLANK` value of its type, without a warning."""

from __future__ import annotations

import pytest

from xlsxkit.framework.model import Framework
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.normalise import StageMatcher
from xlsxkit.workbook.read.answers import BLANK, DECODERS, Context, read_answer
from xlsxkit.workbook.read.rows import Found
from xlsxkit.workbook.read.state import ReadState


@pytest.mark.parametrize("empty", [None, ""])
@pytest.mark.parametrize("field", [f for f in L.FIELDS if f.answer_attr], ids=str)
def test_an_empty_cell_decodes_to_its_types_blank(
    framework: Framework, field: L.Field, empty: str | None
) -> None:
    state = ReadState(source="f.xlsx", framework=framework)
    ctx = Context(matcher=StageMatcher(framework.stages), formulas={}, state=state)
    cells: list[object] = [""] * (L.LAST_COL + 2)
    cells[field.col] = empty
    found = Found(sheet="S", row=4, kind=field.kind, cells=cells)
    assert DECODERS[field.type](found, field, ctx) == BLANK[field.type]
    assert state.problems == []


def test_a_formula_saved_without_value_is_still_reported_in_an_empty_looking_cell(
    framework: Framework,
) -> None:
    state = ReadState(source="f.xlsx", framework=framework)
    stage = L.FIELD[L.FieldName.STAGE]
    ctx = Context(
        matcher=StageMatcher(framework.stages),
        formulas={"S": {L.cell_ref(4, stage.col)}},
        state=state,
    )
    cells: list[object] = [""] * (L.LAST_COL + 2)
    answer = read_answer(
        framework.criteria[0].id, Found(sheet="S", row=4, kind=L.KIND_CRITERION, cells=cells), ctx
    )
    assert answer.stage_id is None
    assert [p.code for p in state.problems] == ["missing-cached-value"]
