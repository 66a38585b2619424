"""The whole loop, end to end, against real servers on loopback and through the CLI only:
``xlsxkit send`` emails each partner its workbook through SMTP (aiosmtpd with STARTTLS,
tests/smtpserver.py); the partners "answer": the workbook each received is filled in and
mailed back into the coordinator's IMAP mailbox (Dovecot, tests/imapserver.py): two filled
workbooks, one zipped, one sent twice, an out-of-office reply and a reply without the
workbook; ``xlsxkit collect imaps://... --import`` collects and imports; every answer is
checked by id in the store, and so is the provenance of every file."""

from __future__ import annotations

import csv
import io
import os
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest
import trustme
from click.testing import CliRunner, Result

from tests import smtpserver
from tests.filling import fill_with_openpyxl
from tests.imapserver import ImapServer
from tests.mailmaker import XLSX_MIME, zipped
from tests.smtpserver import SmtpServer, ca_file
from xlsxkit.campaign.store import Store
from xlsxkit.cli import cli
from xlsxkit.framework.load import require_framework

pytestmark = [
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated"),
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]
smtp_ca = smtpserver.smtp_ca  # the fixture

ROUND, SLUG = "2027 spring", "2027-spring"
COORD = "coord@example.org"
#: id, name, contact, email
PARTNERS = [
    ("north", "North Trust", "Ada Khan", "ada@north.example.org"),
    ("south", "South Council", "Ben Ode", "ben@south.example.org"),
    ("east", "East Care", "Cy Lee", "cy@east.example.org"),
    ("west", "West Board", "Di Roe", "di@west.example.org"),
    ("port", "Port Authority", "Ed Fox", "ed@port.example.org"),
]
SMTP_USER, SMTP_PASSWORD = COORD, "smtp-app-password"


def cli_run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> Result:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, [str(a) for a in args], env=env)
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output, result.output
    return result


def make_campaign(folder: Path) -> Path:
    assert cli_run("init", folder, cwd=folder.parent).exit_code == 0
    with (folder / "partners.csv").open("a", encoding="utf-8") as fh:
        for org_id, name, contact, address in PARTNERS:
            fh.write(f'{org_id},"{name}",{contact},{address}\n')
    settings = folder / "xlsxkit.yaml"
    text = settings.read_text(encoding="utf-8")
    text = text.replace("\nreturn_to:\n", f"\nreturn_to: {COORD}\n", 1)
    text = text.replace("\n  from:\n", f'\n  from: "Programme team <{COORD}>"\n', 1)
    text = text.replace("\n  reply_to:\n", f"\n  reply_to: {COORD}\n", 1)
    settings.write_text(text, encoding="utf-8")
    result = cli_run("generate", "--round", ROUND, "--deadline", "2099-06-30", cwd=folder)
    assert result.exit_code == 0, result.output
    return folder


def workbook_of(sent: EmailMessage) -> tuple[str, bytes]:
    [part] = [p for p in sent.iter_attachments() if (p.get_filename() or "").endswith(".xlsx")]
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    return part.get_filename() or "", data


