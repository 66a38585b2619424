"""The renderer-neutral views of the summary, and the XlsxWriter internals the xlsx renderer
relies on."""

from __future__ import annotations

import dataclasses
import inspect
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st
from xlsxwriter.worksheet import Worksheet

from tests.test_consolidate import accepted, manifest_row, stage, tick, tiny_framework
from xlsxkit.framework.model import Dimension, Framework, Return, ReturnStatus
from xlsxkit.inbound.resolve import ImportResult
from xlsxkit.render.xlsx.streaming import PRIVATE_ATTRIBUTES, StreamingWorksheet
from xlsxkit.results import dashboard, views
from xlsxkit.results.consolidate import Summary, consolidate
from xlsxkit.results.history import Change, EarlierRound, History, Movement


@pytest.fixture()
def fw() -> Framework:
    return tiny_framework()


def make(
    fw: Framework, *returns: Return, missing: tuple[str, ...] = (), expected: int | None = None
) -> Summary:
    rows = tuple(manifest_row(m, m.title()) for m in missing)
    return consolidate(fw, ImportResult(returns=returns, missing=rows, expected=expected))


def two_orgs(fw: Framework) -> Summary:
    north = accepted(
        "north",
        "North",
        stage("c1", "mid", "we meet monthly"),
        tick("a1", True),
        tick("a2", False, notes="next quarter"),
        stage("c2", "low"),
    )
    south = accepted("south", "South", stage("c1", "top"), tick("a1", True), tick("a3", True))
    blank = Return(source="in/east.xlsx", status=ReturnStatus.BLANK, org_id="east", org_name="East")
    return make(fw, north, south, blank, missing=("east", "west"), expected=4)


def test_overview_tiles_and_distributions(fw: Framework) -> None:
    o = views.overview(two_orgs(fw))
    tiles = {t.label: (t.value, t.share) for t in o.tiles}
    assert tiles["Expected"] == (4, False)
    assert tiles["Received"] == (2, False)
    assert tiles["Missing"] == (2, False)  # East sent it back blank; West sent nothing
    assert tiles["Actions done"] == (3 / 10, True)
    assert (o.received, o.expected, o.blank) == (2, 4, 1)
    [one, two] = o.areas
    assert (one.label, one.counts, one.not_assessed, one.answers) == ("One", (1, 1, 1), 1, 4)
    assert (two.label, two.counts, two.not_assessed) == ("Two", (0, 0, 0), 2)
    assert [(a.label, a.done, a.possible) for a in o.actions_done] == [
        ("One", 3, 8),
        ("Two", 0, 2),
    ]
    assert (o.all_actions.done, o.all_actions.possible, o.all_actions.rate) == (3, 10, 0.3)


def test_overview_without_a_manifest_does_not_know_who_is_missing(fw: Framework) -> None:
    o = views.overview(make(fw, accepted("north", "North", stage("c1", "low"))))
    tiles = {t.label: t.value for t in o.tiles}
    assert tiles["Expected"] is None and tiles["Missing"] is None
    empty = views.overview(make(fw))
    assert {t.label: t.value for t in empty.tiles}["Actions done"] is None


def test_heatmap_rows_follow_the_organisations_and_criteria(fw: Framework) -> None:
    h = views.heatmap(two_orgs(fw))
    assert [(c.criterion_id, c.label) for c in h.columns] == [
        ("c1", "One 1"),
        ("c2", "One 2"),
        ("c3", "Two 1"),
    ]
    assert h.areas == ("One", "Two")
    assert [(r.org_name, r.stages) for r in h.rows] == [
        ("North", ("mid", "low", None)),
        ("South", ("top", None, None)),
    ]
    assert h.rows[0].actions_done == (1 / 4, 0.0)


def test_least_done_actions_come_first_then_lower_stages(fw: Framework) -> None:
    d = views.dimension(two_orgs(fw), "d1")
    # a1: 2/2; a2 (mid): 0/2; a3 (top): 1/2; b1 (low): 0/2. Ties go to the lower stage.
    assert [(a.action_id, a.done, a.organisations) for a in d.least_done] == [
        ("b1", 0, 2),
        ("a2", 0, 2),
        ("a3", 1, 2),
        ("a1", 2, 2),
    ]
    assert [a.criterion_number for a in d.least_done] == [2, 1, 1, 1]
    assert [(c.label, c.text, c.counts) for c in d.criteria] == [
        ("Criterion 1", "First criterion", (0, 1, 1)),
        ("Criterion 2", "Second", (1, 0, 0)),
    ]
    assert d.organisations == 2


