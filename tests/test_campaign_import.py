"""The incremental import of a campaign round, through the CLI, in a real campaign folder
with a real store: round 1 → returns → import → the same import again → round 2 → changed
returns → import → progress.csv → another round's file dropped in → a file removed.

The campaign and its rounds are set up through the library (the store, and the batch
written with the round's name, as ``generate --round`` does), so that the import is tested
on its own; the returns are filled in with openpyxl from the workbooks sent.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.filling import Answers, fill_with_openpyxl
from tests.helpers import generate_batch, orgs
from xlsxkit.campaign.locate import CampaignFolder, round_slug
from xlsxkit.campaign.settings import default_settings_text
from xlsxkit.campaign.store import ItemKind, OrgRecord, Store, WorkbookRecord
from xlsxkit.cli import cli
from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Framework, Organisation
from xlsxkit.workbook.manifest import read_manifest

ROOT = Path(__file__).resolve().parent.parent
AUTUMN, SPRING = "2026 autumn", "2027 spring"
PARTNERS = orgs("North Trust", "South Health", "East Care", "West Board")
CSVS = ("returns.csv", "stages.csv", "actions.csv", "problems.csv", "progress.csv")


def make_campaign(root: Path) -> CampaignFolder:
    root.mkdir()
    (root / "xlsxkit.yaml").write_text(default_settings_text(title="Test"), encoding="utf-8")
    shutil.copy(ROOT / "framework.yaml", root / "framework.yaml")
    Store.open(root / "xlsxkit.db", create=True).close()
    return CampaignFolder(root=root)


def make_round(
    campaign: CampaignFolder, framework: Framework, name: str, partners: list[Organisation]
) -> dict[str, Path]:
    """The round in the store and its workbooks in the outbox: org id -> workbook sent."""
    import datetime as dt

    slug = round_slug(name)
    folder = campaign.round(slug)
    folder.make()
    result = generate_batch(framework, folder.outbox, partners, round=name)
    now = dt.datetime.now(dt.UTC)
    with Store.open(campaign.store) as store, store.transaction():
        store.add_round(
            slug=slug,
            name=name,
            created_at=now,
            framework_id=framework.id,
            framework_version=framework.version,
            framework_hash=framework.content_hash,
            stage_ids=[s.id for s in framework.stages],
        )
        for org, row in zip(partners, result.rows, strict=True):
            store.put_organisation(OrgRecord(id=org.id, name=org.name))
            store.add_workbook(
                WorkbookRecord(
                    token=row.token,
                    round_slug=slug,
                    org_id=org.id,
                    file=(folder.outbox / row.file).relative_to(campaign.root).as_posix(),
                    sha256=row.sha256,
                    generated_at=now,
                )
            )
    return {row.org_id: folder.outbox / row.file for row in result.rows}


def stages(framework: Framework, *indices: int) -> Answers:
    """The criteria answered at these stage indices (1-based; 0 leaves one unanswered)."""
    labels = {s.index: s.label for s in framework.stages}
    answers: Answers = {}
    for criterion, index in zip(framework.criteria, indices, strict=False):
        if index:
            answers[(criterion.id, "stage")] = labels[index]
    return answers


def run(campaign: CampaignFolder, *args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["import", "--campaign", str(campaign.root), *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def csv_bytes(data: Path) -> dict[str, bytes]:
    return {name: (data / name).read_bytes() for name in CSVS}


@pytest.fixture
def campaign(tmp_path: Path) -> CampaignFolder:
    return make_campaign(tmp_path / "campaign")


def test_a_campaign_round_imports_incrementally_and_progress_compares_rounds(
    campaign: CampaignFolder, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    north, south, east, west = (o.id for o in PARTNERS)
    sent = make_round(campaign, framework, AUTUMN, PARTNERS)
    inbox1 = campaign.round("2026-autumn").inbox
    fill_with_openpyxl(sent[north], inbox1 / "north.xlsx", stages(framework, 1, 2, 1, 0))
    fill_with_openpyxl(sent[south], inbox1 / "South Health (final).xlsx", stages(framework, 3))
    shutil.copy(sent[east], inbox1 / "east.xlsx")  # sent back blank

    # 1. the first import of round 1, run from a folder inside the campaign
    monkeypatch.chdir(inbox1)
    code, out = run(campaign)
    assert code == 0, out
    assert "Round 2026 autumn: rounds/2026-autumn/inbox/" in out
    assert "3 file(s): 2 accepted" in out and "1 blank" in out and "; 2 missing" in out
    data1 = campaign.round("2026-autumn").data
    returns = read_csv(data1 / "returns.csv")
    assert [(r["source"], r["status"]) for r in returns] == [
        ("rounds/2026-autumn/inbox/South Health (final).xlsx", "accepted"),
        ("rounds/2026-autumn/inbox/east.xlsx", "blank"),
        ("rounds/2026-autumn/inbox/north.xlsx", "accepted"),
        ("", "missing"),
        ("", "missing"),
    ]
    rows = read_csv(data1 / "stages.csv")
    assert {r["round"] for r in rows} == {AUTUMN}
    assert {r["target_stage_id"] for r in rows} == {""}
    assert {r["round"] for r in read_csv(data1 / "actions.csv")} == {AUTUMN}
    # no earlier round: every answered criterion is new
    progress1 = read_csv(data1 / "progress.csv")
    assert {r["change"] for r in progress1 if r["stage_id"]} == {"new"}
    assert {r["change"] for r in progress1 if not r["stage_id"]} == {"same"}
    assert (campaign.round("2026-autumn").summary).is_file()

    with Store.open(campaign.store) as store:
        files = store.files("2026-autumn")
        assert sorted((f.location, f.status) for f in files) == [
            ("rounds/2026-autumn/inbox/South Health (final).xlsx", "accepted"),
            ("rounds/2026-autumn/inbox/east.xlsx", "blank"),
            ("rounds/2026-autumn/inbox/north.xlsx", "accepted"),
        ]
        assert all(f.provenance == {"found": "inbox"} and len(f.sha256) == 64 for f in files)
        accepted = {a.org_id: a for a in store.accepted_in_round("2026-autumn")}
        assert set(accepted) == {north, south}
        first = {
            a.item_id: a.stage_id for a in accepted[north].answers if a.kind == ItemKind.CRITERION
        }
        assert list(first.values())[:4] == [
            framework.stages[0].id,
            framework.stages[1].id,
            framework.stages[0].id,
            None,
        ]
        accepted_at = accepted[north].accepted_at

    # 2. the same import again, from the campaign folder itself: nothing changes
    before = csv_bytes(data1)
    monkeypatch.chdir(campaign.root)
    code, out = run(campaign)
    assert code == 0, out
    assert csv_bytes(data1) == before
    assert "no longer" not in out
    with Store.open(campaign.store) as store:
        assert len(store.files("2026-autumn")) == 3
        assert store.accepted("2026-autumn", north).accepted_at == accepted_at  # type: ignore[union-attr]

    # 3. round 2: North moves up on the first criterion and down on the second, South
    #    stays, East answers for the first time; West has still not returned
    sent2 = make_round(campaign, framework, SPRING, PARTNERS)
    inbox2 = campaign.round("2027-spring").inbox
    fill_with_openpyxl(sent2[north], inbox2 / "north.xlsx", stages(framework, 2, 1, 1, 0))
    fill_with_openpyxl(sent2[south], inbox2 / "south.xlsx", stages(framework, 3))
    fill_with_openpyxl(sent2[east], inbox2 / "east.xlsx", stages(framework, 2))
    code, out = run(campaign)  # the latest round
    assert code == 0, out
    assert "Round 2027 spring" in out and "3 file(s): 3 accepted" in out
    data2 = campaign.round("2027-spring").data
    progress = read_csv(data2 / "progress.csv")
    changed = {
        (r["org_id"], r["criterion_id"]): (r["previous_stage_id"], r["stage_id"], r["change"])
        for r in progress
        if r["change"] != "same"
    }
    c = [cr.id for cr in framework.criteria]
    s = [st.id for st in framework.stages]
    assert changed == {
        (north, c[0]): (s[0], s[1], "up"),
        (north, c[1]): (s[1], s[0], "down"),
        (east, c[0]): ("", s[1], "new"),
    }
    assert {r["previous_round"] for r in progress if r["org_id"] == north} == {AUTUMN}
    assert {r["previous_round"] for r in progress if r["org_id"] == east} == {""}
    assert len(progress) == 3 * len(framework.criteria)
    assert "(1 up, 1 down," in out and "1 new, 0 dropped)" in out
    # round 1's outputs are untouched by round 2's import
    assert csv_bytes(data1) == before

    # 4. the same round-2 import again: byte-identical CSVs
    before2 = csv_bytes(data2)
    code, out = run(campaign, "--round", SPRING)
    assert code == 0 and csv_bytes(data2) == before2

    # 5. North's round-1 file dropped into round 2's inbox, saved later: rejected, its round
    #    named, and it supersedes nothing
    shutil.copy(inbox1 / "north.xlsx", inbox2 / "north-old.xlsx")
    code, out = run(campaign)
    assert code == 0, out
    assert "this is the 2026 autumn workbook; ask for the 2027 spring one" in out
    returns2 = {r["source"]: r for r in read_csv(data2 / "returns.csv")}
    old = returns2["rounds/2027-spring/inbox/north-old.xlsx"]
    assert old["status"] == "rejected" and "2026 autumn" in old["reason"]
    assert returns2["rounds/2027-spring/inbox/north.xlsx"]["status"] == "accepted"
    assert read_csv(data2 / "progress.csv") == progress
    problems = read_csv(data2 / "problems.csv")
    assert [p["code"] for p in problems if p["source"].endswith("north-old.xlsx")] == [
        "other-round"
    ]

    # 6. a file imported before disappears: reported, and no longer counted
    (inbox2 / "east.xlsx").unlink()
    code, out = run(campaign)
    assert code == 0, out
    assert "no longer in the inbox: rounds/2027-spring/inbox/east.xlsx" in out
    returns2 = read_csv(data2 / "returns.csv")
    assert "rounds/2027-spring/inbox/east.xlsx" not in {r["source"] for r in returns2}
    assert {r["org_id"] for r in returns2 if r["status"] == "missing"} == {east, west}
    assert east not in {r["org_id"] for r in read_csv(data2 / "progress.csv")}
    with Store.open(campaign.store) as store:
        assert store.accepted("2027-spring", east) is None
        [gone] = [f for f in store.files("2027-spring") if f.missing_since is not None]
        assert gone.location == "rounds/2027-spring/inbox/east.xlsx"
    # ... and reported once: the next import finds the same files as this one
    code, out = run(campaign)
    assert "no longer" not in out


def test_a_file_given_once_as_a_source_keeps_counting(
    campaign: CampaignFolder, framework: Framework, tmp_path: Path
) -> None:
    north = PARTNERS[0].id
    sent = make_round(campaign, framework, AUTUMN, PARTNERS)
    elsewhere = tmp_path / "mail"
    elsewhere.mkdir()
    fill_with_openpyxl(sent[north], elsewhere / "from-mail.xlsx", stages(framework, 2))
    code, out = run(campaign, elsewhere)
    assert code == 0 and "1 accepted" in out
    data = campaign.round("2026-autumn").data
    shown = str(elsewhere / "from-mail.xlsx")
    assert [r["source"] for r in read_csv(data / "returns.csv") if r["source"]] == [shown]
    before = csv_bytes(data)
    # not given again: found again where it was, so the round is unchanged
    code, out = run(campaign)
    assert code == 0 and csv_bytes(data) == before
    with Store.open(campaign.store) as store:
        [f] = store.files("2026-autumn")
        assert f.location == shown and f.provenance == {"found": "source"}


def test_a_file_replaced_by_a_new_save_under_the_same_name_is_reported_as_changed(
    campaign: CampaignFolder, framework: Framework
) -> None:
    north = PARTNERS[0].id
    sent = make_round(campaign, framework, AUTUMN, PARTNERS)
    inbox = campaign.round("2026-autumn").inbox
    fill_with_openpyxl(sent[north], inbox / "north.xlsx", stages(framework, 1))
    assert run(campaign)[0] == 0
    fill_with_openpyxl(sent[north], inbox / "north.xlsx", stages(framework, 3))
    code, out = run(campaign)
    assert code == 0
    assert "changed since the last import" in out and "rounds/2026-autumn/inbox/north.xlsx" in out
    [row] = [r for r in read_csv(campaign.round("2026-autumn").data / "stages.csv")][:1]
    assert row["stage_id"] == framework.stages[2].id


def test_import_options_of_a_campaign_and_of_a_stand_alone_import_do_not_mix(
    campaign: CampaignFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["import"])
    assert result.exit_code == 2 and "give --out" in result.output
    result = CliRunner().invoke(cli, ["import", str(tmp_path), "--out", "s.xlsx", "--round", "x"])
    assert result.exit_code == 2 and "leave out --out" in result.output
    code, out = run(campaign, "--data", tmp_path / "d")
    assert code == 2 and "--data is for a stand-alone import" in out
    # a campaign with no round yet
    code, out = run(campaign)
    assert code == 1 and "no round yet" in out
    code, out = run(campaign, "--round", "2031 winter")
    assert code == 1 and "there is no round '2031 winter'" in out


# The same, through the command line only: init, generate --round (pre-filled), import, status


def cli_run(*args: str | Path, cwd: Path) -> Result:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, [str(a) for a in args])
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def sent(folder: Path, slug: str) -> dict[str, Path]:
    outbox = folder / "rounds" / slug / "outbox"
    return {m.org_id: outbox / m.file for m in read_manifest(outbox / "manifest.csv")}


def test_a_campaign_through_the_cli_only(tmp_path: Path) -> None:
    folder = tmp_path / "campaign"
    assert cli_run("init", folder, cwd=tmp_path).exit_code == 0
    with (folder / "partners.csv").open("a", encoding="utf-8") as fh:
        fh.write("north,North Trust,,\nsouth,South Health,,\neast,East Care,,\nwest,West Board,,\n")
    framework = require_framework(folder / "framework.yaml")
    labels = [s.label for s in framework.stages]
    c = [cr.id for cr in framework.criteria]
    s = [st.id for st in framework.stages]

    r = cli_run("generate", "--round", "2026 autumn", "--deadline", "2026-12-31", cwd=folder)
    assert r.exit_code == 0, r.output
    one = sent(folder, "2026-autumn")
    inbox1 = folder / "rounds/2026-autumn/inbox"
    fill_with_openpyxl(
        one["north"],
        inbox1 / "north.xlsx",
        {(c[0], "stage"): labels[0], (c[1], "stage"): labels[1]},
    )
    fill_with_openpyxl(one["south"], inbox1 / "south.xlsx", {(c[0], "stage"): labels[2]})
    shutil.copy(one["east"], inbox1 / "east.xlsx")
    r = cli_run("import", cwd=folder)
    assert r.exit_code == 0, r.output
    assert "2 accepted" in r.output and "1 blank" in r.output
    r = cli_run("status", cwd=folder)
    assert "2 accepted, 1 blank, 0 rejected, 1 missing" in r.output

    r = cli_run("generate", "--round", "2027 spring", cwd=folder)
    assert r.exit_code == 0, r.output
    assert "North Trust: pre-filled from '2026 autumn'" in r.output
    two = sent(folder, "2027-spring")
    inbox2 = folder / "rounds/2027-spring/inbox"
    # North changes two stages on its pre-filled workbook; South sends it back as it was
    fill_with_openpyxl(
        two["north"],
        inbox2 / "north.xlsx",
        {(c[0], "stage"): labels[1], (c[1], "stage"): labels[0]},
    )
    fill_with_openpyxl(two["south"], inbox2 / "south.xlsx", {})
    fill_with_openpyxl(two["east"], inbox2 / "east.xlsx", {(c[0], "stage"): labels[1]})
    r = cli_run("import", cwd=folder)
    assert r.exit_code == 0, r.output
    data = folder / "rounds/2027-spring/data"
    progress = read_csv(data / "progress.csv")
    changes = {
        (p["org_id"], p["criterion_id"]): (p["previous_stage_id"], p["stage_id"], p["change"])
        for p in progress
        if p["change"] != "same"
    }
    assert changes == {
        ("north", c[0]): (s[0], s[1], "up"),
        ("north", c[1]): (s[1], s[0], "down"),
        ("east", c[0]): ("", s[1], "new"),
    }
    before = csv_bytes(data)
    r = cli_run("import", cwd=folder)
    assert r.exit_code == 0 and csv_bytes(data) == before
    shutil.copy(inbox1 / "north.xlsx", inbox2 / "north-autumn.xlsx")
    r = cli_run("import", cwd=folder)
    assert "this is the 2026 autumn workbook; ask for the 2027 spring one" in r.output
    assert read_csv(data / "progress.csv") == progress  # it superseded nothing
    r = cli_run("status", cwd=folder)
    assert "3 accepted, 0 blank, 0 rejected, 1 missing" in r.output
