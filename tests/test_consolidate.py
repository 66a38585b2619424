"""consolidate(), the pure summary model, from constructed returns: no workbook is written or
read, so each figure is checked against arithmetic done by hand."""

from __future__ import annotations

import dataclasses

import pytest

from xlsxkit.codes import Code
from xlsxkit.framework.model import (
    Action,
    Answer,
    Criterion,
    Dimension,
    Framework,
    Return,
    ReturnStatus,
    Stage,
)
from xlsxkit.inbound.resolve import ImportResult
from xlsxkit.problems import error, info, warning
from xlsxkit.results.consolidate import NOT_ASSESSED, Summary, consolidate
from xlsxkit.workbook.manifest import ManifestRow


def tiny_framework() -> Framework:
    """Stages low < mid < top; D1 has c1 (actions at low, mid, top) and c2 (one at low);
    D2 has c3 (one at mid)."""

    def action(aid: str, stage: str, crit: str, dim: str) -> Action:
        return Action(id=aid, text=f"Do {aid}", stage_id=stage, criterion_id=crit, dimension_id=dim)

    c1 = Criterion(
        id="c1",
        text="First criterion",
        dimension_id="d1",
        actions=(
            action("a1", "low", "c1", "d1"),
            action("a2", "mid", "c1", "d1"),
            action("a3", "top", "c1", "d1"),
        ),
    )
    c2 = Criterion(
        id="c2", text="Second", dimension_id="d1", actions=(action("b1", "low", "c2", "d1"),)
    )
    c3 = Criterion(
        id="c3", text="Third", dimension_id="d2", actions=(action("x1", "mid", "c3", "d2"),)
    )
    return Framework(
        id="tiny",
        title="Tiny",
        version="1",
        stages=(
            Stage(id="low", label="Low", index=1),
            Stage(id="mid", label="Mid", index=2),
            Stage(id="top", label="Top", index=3),
        ),
        dimensions=(
            Dimension(id="d1", name="One", criteria=(c1, c2)),
            Dimension(id="d2", name="Two", criteria=(c3,)),
        ),
        content_hash="sha256:tiny",
    )


def stage(item: str, stage_id: str | None, comment: str = "") -> Answer:
    return Answer(item_id=item, sheet="S", row=5, stage_id=stage_id, comment=comment)


def tick(item: str, done: bool | None, **text: str) -> Answer:
    return Answer(item_id=item, sheet="S", row=6, done=done, **text)


def accepted(org_id: str, name: str, *answers: Answer, source: str = "") -> Return:
    return Return(
        source=source or f"in/{org_id}.xlsx",
        sha256=f"hash-{org_id}",
        status=ReturnStatus.ACCEPTED,
        org_id=org_id,
        org_name=name,
        answers=answers,
    )


def manifest_row(org_id: str, name: str) -> ManifestRow:
    return ManifestRow(
        org_id=org_id,
        org_name=name,
        contact=f"{name} contact",
        email=f"{org_id}@example.org",
        file=f"{org_id}.xlsx",
        token=f"t-{org_id}",
        sha256="",
    )


@pytest.fixture()
def fw() -> Framework:
    return tiny_framework()


@pytest.fixture()
def summary(fw: Framework) -> Summary:
    # North: c1 at mid with a1 done, a2 not, a3 done; c2 at low, b1 unreadable; c3 unanswered.
    north = accepted(
        "north",
        "North",
        stage("c1", "mid", "evidence n"),
        tick("a1", True),
        tick("a2", False, notes="half way", lead="Ann", target_date="2027-03-31"),
        tick("a3", True),
        stage("c2", "low"),
        tick("b1", None),
    )
    # south (sorted after North by name, though its id sorts first): c1 top, everything done.
    south = accepted(
        "a-south",
        "south",
        stage("c1", "top"),
        tick("a1", True),
        tick("a2", True),
        tick("a3", True),
        stage("c2", "top"),
        tick("b1", True),
        stage("c3", "mid"),
        tick("x1", True),
    )
    rejected = Return(
        source="in/scan.pdf",
        status=ReturnStatus.REJECTED,
        verdict=error(Code.NOT_A_WORKBOOK, "a PDF", file="in/scan.pdf"),
    )
    superseded = Return(
        source="in/old.xlsx",
        status=ReturnStatus.SUPERSEDED,
        org_id="north",
        verdict=info(Code.SUPERSEDED, "superseded by in/north.xlsx", file="in/old.xlsx"),
    )
    return consolidate(
        fw,
        ImportResult(
            returns=(north, south, rejected, superseded),
            missing=(manifest_row("east", "East"),),
            expected=3,
        ),
    )


def test_accepted_organisations_are_ordered_by_name_ignoring_case(summary: Summary) -> None:
    assert [o.org_name for o in summary.orgs] == ["North", "south"]


def test_stage_counts_per_criterion_and_dimension(summary: Summary) -> None:
    assert summary.criterion_stages["c1"] == {"low": 0, "mid": 1, "top": 1, NOT_ASSESSED: 0}
    assert summary.criterion_stages["c2"] == {"low": 1, "mid": 0, "top": 1, NOT_ASSESSED: 0}
    assert summary.criterion_stages["c3"] == {"low": 0, "mid": 1, "top": 0, NOT_ASSESSED: 1}
    # A dimension adds up its criteria: d1 = c1 + c2.
    assert summary.dimension_stages["d1"] == {"low": 1, "mid": 1, "top": 2, NOT_ASSESSED: 0}
    assert summary.dimension_stages["d2"] == {"low": 0, "mid": 1, "top": 0, NOT_ASSESSED: 1}