def test_next_steps_view_names_everything(fw: Framework) -> None:
    steps = list(views.next_steps(two_orgs(fw)))
    north = [s for s in steps if s.org_id == "north"]
    assert [(s.criterion, s.action, s.current_stage_id, s.action_stage_id) for s in north] == [
        ("First criterion", "Do a2", "mid", "mid"),
        ("Second", "Do b1", "low", "low"),
        ("Third", views.ASSESS_FIRST, None, None),
    ]
    assert north[0].notes == "next quarter" and north[0].area == "One"


def test_comments_view_names_the_item_and_its_field(fw: Framework) -> None:
    got = [(c.item, c.kind, c.field, c.text) for c in views.comments(two_orgs(fw))]
    assert got == [
        ("First criterion", "evidence", "comment", "we meet monthly"),
        ("Do a2", "notes", "notes", "next quarter"),
    ]


def test_chase_list_says_who_returned_blank(fw: Framework) -> None:
    chase = views.chase_list(two_orgs(fw))
    assert chase is not None
    east, west = chase
    assert east.blank_files == ("in/east.xlsx",)
    assert east.reason.startswith("returned blank (in/east.xlsx): nothing was filled in; chase")
    assert west.reason == "sent a workbook but none came back; chase West contact, west@example.org"
    assert views.chase_list(make(fw)) is None  # no manifest: not known


def test_problem_view_names_the_organisation(fw: Framework) -> None:
    from xlsxkit.codes import Code
    from xlsxkit.problems import error, warning

    r = dataclasses.replace(
        accepted("north", "North", stage("c1", "low")),
        problems=(warning(Code.UNREADABLE_TICK, "x", sheet="S", cell="E6"),),
    )
    rejected = Return(
        source="in/x.pdf", org_id="", verdict=error(Code.NOT_A_WORKBOOK, "PDF", file="in/x.pdf")
    )
    got = [(p.organisation, p.code) for p in views.problems(make(fw, r, rejected))]
    assert got == [("North", "unreadable-tick"), ("", "not-a-workbook")]


def test_views_are_frozen() -> None:
    for cls in (views.Tile, views.Overview, views.HeatmapRow, views.ChaseRow, views.NextStepView):
        assert dataclasses.is_dataclass(cls)
        assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


# the streaming add_table workaround -----------------------------------------------------


def test_xlsxwriter_still_has_the_internals_the_streaming_table_relies_on(
    tmp_path: Path,
) -> None:
    """If this fails, XlsxWriter changed: review render/xlsx/streaming.py before upgrading."""
    major = int(xlsxwriter.__version__.split(".")[0])
    assert major == 3, f"XlsxWriter {xlsxwriter.__version__}: the workaround was made for 3.x"
    wb = xlsxwriter.Workbook(str(tmp_path / "probe.xlsx"), {"constant_memory": True})
    plain = wb.add_worksheet("plain")
    for name in PRIVATE_ATTRIBUTES:
        assert hasattr(plain, name), f"Worksheet.{name} is gone in {xlsxwriter.__version__}"
    assert plain.constant_memory  # the flag add_table checks is the one the option sets
    # Stock add_table still refuses constant-memory mode (else the workaround can go) ...
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert plain.add_table(0, 0, 2, 1) == -3
    assert any("constant_memory" in str(w.message) for w in caught)
    # ... fills the table cell index the workaround replaces, and writes the header cells
    # with the method the workaround stands in for.
    source = inspect.getsource(Worksheet.add_table)
    assert "table_cells" in source and "self._write_string(" in source
    wb.close()


