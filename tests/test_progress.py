"""Progress between rounds, tested on the pure function with generated rounds."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlsxkit.campaign.progress import OrgRounds, RoundStages, change, compare, round_stages
from xlsxkit.campaign.store import AcceptedReturn, AnswerRecord, ItemKind, RoundRecord
from xlsxkit.results.history import Change, Movement

LADDER = ("foundation", "developing", "established")


def _stages(
    round_: str, stages: dict[str, str | None], ladder: tuple[str, ...] = LADDER
) -> RoundStages:
    return RoundStages(round=round_, ladder=ladder, stages=stages)


def test_a_worked_example() -> None:
    rows = compare(
        [
            OrgRounds(
                org_id="north",
                org_name="North",
                current=_stages(
                    "2027 spring",
                    {
                        "c1": "established",
                        "c2": "foundation",
                        "c3": "developing",
                        "c4": None,
                        "c5": "developing",
                    },
                ),
                previous=_stages(
                    "2026 autumn",
                    {
                        "c1": "developing",
                        "c2": "developing",
                        "c3": "developing",
                        "c4": "foundation",
                        "c6": "established",
                    },
                ),
            ),
            OrgRounds(
                org_id="late",
                org_name="Late",
                current=_stages("2027 spring", {"c1": "foundation", "c2": None}),
                previous=None,
            ),
        ]
    )
    assert [
        (r.org_id, r.criterion_id, r.previous_round, r.previous_stage_id, r.stage_id, r.change)
        for r in rows
    ] == [
        ("north", "c1", "2026 autumn", "developing", "established", Change.UP),
        ("north", "c2", "2026 autumn", "developing", "foundation", Change.DOWN),
        ("north", "c3", "2026 autumn", "developing", "developing", Change.SAME),
        ("north", "c4", "2026 autumn", "foundation", "", Change.DROPPED),
        ("north", "c5", "2026 autumn", "", "developing", Change.NEW),
        ("north", "c6", "2026 autumn", "established", "", Change.DROPPED),
        ("late", "c1", "", "", "foundation", Change.NEW),
        ("late", "c2", "", "", "", Change.SAME),
    ]
    assert all(isinstance(r, Movement) and r.org_name in ("North", "Late") for r in rows)


def test_a_revised_ladder_places_old_stages_on_their_own_ladder() -> None:
    old = ("basic", "developing", "advanced")
    new = ("starting", "basic", "developing", "advanced", "leading")
    # "basic" is still on the new ladder: placed by it (rung 1), below "developing".
    assert change("basic", "developing", ladder=new, previous_ladder=old) is Change.UP
    retired = ("level-1", "level-2", "level-3")
    # "level-2" is gone: placed by its own ladder (rung 1).
    assert change("level-2", "basic", ladder=new, previous_ladder=retired) is Change.SAME
    assert change("level-2", "developing", ladder=new, previous_ladder=retired) is Change.UP
    assert change("level-3", "basic", ladder=new, previous_ladder=retired) is Change.DOWN


def test_a_stage_on_no_ladder_is_a_bug_not_a_guess() -> None:
    with pytest.raises(ValueError, match="'mystery'"):
        change("mystery", "foundation", ladder=LADDER)


def test_round_stages_takes_the_criteria_of_an_accepted_return() -> None:
    round_ = RoundRecord(
        slug="r1",
        name="Round 1",
        position=1,
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        framework_id="ip",
        framework_version="1",
        framework_hash="h",
        stage_ids=LADDER,
    )
    accepted = AcceptedReturn(
        round_slug="r1",
        org_id="north",
        file_id=None,
        accepted_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
        answers=(
            AnswerRecord(item_id="c1", kind=ItemKind.CRITERION, stage_id="developing"),
            AnswerRecord(item_id="a1", kind=ItemKind.ACTION, done=True),
            AnswerRecord(item_id="c2", kind=ItemKind.CRITERION),
        ),
    )
    assert round_stages(round_, accepted) == RoundStages(
        round="Round 1", ladder=LADDER, stages={"c1": "developing", "c2": None}
    )
    assert round_stages(round_, None).stages == {}


# --------------------------------------------------------------------------------------
# properties over generated rounds

ladders = st.lists(st.text("abcdefgh", min_size=1, max_size=3), min_size=1, max_size=6, unique=True)


@st.composite
def org_rounds(draw: st.DrawFn) -> tuple[OrgRounds, tuple[str, ...]]:
    ladder = tuple(draw(ladders))
    stage = st.none() | st.sampled_from(ladder)
    criteria = st.lists(st.text("xyz0123", min_size=1, max_size=3), unique=True, max_size=8)
    current = {c: draw(stage) for c in draw(criteria)}
    previous = None
    if draw(st.booleans()):
        previous = _stages("before", {c: draw(stage) for c in draw(criteria)}, ladder)
    org = OrgRounds(
        org_id="o", org_name="O", current=_stages("now", current, ladder), previous=previous
    )
    return org, ladder


@settings(deadline=None)  # the machine may be busy: no timing here
@given(org_rounds())
def test_every_criterion_of_either_round_appears_once(
    case: tuple[OrgRounds, tuple[str, ...]],
) -> None:
    org, _ = case
    rows = compare([org])
    ids = [r.criterion_id for r in rows]
    before = set(org.previous.stages) if org.previous else set()
    assert len(ids) == len(set(ids))
    assert set(ids) == set(org.current.stages) | before


@settings(deadline=None)  # the machine may be busy: no timing here
@given(org_rounds())
def test_change_agrees_with_the_stages_and_their_order(
    case: tuple[OrgRounds, tuple[str, ...]],
) -> None:
    org, ladder = case
    for row in compare([org]):
        was, now = row.previous_stage_id, row.stage_id
        assert (row.change is Change.SAME) == (was == now)
        assert (row.change is Change.NEW) == (not was and bool(now))
        assert (row.change is Change.DROPPED) == (bool(was) and not now)
        if row.change is Change.UP:
            assert ladder.index(now) > ladder.index(was)
        if row.change is Change.DOWN:
            assert ladder.index(now) < ladder.index(was)
        if was and now and was != now:
            assert row.change in (Change.UP, Change.DOWN)
        assert row.previous_round == ("before" if org.previous else "")


@settings(deadline=None)  # the machine may be busy: no timing here
@given(org_rounds())
def test_comparing_back_reverses_every_change(case: tuple[OrgRounds, tuple[str, ...]]) -> None:
    org, _ = case
    if org.previous is None:
        return
    back = OrgRounds(org_id="o", org_name="O", current=org.previous, previous=org.current)
    opposite = {Change.UP: Change.DOWN, Change.DOWN: Change.UP, Change.NEW: Change.DROPPED,
                Change.DROPPED: Change.NEW, Change.SAME: Change.SAME}  # fmt: skip
    there = {r.criterion_id: r.change for r in compare([org])}
    again = {r.criterion_id: r.change for r in compare([back])}
    assert again == {c: opposite[ch] for c, ch in there.items()}
