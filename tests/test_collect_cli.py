"""``xlsxkit collect`` through the CLI: into a campaign round's inbox (provenance in the
store, then in returns.csv, the Returns sheet and the store's file records), and outside a
campaign into --out DIR (provenance in collected.csv, which the import reads)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
from click.testing import CliRunner, Result

from tests.filling import fill_with_openpyxl
from tests.mailmaker import XLSX_MIME, message, write_eml, zipped
from tests.test_campaign_import import PARTNERS, make_campaign, make_round, stages
from xlsxkit.campaign.store import OrgRecord, Store
from xlsxkit.cli import cli
from xlsxkit.framework.model import Framework


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_collect_into_a_campaign_round_then_import_shows_where_each_file_came_from(
    tmp_path: Path, framework: Framework
) -> None:
    campaign = make_campaign(tmp_path / "campaign")
    sent = make_round(campaign, framework, "2026 autumn", PARTNERS)
    north, south, _east, west = (o.id for o in PARTNERS)
    with Store.open(campaign.store) as store:
        for o in PARTNERS:
            store.put_organisation(OrgRecord(id=o.id, name=o.name, email=o.email))
    filled = tmp_path / "filled"
    filled.mkdir()
    fill_with_openpyxl(sent[north], filled / "n.xlsx", stages(framework, 1, 2))
    fill_with_openpyxl(sent[south], filled / "s.xlsx", stages(framework, 3))
    mail = tmp_path / "mail"
    write_eml(mail, "1-north.eml", message(
        sender=f"North <{PARTNERS[0].email}>", subject="=North's return",
        attachments=[("North Trust.xlsx", (filled / "n.xlsx").read_bytes(), XLSX_MIME)],
    ))  # fmt: skip
    write_eml(mail, "2-south.eml", message(
        sender=PARTNERS[1].email, subject="South (zipped)",
        attachments=[("ours.zip", zipped({"South.xlsx": (filled / "s.xlsx").read_bytes()}),
                      "application/zip")],
    ))  # fmt: skip
    write_eml(mail, "3-east.eml", message(sender=PARTNERS[2].email, body="Next week."))
    result = invoke("collect", "--campaign", campaign.root, mail, "--import")
    assert result.exit_code == 0, result.output
    assert "spreadsheets saved:         2" in result.output
    assert "replies without a workbook: 1" in result.output
    assert "East Care replied on 3 Dec 2026 without a workbook" in result.output
    assert "2 accepted" in result.output
    inbox = campaign.round("2026-autumn").inbox
    assert sorted(p.name for p in inbox.iterdir()) == ["north-trust.xlsx", "south.xlsx"]

    rows = {r["org_id"]: r for r in read_csv(campaign.round("2026-autumn").data / "returns.csv")}
    assert rows[north]["from"] == PARTNERS[0].email
    assert rows[north]["subject"] == "'=North's return"  # neutralised against CSV injection
    assert rows[north]["date"] == "2026-12-03T10:15:00+00:00"
    assert rows[north]["mailbox"] == str(mail / "1-north.eml")
    assert rows[north]["message_id"].startswith("<reply-")
    assert rows[south]["subject"] == "South (zipped)"
    assert rows[west]["status"] == "missing" and rows[west]["from"] == ""

    with Store.open(campaign.store) as store:
        files = {f.org_id: f for f in store.files("2026-autumn")}
        assert files[north].provenance["from"] == PARTNERS[0].email
        assert files[north].provenance["found"] == "inbox"
        assert {m.outcome for m in store.collected_messages("2026-autumn")} == {
            "saved",
            "no-workbook",
        }

    book = openpyxl.load_workbook(campaign.round("2026-autumn").summary, read_only=True)
    sheet = book["Returns"]
    texts = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "Email: from / date / subject" in texts
    assert f"{PARTNERS[0].email} / 2026-12-03 / =North's return" in texts

    # collecting again saves nothing new and records nothing twice
    again = invoke("collect", "--campaign", campaign.root, mail)
    assert "spreadsheets saved:         0" in again.output
    assert "duplicates:                 2" in again.output
    with Store.open(campaign.store) as store:
        assert len(store.collected_messages("2026-autumn")) == 3


def test_outside_a_campaign_collected_csv_travels_with_the_files_to_the_import(
    tmp_path: Path, framework: Framework
) -> None:
    campaign = make_campaign(tmp_path / "campaign")  # only to have workbooks to fill
    sent = make_round(campaign, framework, "2026 autumn", PARTNERS[:1])
    filled = tmp_path / "n.xlsx"
    fill_with_openpyxl(sent[PARTNERS[0].id], filled, stages(framework, 2))
    mail = tmp_path / "mail"
    write_eml(mail, "r.eml", message(attachments=[("n.xlsx", filled.read_bytes(), XLSX_MIME)]))
    out = tmp_path / "returns"
    result = invoke("collect", mail, "--out", out)
    assert result.exit_code == 0, result.output
    ledger = read_csv(out / "collected.csv")
    assert [(r["file"], r["outcome"], r["from"]) for r in ledger] == [
        ("n.xlsx", "saved", "north@example.org")
    ]
    summary = tmp_path / "summary.xlsx"
    imported = invoke("import", out, "--out", summary, "--data", tmp_path / "data")
    assert imported.exit_code == 0, imported.output
    rows = {Path(r["source"]).name: r for r in read_csv(tmp_path / "data" / "returns.csv")}
    assert rows["n.xlsx"]["from"] == "north@example.org"
    assert rows["n.xlsx"]["subject"] == "Re: your assessment workbook"
    assert rows["collected.csv"]["status"] == "skipped"  # an xlsxkit output, not a return
    # and in one step, with --import --summary
    one = invoke("collect", mail, "--out", out, "--import", "--summary", tmp_path / "s2.xlsx")
    assert one.exit_code == 0, one.output
    assert "1 accepted" in one.output and (tmp_path / "s2.xlsx").is_file()


def test_a_collected_csv_xlsxkit_did_not_write_is_never_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "collected.csv").write_text("my,own,notes\n", encoding="utf-8")
    mail = write_eml(tmp_path, "m.eml", message())
    result = invoke("collect", mail, "--out", out)
    assert result.exit_code == 1
    assert "never overwrites it" in result.output
    assert (out / "collected.csv").read_text(encoding="utf-8") == "my,own,notes\n"


def test_usage_errors_say_what_to_do(tmp_path: Path) -> None:
    none = invoke("collect", "--out", tmp_path)
    assert none.exit_code == 2 and "give the mail to collect from" in none.output
    nowhere = CliRunner().invoke(cli, ["collect", str(tmp_path)], catch_exceptions=False)
    assert nowhere.exit_code == 2 and "give --out DIR" in nowhere.output
    since = invoke("collect", tmp_path, "--out", tmp_path / "o", "--since", "03/04/2027")
    assert since.exit_code == 2 and "--since" in since.output
    summary = invoke("collect", tmp_path, "--out", tmp_path / "o", "--import")
    assert summary.exit_code == 2 and "--summary" in summary.output