def reply(
    sent: EmailMessage,
    *,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
    subject: str | None = None,
    headers: dict[str, str] | None = None,
    body: str = "Here it is.",
    when: str = "Thu, 03 Dec 2026 10:00:00 +0000",
) -> bytes:
    msg = EmailMessage()
    msg["From"] = str(sent["To"])
    msg["To"] = COORD
    msg["Subject"] = subject or f"Re: {sent['Subject']}"
    msg["Date"] = when
    msg["Message-ID"] = f"<reply-{os.urandom(6).hex()}@partner.example>"
    msg["In-Reply-To"] = str(sent["Message-ID"])
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    for name, data, mime in attachments:
        maintype, _, subtype = mime.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(msg)


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_send_then_collect_from_imap_then_import_accounts_for_every_answer_and_file(
    tmp_path: Path, smtp_ca: trustme.CA, imap_server: ImapServer
) -> None:
    campaign = make_campaign(tmp_path / "campaign")
    framework = require_framework(campaign / "framework.yaml")
    env = {"SSL_CERT_FILE": str(ca_file(smtp_ca, tmp_path)), "XLSXKIT_SMTP_PASSWORD": SMTP_PASSWORD}

    # 1. send the round through SMTP
    with SmtpServer(ca=smtp_ca, auth=(SMTP_USER, SMTP_PASSWORD)) as server:
        sent = cli_run("send", "--smtp", f"127.0.0.1:{server.port}", "--user", SMTP_USER,
                       cwd=campaign, env=env)  # fmt: skip
        assert sent.exit_code == 0, sent.output
        print(sent.output)
    mails = {r.recipients[0]: r.message for r in server.received}
    assert sorted(mails) == sorted(p[3] for p in PARTNERS)

    # 2. the partners answer, into the coordinator's IMAP mailbox
    stage = {s.index: s.label for s in framework.stages}
    crit = [c.id for c in framework.criteria]
    answers = {
        "north": {(crit[0], "stage"): stage[1], (crit[1], "stage"): stage[2]},
        "south": {(crit[0], "stage"): stage[3], (crit[2], "comment"): "we began in May"},
        "port": {(crit[1], "stage"): stage[2]},
    }
    filled: dict[str, bytes] = {}
    for org_id, address in ((p[0], p[3]) for p in PARTNERS if p[0] in answers):
        name, data = workbook_of(mails[address])
        original = tmp_path / "received" / org_id / name
        original.parent.mkdir(parents=True)
        original.write_bytes(data)
        done = tmp_path / "filled" / f"{org_id}.xlsx"
        done.parent.mkdir(exist_ok=True)
        fill_with_openpyxl(original, done, answers[org_id])
        filled[org_id] = done.read_bytes()
    by = {p[0]: mails[p[3]] for p in PARTNERS}
    inbox = [
        reply(by["north"], attachments=[("North Trust - final.xlsx", filled["north"], XLSX_MIME)]),
        reply(
            by["south"],
            attachments=[("south.zip", zipped({"South.xlsx": filled["south"]}), "application/zip")],
        ),
        reply(
            by["east"],
            subject="Automatic reply: your workbook",
            headers={"Auto-Submitted": "auto-replied"},
            body="I am away until 10 Dec.",
        ),
        reply(by["west"], body="We will send it next week."),
        reply(by["port"], attachments=[("port.xlsx", filled["port"], XLSX_MIME)]),
        reply(
            by["port"],
            attachments=[("port (copy).xlsx", filled["port"], XLSX_MIME)],
            subject="Re: again, in case",
            when="Fri, 04 Dec 2026 09:00:00 +0000",
        ),
    ]
    for raw in inbox:
        imap_server.append("north", raw)
    before = imap_server.state("north")

    # 3. collect from IMAP and import, in one step
    url = imap_server.url("north")
    got = cli_run("collect", url, "--cafile", imap_server.cafile, "--import", cwd=campaign,
                  env={"XLSXKIT_IMAP_PASSWORD": imap_server.users["north"]})  # fmt: skip
    print(got.output)
    assert got.exit_code == 0, got.output
    for line in (
        "  messages read:              6",
        "  spreadsheets saved:         3",
        "  duplicates:                 1",
        "  auto-replies skipped:       1",
        "  replies without a workbook: 1",
        "  errors:                     0",
        "3 accepted",
    ):
        assert line in got.output
    assert "West Board replied on 3 Dec 2026 without a workbook" in got.output
    assert imap_server.state("north") == before  # read-only: nothing moved or marked

    # 4. every answer by id, and the provenance of every file
    with Store.open(campaign / "xlsxkit.db") as store:
        for org_id, expected in answers.items():
            accepted = store.accepted(SLUG, org_id)
            assert accepted is not None, org_id
            got_answers = {a.item_id: a for a in accepted.answers}
            labels = {s.label: s.id for s in framework.stages}
            for c in framework.criteria:
                want = expected.get((c.id, "stage"))
                assert got_answers[c.id].stage_id == (labels[want] if want else None), (
                    org_id,
                    c.id,
                )
                assert got_answers[c.id].comment == expected.get((c.id, "comment"), "")
        assert store.accepted(SLUG, "east") is None and store.accepted(SLUG, "west") is None
        files = {f.org_id: f for f in store.files(SLUG) if f.org_id}
        messages = store.collected_messages(SLUG)
    assert sorted(m.outcome for m in messages) == sorted(
        ["saved", "saved", "auto-reply", "no-workbook", "saved", "duplicate"]
    )
    address = {p[0]: p[3] for p in PARTNERS}
    for org_id in answers:
        prov = files[org_id].provenance
        assert prov["mailbox"] == url and prov["found"] == "inbox"
        assert prov["from"] == address[org_id]
        assert str(prov["message_id"]).endswith("@partner.example>")
    assert files["port"].provenance["subject"] == f"Re: {by['port']['Subject']}"  # the first
    port_rows = [m for m in messages if m.files and m.files[0].sha256 == files["port"].sha256]
    assert [f.duplicate for m in port_rows for f in m.files] == [False, True]
    rows = {r["org_id"]: r for r in read_csv(campaign / "rounds" / SLUG / "data" / "returns.csv")}
    for org_id in answers:
        assert rows[org_id]["status"] == "accepted"
        assert rows[org_id]["from"] == address[org_id]
        assert rows[org_id]["mailbox"] == url
    assert rows["east"]["status"] == rows["west"]["status"] == "missing"
    sheet = openpyxl.load_workbook(campaign / "rounds" / SLUG / "summary.xlsx", read_only=True)[
        "Returns"
    ]
    cells = {c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert f"{address['north']} / 2026-12-03 / Re: {by['north']['Subject']}" in cells
