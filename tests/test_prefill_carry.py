"""Carrying answers over a framework revision between rounds (issue 11): one action added,
one removed and one reworded; the ids carry over, and the report says what changed. Then the
carried answers pre-fill a real round-2 workbook, which reads back as they were."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT
from tests.fwtools import write
from tests.helpers import orgs, write_filled
from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Answer, Framework
from xlsxkit.workbook.instructions import load_template
from xlsxkit.workbook.prefill import carry_over
from xlsxkit.workbook.read import read_return
from xlsxkit.workbook.write import WorkbookSpec, write_workbook


def _doc() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "framework.yaml").read_text(encoding="utf-8"))


def _revised(tmp: Path) -> tuple[Framework, Framework, str, str, str]:
    """framework.yaml, and a revision of it: in the first criterion, the second action of
    its first stage removed, the first one reworded, and a new action at its last stage."""
    before = _doc()
    after = copy.deepcopy(before)
    by_stage: dict[str, list[dict[str, Any]]] = after["dimensions"][0]["criteria"][0]["actions"]
    first_stage, *_rest, last_stage = list(by_stage)
    removed = by_stage[first_stage].pop(1)["id"]
    reworded = by_stage[first_stage][0]["id"]
    by_stage[first_stage][0]["text"] += " (revised wording)"
    by_stage[last_stage].append({"id": "brand-new-action", "text": "A brand new action"})
    after["framework"]["version"] = "2.0"
    old = require_framework(write(tmp, before, "v1.yaml"))
    new = require_framework(write(tmp, after, "v2.yaml"))
    return old, new, removed, reworded, "brand-new-action"


def _round1(framework: Framework, tmp: Path) -> list[Answer]:
    answers: dict[tuple[str, str], object] = {}
    for n, criterion in enumerate(framework.criteria):
        answers[(criterion.id, "stage")] = framework.stages[n % len(framework.stages)].label
        answers[(criterion.id, "target_stage")] = framework.stages[-1].label
        answers[(criterion.id, "comment")] = f"evidence {n}"
        for action in criterion.actions:
            answers[(action.id, "done")] = True
            answers[(action.id, "notes")] = f"notes for {action.id}"
    path = write_filled(framework, tmp / "round1.xlsx", orgs("North Trust")[0], answers)
    ret = read_return(path, framework)
    assert ret.status == "accepted" and ret.problems == ()
    return list(ret.answers)


def test_a_revision_carries_answers_by_id_and_reports_what_changed(tmp_path: Path) -> None:
    old, new, removed, reworded, added = _revised(tmp_path)
    previous = _round1(old, tmp_path)
    result = carry_over(previous, new, previous_framework=old)
    ids = [a.item_id for a in result.answers]
    assert removed not in ids and added not in ids
    assert result.removed == (removed,)
    assert result.added == (added,)
    assert result.reworded == (reworded,)
    assert result.cleared == ()
    carried = {a.item_id: a for a in result.answers}
    before = {a.item_id: a for a in previous}
    # Everything else carries over unchanged, the reworded action included.
    assert set(carried) == set(before) - {removed}
    for item_id, answer in carried.items():
        b = before[item_id]
        assert (
            answer.stage_id,
            answer.target_stage_id,
            answer.comment,
            answer.done,
            answer.notes,
        ) == (
            b.stage_id,
            b.target_stage_id,
            b.comment,
            b.done,
            b.notes,
        )
    lines = result.lines("2026 autumn")
    assert len(lines) == 3
    assert removed in lines[0] and "removed" in lines[0] and "since 2026 autumn" in lines[0]
    assert added in lines[1] and "start blank" in lines[1]
    assert reworded in lines[2] and "reworded" in lines[2]


def test_the_carried_answers_prefill_a_round_2_workbook_that_reads_back_as_them(
    tmp_path: Path,
) -> None:
    old, new, removed, _reworded, added = _revised(tmp_path)
    result = carry_over(_round1(old, tmp_path), new, previous_framework=old)
    path = tmp_path / "round2.xlsx"
    write_workbook(
        WorkbookSpec(
            framework=new,
            organisation=orgs("North Trust")[0],
            instructions=load_template(),
            token="tok2",
            round="2027 spring",
            prefill=result.answers,
            previous_round="2026 autumn",
            generated_at=dt.datetime(2027, 3, 1, tzinfo=dt.UTC),
        ),
        path,
    )
    ret = read_return(path, new)
    assert ret.status == "accepted" and ret.problems == ()
    got = {a.item_id: a for a in ret.answers}
    # Untouched, the round-2 workbook reads as exactly the carried answers (moved rows too).
    for answer in result.answers:
        assert got[answer.item_id] == answer
    # The new action starts blank: an unticked box, nothing typed.
    blank = Answer(item_id=added, sheet=got[added].sheet, row=got[added].row, done=False)
    assert got[added] == blank
    assert removed not in got


def test_without_the_previous_framework_new_items_are_those_never_answered(
    tmp_path: Path,
) -> None:
    old, new, removed, _reworded, added = _revised(tmp_path)
    result = carry_over(_round1(old, tmp_path), new)
    assert result.removed == (removed,)
    assert result.added == (added,)
    assert result.reworded == ()  # the answers do not carry the wording


def test_a_stage_no_longer_on_the_ladder_is_cleared_not_guessed(
    framework: Framework, tmp_path: Path
) -> None:
    criterion = framework.criteria[0]
    previous = [
        Answer(item_id=criterion.id, sheet="x", row=1, stage_id="retired", target_stage_id="gone")
    ]
    result = carry_over(previous, framework)
    [answer] = result.answers
    assert (answer.stage_id, answer.target_stage_id) == (None, None)
    assert {(c.field, c.stage_id) for c in result.cleared} == {
        ("stage_id", "retired"),
        ("target_stage_id", "gone"),
    }
    assert "retired" in result.lines()[-1] and "no longer" in result.lines()[-1]


def test_an_organisation_with_no_earlier_answers_gets_a_blank_workbook_and_no_report(
    framework: Framework,
) -> None:
    result = carry_over([], framework)
    assert result.answers == () and not result.changed and result.lines() == []
