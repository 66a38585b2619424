"""The layout contract: the writer and the reader agree, field by field and row by row.

Anything the reader returns can be written back as prefill and read again unchanged, for
any framework; the row plan is where the written workbook really has each item.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.filling import FIELD_COLUMNS, rows_by_id
from tests.frameworks_st import answers_for, framework_docs, load_doc
from tests.helpers import orgs
from xlsxkit.framework.model import Answer, Framework
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.instructions import load_template
from xlsxkit.workbook.plan import plan_workbook
from xlsxkit.workbook.read import read_return
from xlsxkit.workbook.write import WorkbookSpec, write_workbook


def _write(
    framework: Framework, path: Path, prefill: list[Answer], previous_round: str | None = None
) -> None:
    write_workbook(
        WorkbookSpec(
            framework=framework,
            organisation=orgs("North Trust")[0],
            instructions=load_template(),
            token="tok",
            round="2026 Q4",
            prefill=prefill,
            previous_round=previous_round,
            generated_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        ),
        path,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), doc=framework_docs())
def test_any_answers_read_back_are_written_back_unchanged(
    data: st.DataObject, doc: dict[str, object]
) -> None:
    framework = load_doc(doc)
    plan = plan_workbook(framework)
    answers = data.draw(answers_for(framework, plan))
    # Every criterion may also carry a target stage by the next round.
    targets = st.sampled_from([None, *(s.id for s in framework.stages)])
    answers = [
        dataclasses.replace(a, target_stage_id=data.draw(targets))
        if framework.has_criterion(a.item_id)
        else a
        for a in answers
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "prefilled.xlsx"
        _write(framework, path, answers)
        first = read_return(path, framework)
        assert first.status == "accepted", first.reason
        assert first.problems == ()
        assert {a.item_id: a for a in first.answers} == {a.item_id: a for a in answers}
        # And what was read writes back to the same again: the next round's prefill, with
        # its locked "Last round" cells.
        again = Path(tmp) / "next-round.xlsx"
        _write(framework, again, list(first.answers), previous_round="2026 Q4")
        second = read_return(again, framework)
        assert second.answers == first.answers
        assert second.problems == ()


def test_unknown_tick_is_written_as_an_unticked_box(framework: Framework, tmp_path: Path) -> None:
    action = framework.actions[0]
    where = plan_workbook(framework).items[action.id]
    unknown = Answer(item_id=action.id, sheet=where.sheet, row=where.row + 1, done=None)
    _write(framework, tmp_path / "w.xlsx", [unknown])
    [read] = [
        a for a in read_return(tmp_path / "w.xlsx", framework).answers if a.item_id == action.id
    ]
    assert read.done is False


def test_prefill_for_an_item_not_in_the_framework_is_refused(
    framework: Framework, tmp_path: Path
) -> None:
    stray = Answer(item_id="not-an-item", sheet="People", row=5, comment="x")
    try:
        _write(framework, tmp_path / "w.xlsx", [stray])
    except ValueError as exc:
        assert "not-an-item" in str(exc)
    else:
        raise AssertionError("a prefill answer for an unknown item was written")


@settings(max_examples=15, deadline=None)
@given(doc=framework_docs())
def test_the_plan_is_where_the_written_workbook_has_each_item(doc: dict[str, object]) -> None:
    framework = load_doc(doc)
    plan = plan_workbook(framework)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w.xlsx"
        _write(framework, path, [])
        found = rows_by_id(path)
        wb = openpyxl.load_workbook(path)
    assert set(found) == set(plan.items)
    for item_id, where in plan.items.items():
        assert found[item_id] == (where.sheet, where.row + 1), item_id
        kind = wb[where.sheet].cell(row=where.row + 1, column=L.COL_KIND + 1).value
        assert kind == where.kind
    # Writer-only positions come from the plan too: the defined names point at them.
    names = {n: d.attr_text for n, d in wb.defined_names.items()}
    assert names[L.NAME_ORG_NAME] == plan.org_cell
    assert names[L.NAME_FRAMEWORK_HASH] == plan.framework_hash_cell
    assert names[L.NAME_STAGES] == plan.stage_range
    identity = wb[L.IDENTITY_SHEET]
    for key, row in plan.identity.key_rows.items():
        assert identity.cell(row=row + 1, column=L.IDENTITY_KEY_COL + 1).value == key
    assert identity.cell(row=plan.identity.row_of(L.KEY_FRAMEWORK_HASH) + 1, column=2).value == (
        framework.content_hash
    )


def test_every_field_has_one_column_per_kind_and_fills_an_answer_attribute() -> None:
    answer_fields = set(Answer.__dataclass_fields__)
    for kind in (L.KIND_CRITERION, L.KIND_ACTION):
        fields = L.FIELDS_BY_KIND[kind]
        assert len({f.col for f in fields}) == len(fields)
        assert all(f.answer_attr in answer_fields for f in fields)
    answered = {f.answer_attr for f in L.FIELDS if f.answer_attr}
    # Every answer attribute but the location is a field of the form.
    assert answered == answer_fields - {"item_id", "sheet", "row"}
    assert FIELD_COLUMNS["stage"] == L.COL_INPUT
