"""Consistency flags: a claimed stage the ticks do not support is a warning at its stage
cell, on the Problems sheet and in problems.csv; the answer itself stands."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import orgs, write_filled
from xlsxkit.app.import_job import import_job
from xlsxkit.campaign.settings import parse_settings
from xlsxkit.cli import cli
from xlsxkit.codes import Code
from xlsxkit.framework.model import Framework
from xlsxkit.inbound.batch import ImportRequest
from xlsxkit.results.consistency import (
    DEFAULT_MIN_ACTIONS,
    DEFAULT_THRESHOLD,
    ConsistencyRule,
    flags,
    parse_share,
)
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.plan import plan_workbook

F = L.FieldName
CRITERION = "people-staff-engagement"  # 2 + 2 + 3 actions: 7 at or below Well-developed


def _seven(framework: Framework) -> list[str]:
    actions = [a.id for a in framework.criterion(CRITERION).actions]
    assert len(actions) == 7
    return actions


def _return(framework: Framework, path: Path, ticked: int, stage: str = "Well-developed") -> Path:
    [org] = orgs("North Trust")
    answers: dict[tuple[str, str], object] = {(CRITERION, F.STAGE): stage}
    for i, action_id in enumerate(_seven(framework)):
        answers[(action_id, F.DONE)] = i < ticked
    return write_filled(framework, path, org, answers)


def _import(framework: Framework, tmp_path: Path, rule: ConsistencyRule | None = None):  # type: ignore[no-untyped-def]
    return import_job(
        ImportRequest(sources=[tmp_path / "in"], framework=framework, jobs=1),
        summary_path=tmp_path / "summary.xlsx",
        data_dir=tmp_path / "data",
        consistency=rule,
    )


def _flags(outcome) -> list:  # type: ignore[no-untyped-def,type-arg]
    return [p for _, p in outcome.summary.problems if p.code is Code.STAGE_NOT_SUPPORTED]


def test_the_issues_example_is_flagged_at_its_stage_cell_everywhere(
    framework: Framework, tmp_path: Path
) -> None:
    """'Well-developed' with 3 of the 7 actions at or below it done."""
    (tmp_path / "in").mkdir()
    _return(framework, tmp_path / "in" / "north.xlsx", ticked=3)
    outcome = _import(framework, tmp_path)
    [flag] = _flags(outcome)
    sheet, row, col = plan_workbook(framework).cell(CRITERION, L.FIELD[F.STAGE])
    assert flag.severity == "warning"
    assert (flag.location.sheet, flag.location.cell) == (sheet, L.cell_ref(row, col))
    assert "3 of the 7 suggested actions" in flag.message and "The answer stands" in flag.message
    # the answer stands: the stage is not corrected anywhere
    [org] = outcome.summary.orgs
    assert org.stages[CRITERION] == "well-developed"
    with (tmp_path / "data" / "stages.csv").open(encoding="utf-8-sig") as fh:
        stages = {r["criterion_id"]: r["stage_id"] for r in csv.DictReader(fh)}
    assert stages[CRITERION] == "well-developed"
    # problems.csv and the Problems sheet carry it, with its sheet and cell
    with (tmp_path / "data" / "problems.csv").open(encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if r["code"] == "stage-not-supported"]
    assert [(r["sheet"], r["cell"], r["severity"]) for r in rows] == [
        (sheet, L.cell_ref(row, col), "warning")
    ]
    ws = openpyxl.load_workbook(tmp_path / "summary.xlsx", read_only=True)["Problems"]
    cells = [str(c) for r in ws.iter_rows(values_only=True) for c in r if c is not None]
    assert "stage-not-supported" in cells
    assert any("3 of the 7 suggested actions" in c for c in cells)


def test_a_consistent_return_is_not_flagged(framework: Framework, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    _return(framework, tmp_path / "in" / "north.xlsx", ticked=4)  # 4 of 7: over half
    assert _flags(_import(framework, tmp_path)) == []


def test_the_lowest_stage_claims_nothing_and_is_never_flagged(
    framework: Framework, tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    _return(framework, tmp_path / "in" / "north.xlsx", ticked=0, stage="Not well-developed")
    assert _flags(_import(framework, tmp_path)) == []


def test_the_threshold_is_the_callers(framework: Framework, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    _return(framework, tmp_path / "in" / "north.xlsx", ticked=4)
    assert len(_flags(_import(framework, tmp_path, ConsistencyRule(threshold=0.6)))) == 1
    assert _flags(_import(framework, tmp_path, ConsistencyRule(threshold=0))) == []


def test_cli_threshold_option(framework: Framework, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    _return(framework, tmp_path / "in" / "north.xlsx", ticked=3)
    runner = CliRunner()
    base = ["import", str(tmp_path / "in"), "--out", str(tmp_path / "s.xlsx"), "--strict"]
    flagged = runner.invoke(cli, base)
    assert flagged.exit_code == 1  # --strict: the flag is a warning
    assert "the stage 'Well-developed' is claimed" in flagged.output
    off = runner.invoke(cli, [*base, "--consistency-threshold", "0"])
    assert off.exit_code == 0, off.output
    bad = runner.invoke(cli, [*base, "--consistency-threshold", "half"])
    assert bad.exit_code == 2 and "a share of the actions from 0 to 1" in bad.output


# the rule itself ----------------------------------------------------------------------


def _answers(framework: Framework, stage_index: int, ticked: int) -> tuple[dict, dict]:  # type: ignore[type-arg]
    stage = framework.stages[stage_index - 1].id
    actions = framework.criterion(CRITERION).actions
    upto = [a for a in actions if framework.stage(a.stage_id).index <= stage_index]
    done = {a.id: i < ticked for i, a in enumerate(upto)}
    return {CRITERION: stage}, done


@given(
    actions=st.integers(min_value=DEFAULT_MIN_ACTIONS, max_value=7),
    threshold=st.sampled_from([0.25, 1 / 3, 0.5, 0.6, 2 / 3, 0.75, 1.0]),
)
def test_exactly_at_the_threshold_is_not_flagged_one_below_is(
    framework: Framework, actions: int, threshold: float
) -> None:
    """Edges: done/actions equal to the threshold passes; one tick fewer is flagged."""
    rule = ConsistencyRule(threshold=threshold)
    stage_index = 3 if actions == 7 else 2  # 7 at or below Well-developed, 4 below Some work
    stages, done = _answers(framework, stage_index, 0)
    total = len(done)
    needed = rule.needed(total)
    assert needed / total >= threshold - 1e-9 and (needed - 1) / total < threshold
    for ticked, flagged in ((needed, False), (needed - 1, True)):
        stages, done = _answers(framework, stage_index, ticked)
        assert bool(flags(framework, stages, done, rule)) is flagged


@given(
    stage_index=st.integers(min_value=1, max_value=3),
    ticked=st.integers(min_value=0, max_value=7),
    threshold=st.floats(min_value=0, max_value=1),
    min_actions=st.integers(min_value=1, max_value=9),
)
def test_more_ticks_never_add_a_flag_and_a_higher_threshold_never_removes_one(
    framework: Framework, stage_index: int, ticked: int, threshold: float, min_actions: int
) -> None:
    stages, done = _answers(framework, stage_index, ticked)
    rule = ConsistencyRule(threshold=threshold, min_actions=min_actions)
    now = bool(flags(framework, stages, done, rule))
    more = bool(flags(framework, *_answers(framework, stage_index, ticked + 1), rule))
    stricter = ConsistencyRule(threshold=min(1.0, threshold + 0.2), min_actions=min_actions)
    assert more <= now
    assert bool(flags(framework, stages, done, stricter)) >= now
    if stage_index == 1 or threshold == 0 or len(done) < min_actions:
        assert not now


def test_unreadable_ticks_count_as_not_done(framework: Framework) -> None:
    stages, done = _answers(framework, 3, 4)
    unreadable = {k: (None if v else v) for k, v in done.items()}
    assert flags(framework, stages, done, ConsistencyRule()) == []
    [flag] = flags(framework, stages, unreadable, ConsistencyRule())
    assert (flag.done, flag.actions, flag.needed) == (0, 7, 4)


@pytest.mark.parametrize(
    ("text", "share"),
    [("0.5", 0.5), (".5", 0.5), ("1", 1.0), ("0", 0.0), ("50%", 0.5), ("12.5 %", 0.125)],
)
def test_shares_as_written(text: str, share: float) -> None:
    assert parse_share(text) == share


@pytest.mark.parametrize("text", ["half", "1.5", "-0.1", "150%", "0,5", "", "5e-1"])
def test_not_shares(text: str) -> None:
    assert parse_share(text) is None


# campaign settings ----------------------------------------------------------------------


def test_settings_set_the_rule_and_default_to_it() -> None:
    result = parse_settings("consistency:\n  threshold: 75%\n  min_actions: 2\n")
    assert result.settings is not None
    assert result.settings.consistency == ConsistencyRule(threshold=0.75, min_actions=2)
    default = parse_settings("title: x\n").settings
    assert default is not None
    assert default.consistency == ConsistencyRule(
        threshold=DEFAULT_THRESHOLD, min_actions=DEFAULT_MIN_ACTIONS
    )


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("consistency:\n  threshold: lots\n", 2, "threshold 'lots' must be a share"),
        ("consistency:\n  threshold: 2\n", 2, "from 0 to 1"),
        ("title: x\nconsistency:\n  min_actions: 0\n", 3, "min_actions '0' must be a whole"),
        ("consistency:\n  treshold: 0.5\n", 2, "did you mean 'threshold'?"),
    ],
)
def test_bad_consistency_settings_name_their_line(text: str, line: int, says: str) -> None:
    result = parse_settings(text, file="xlsxkit.yaml")
    assert result.settings is None
    [problem] = result.report.errors
    assert problem.location.line == line and says in problem.message


def test_the_seeded_demo_flags_its_messy_return_and_only_where_the_ticks_fall_short(
    framework: Framework, tmp_path: Path
) -> None:
    """The demo (seed 2026): Southbank claims 'Well-developed' for staff engagement with 3
    of the 7 actions at or below it ticked; every flag agrees with the rule on the CSVs."""
    from xlsxkit.app.demo import run_demo
    from xlsxkit.workbook.instructions import load_template

    demo = run_demo(tmp_path / "demo", framework, load_template(), jobs=1)
    found = [
        (r.org_id, p)
        for r, p in demo.outcome.summary.problems
        if p.code is Code.STAGE_NOT_SUPPORTED
    ]
    sheet, row, col = plan_workbook(framework).cell(CRITERION, L.FIELD[F.STAGE])
    [seeded] = [
        p
        for org, p in found
        if org == "southbank-community-health" and p.location.cell == L.cell_ref(row, col)
    ]
    assert seeded.location.sheet == sheet and "3 of the 7 suggested actions" in seeded.message
    rule = ConsistencyRule()
    for org in demo.outcome.summary.orgs:
        expected = {f.criterion_id for f in flags(framework, org.stages, org.done, rule)}
        got = [p for o, p in found if o == org.org_id]
        assert len(got) == len(expected), org.org_id