def test_action_rates_count_only_real_ticks(summary: Summary) -> None:
    rates = {a: (r.done, r.organisations) for a, r in summary.action_rates.items()}
    # b1 is unreadable for North: not done, and still counted among the organisations.
    assert rates == {"a1": (2, 2), "a2": (1, 2), "a3": (2, 2), "b1": (1, 2), "x1": (1, 2)}
    assert summary.action_rates["a2"].rate == 0.5
    assert summary.actions_done == 7 and summary.actions_possible == 10
    assert summary.org_dimension_done[("north", "d1")] == 2 / 4
    assert summary.org_dimension_done[("north", "d2")] == 0.0
    assert summary.org_dimension_done[("a-south", "d2")] == 1.0


def test_next_steps_are_undone_actions_at_or_below_the_stage(summary: Summary) -> None:
    steps = [(n.org_id, n.criterion_id, n.action_id) for n in summary.next_steps()]
    # North at mid on c1: a2 (mid, not done); a3 is above mid. At low on c2: b1 (unreadable,
    # so not done). c3 unassessed: listed once, to assess first. South has done everything.
    assert steps == [("north", "c1", "a2"), ("north", "c2", "b1"), ("north", "c3", "")]
    a2 = next(n for n in summary.next_steps() if n.action_id == "a2")
    assert (a2.current_stage_id, a2.action_stage_id) == ("mid", "mid")
    assert (a2.notes, a2.lead, a2.target_date) == ("half way", "Ann", "2027-03-31")


def test_missing_and_counts(summary: Summary) -> None:
    assert [m.org_id for m in summary.missing] == ["east"]
    assert summary.expected == 3
    assert summary.counts[ReturnStatus.ACCEPTED] == 2
    assert summary.counts[ReturnStatus.REJECTED] == 1
    assert summary.counts[ReturnStatus.SUPERSEDED] == 1
    assert summary.counts[ReturnStatus.MISSING] == 1
    assert summary.counts[ReturnStatus.BLANK] == 0


def test_rows_cover_every_organisation_and_item(summary: Summary) -> None:
    stages = list(summary.stage_rows())
    assert len(stages) == summary.n_stage_rows == 2 * 3
    c3 = next(r for r in stages if r.org_id == "north" and r.criterion_id == "c3")
    assert (c3.stage_id, c3.stage_label, c3.stage_index) == ("", "", None)
    actions = list(summary.action_rows())
    assert len(actions) == summary.n_action_rows == 2 * 5
    b1 = next(r for r in actions if r.org_id == "north" and r.action_id == "b1")
    assert b1.done is False
    kinds = {(c.org_id, c.item_id, c.kind) for c in summary.comments()}
    assert kinds == {
        ("north", "c1", "evidence"),
        ("north", "a2", "notes"),
        ("north", "a2", "lead"),
        ("north", "a2", "target date"),
    }


def test_problems_list_accepted_warnings_and_rejections_only(fw: Framework) -> None:
    warned = dataclasses.replace(
        accepted("north", "North", stage("c1", "low")),
        problems=(warning(Code.UNREADABLE_TICK, "x is not a tick", sheet="S", cell="E6"),),
    )
    superseded = Return(
        source="in/old.xlsx",
        status=ReturnStatus.SUPERSEDED,
        problems=(warning(Code.UNREADABLE_TICK, "hidden", sheet="S", cell="E6"),),
    )
    rejected = Return(
        source="in/x.pdf",
        status=ReturnStatus.REJECTED,
        verdict=error(Code.NOT_A_WORKBOOK, "PDF", file="in/x.pdf"),
    )
    s = consolidate(
        fw, ImportResult(returns=(warned, superseded, rejected), missing=(), expected=None)
    )
    assert [(r.source, p.code, p.location.sheet, p.location.cell) for r, p in s.problems] == [
        ("in/north.xlsx", "unreadable-tick", "S", "E6"),
        ("in/x.pdf", "not-a-workbook", None, None),
    ]
    assert s.counts[ReturnStatus.MISSING] == 0 and s.expected is None


def test_a_text_too_long_for_a_cell_is_listed_where_it_is(fw: Framework) -> None:
    long = "🙂" * 20_000  # 20,000 characters, 40,000 UTF-16 units: over Excel's 32,767
    r = accepted("north", "North", stage("c1", "low", comment=long), tick("a1", True, notes="ok"))
    s = consolidate(fw, ImportResult(returns=(r,), missing=(), expected=None))
    [(r_, p)] = s.problems
    assert r_ is r
    assert (p.code, p.severity, p.location.sheet, p.location.cell) == (
        "summary-text-cut",
        "warning",
        "S",
        "F5",
    )
    assert "40,000 characters" in p.message and "32,767" in p.message
    assert s.cut_where("north", "c1", "comment") == "in/north.xlsx, sheet 'S' cell F5"
    # Exactly at the limit, counted in UTF-16 units, is not cut.
    edge = accepted("north", "North", stage("c1", "low", comment="🙂" * 16_383 + "x"))
    assert consolidate(fw, ImportResult(returns=(edge,), missing=(), expected=None)).problems == ()