def test_a_streaming_worksheet_holds_a_table_with_every_cell(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("data", worksheet_class=StreamingWorksheet)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "isn't supported" warning
        assert (
            ws.add_table(0, 0, 3, 1, {"name": "T", "columns": [{"header": "a"}, {"header": "b"}]})
            == 0
        )
    assert ws.constant_memory  # back on: the rest of the sheet streams
    for col, text in enumerate(("a", "b")):
        ws.write_string(0, col, text)
    for row in range(1, 4):
        ws.write_number(row, 0, row)
        ws.write_string(row, 1, f"r{row}")
    wb.close()
    with zipfile.ZipFile(path) as z:  # every text inline: no shared string left unused
        assert "xl/sharedStrings.xml" not in z.namelist()
    sheet = openpyxl.load_workbook(path)["data"]
    assert sheet.tables["T"].ref == "A1:B4"
    assert [[c.value for c in r] for r in sheet.iter_rows()] == [
        ["a", "b"],
        [1, "r1"],
        [2, "r2"],
        [3, "r3"],
    ]


# --------------------------------------------------------------------------------------
# short labels, the dashboard and the progress views

SHARED_NAME = "Ünïcödé Ωmega: people & partnerships / leadership across the region "


@given(
    names=st.lists(
        st.tuples(st.sampled_from(["", SHARED_NAME]), st.text(min_size=1, max_size=30))
        .map("".join)
        .filter(lambda n: n.strip()),  # the schema refuses a blank name
        min_size=1,
        max_size=8,
        unique_by=lambda n: " ".join(n.split()),
    )
)
def test_dimension_labels_are_distinct_however_alike_the_names(names: list[str]) -> None:
    dims = [Dimension(id=f"d{i}", name=n, criteria=()) for i, n in enumerate(names)]
    labels = views.dimension_labels(dims)
    assert len(set(labels.values())) == len(dims)
    # a name the same in its first characters as another is cut no shorter than needed
    assert all(label for label in labels.values())


def with_history(s: Summary, moves: list[tuple[str, str, str, str, str]]) -> Summary:
    """S with an earlier round "R1" (ladder old < low < mid < top: "old" was dropped since)
    and the movements (org, criterion, was, now, change)."""
    names = {o.org_id: o.org_name for o in s.orgs}
    stages_then: dict[str, dict[str, str | None]] = {}
    for org, crit, was, _, _ in moves:
        stages_then.setdefault(org, {})[crit] = was or None
    return dataclasses.replace(
        s,
        history=History(
            rounds=(
                EarlierRound(name="R1", ladder=("old", "low", "mid", "top"), stages=stages_then),
            ),
            movements=tuple(
                Movement(
                    org_id=org,
                    org_name=names[org],
                    criterion_id=crit,
                    previous_round="R1",
                    previous_stage_id=was,
                    stage_id=now,
                    change=Change(change),
                )
                for org, crit, was, now, change in moves
            ),
        ),
    )


def test_dashboard_ranks_movers_and_regressions_from_the_progress_rows(fw: Framework) -> None:
    s = with_history(
        two_orgs(fw),
        [
            ("north", "c1", "low", "mid", "up"),
            ("north", "c2", "mid", "low", "down"),
            ("north", "c3", "", "", "same"),
            ("south", "c1", "low", "top", "up"),
            ("south", "c2", "top", "", "dropped"),
            ("south", "c3", "mid", "", "dropped"),
        ],
    )
    d = dashboard.dashboard(s)
    assert [(m.key, m.up, m.down) for m in d.improved_criteria] == [("c1", 2, 0)]
    assert [(m.label, m.up, m.down) for m in d.improved_orgs] == [("South", 1, 0)]  # North: 1-1
    assert [(r.org_name, r.label, r.previous_stage_id, r.stage_id) for r in d.regressions] == [
        ("North", "One 2", "mid", "low")
    ]
    assert d.regressions_total == 1 and d.moved[Change.DROPPED] == 2
    assert d.response_rate == 2 / 4 and d.round_name == ""
    # then and now, as shares of each dimension's answers
    assert d.then is not None and [x.round for x in d.then] == ["R1", "R1"]
    one_then = d.then[0]  # D1: north c1 low, c2 mid; south c1 low, c2 top
    assert (one_then.counts, one_then.not_assessed) == ((2, 1, 1), 0)
    # furthest behind: the lowest average stage first (not assessed counts 0)
    assert [c.criterion_id for c in d.behind] == ["c3", "c2", "c1"]


def test_a_stage_of_an_earlier_ladder_counts_at_its_own_rung(fw: Framework) -> None:
    s = with_history(two_orgs(fw), [("north", "c3", "old", "", "dropped")])
    then = dashboard.dashboard(s).then
    assert then is not None and then[1].counts == (1, 0, 0)  # "old" was the lowest rung


def test_progress_view_lists_every_movement_with_its_symbol_and_word(fw: Framework) -> None:
    s = with_history(
        two_orgs(fw), [("north", "c1", "low", "mid", "up"), ("south", "gone", "low", "", "dropped")]
    )
    p = dashboard.progress(s)
    assert p is not None and p.rounds == ("R1", "")
    assert [(x.label, x.text, dashboard.CHANGE_TEXT[x.change]) for x in p.lines] == [
        ("One 1", "First criterion", "▲ up"),
        ("", "gone", "dropped"),  # a criterion no longer in the framework: named by its id
    ]
    assert dashboard.progress(two_orgs(fw)) is None  # no earlier round
