"""progress.csv from what a real store holds: each organisation accepted in a round against
its previous accepted return, however many rounds back, in the summary's order."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from xlsxkit.app.campaign_import import progress_rows, progress_writer
from xlsxkit.campaign.store import (
    AcceptedReturn,
    AnswerRecord,
    ItemKind,
    OrgRecord,
    RoundRecord,
    Store,
)
from xlsxkit.render.csv import PROGRESS_COLUMNS

T0 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
LADDER = ("low", "mid", "high")


def add_round(store: Store, name: str) -> RoundRecord:
    return store.add_round(
        slug=name.replace(" ", "-"),
        name=name,
        created_at=T0,
        framework_id="fw",
        framework_version="1",
        framework_hash="h",
        stage_ids=LADDER,
    )


def accept(store: Store, rnd: RoundRecord, org_id: str, **stages: str | None) -> None:
    store.set_accepted(
        AcceptedReturn(
            round_slug=rnd.slug,
            org_id=org_id,
            file_id=None,
            accepted_at=T0,
            answers=(
                *(
                    AnswerRecord(item_id=c, kind=ItemKind.CRITERION, stage_id=s)
                    for c, s in stages.items()
                ),
                AnswerRecord(item_id="an-action", kind=ItemKind.ACTION, done=True),
            ),
        )
    )


def test_each_organisation_is_compared_with_its_latest_earlier_accepted_return(
    tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "xlsxkit.db", create=True) as store:
        for org_id, name in (("zed", "Zed Board"), ("amy", "amy trust"), ("new", "New Org")):
            store.put_organisation(OrgRecord(id=org_id, name=name))
        r1, r2, r3 = (add_round(store, n) for n in ("2026 autumn", "2027 spring", "2027 autumn"))
        accept(store, r1, "zed", c1="low", c2="high", gone="mid")
        accept(store, r1, "amy", c1="mid", c2=None)
        accept(store, r2, "amy", c1="high", c2="low")  # amy skipped no round
        # zed returned nothing in r2: r3 is compared with r1
        accept(store, r3, "zed", c1="mid", c2="high", added="low")
        accept(store, r3, "amy", c1="mid", c2=None)
        accept(store, r3, "new", c1="low")
        rows = progress_rows(store, r3)
    got = [
        (r.org_id, r.criterion_id, r.previous_round, r.previous_stage_id, r.stage_id, r.change)
        for r in rows
    ]
    assert got == [
        # by name, as the summary orders organisations (case ignored)
        ("amy", "c1", "2027 spring", "high", "mid", "down"),
        ("amy", "c2", "2027 spring", "low", "", "dropped"),
        ("new", "c1", "", "", "low", "new"),
        ("zed", "c1", "2026 autumn", "low", "mid", "up"),
        ("zed", "c2", "2026 autumn", "high", "high", "same"),
        ("zed", "added", "2026 autumn", "", "low", "new"),
        ("zed", "gone", "2026 autumn", "mid", "", "dropped"),
    ]


def test_an_organisation_that_did_not_return_this_round_has_no_rows(tmp_path: Path) -> None:
    with Store.open(tmp_path / "xlsxkit.db", create=True) as store:
        store.put_organisation(OrgRecord(id="a", name="A"))
        r1, r2 = add_round(store, "one"), add_round(store, "two")
        accept(store, r1, "a", c1="low")
        assert progress_rows(store, r2) == ()
        assert [r.change for r in progress_rows(store, r1)] == ["new"]


def test_progress_csv_has_the_documented_columns_and_neutralised_names(tmp_path: Path) -> None:
    with Store.open(tmp_path / "xlsxkit.db", create=True) as store:
        store.put_organisation(OrgRecord(id="x", name='=HYPERLINK("http://evil")'))
        r1 = add_round(store, "one")
        accept(store, r1, "x", c1="mid")
        rows = progress_rows(store, r1)
    out = tmp_path / "progress.csv"
    progress_writer(rows)(out)
    text = out.read_text(encoding="utf-8-sig")
    [header, *records] = list(csv.reader(io.StringIO(text)))
    assert tuple(header) == PROGRESS_COLUMNS
    assert records == [["x", '\'=HYPERLINK("http://evil")', "c1", "", "", "mid", "new"]]
