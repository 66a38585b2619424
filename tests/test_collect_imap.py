"""Collecting from a real IMAP server (Dovecot on loopback, see tests/imapserver.py):
implicit TLS and STARTTLS with a verified certificate, plain only with --insecure, password
and XOAUTH2 logins, --since, the size bound, and above all that collecting changes nothing
on the server (same messages, same flags: no \\Seen) unless --move-to is given."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.imapserver import ImapServer
from tests.mailmaker import XLSX_MIME, message, xlsx_bytes
from xlsxkit.cli import cli
from xlsxkit.codes import Code
from xlsxkit.inbound.mail import (
    Auth,
    ImapOptions,
    MailBounds,
    MessageOutcome,
    SaveFolder,
    collect_mail,
    open_source,
)


def fill(server: ImapServer, user: str = "north") -> dict[str, bytes]:
    """Three replies: a workbook, an auto-reply with one, and a partner's reply without."""
    books = {"north.xlsx": xlsx_bytes("north"), "auto.xlsx": xlsx_bytes("auto")}
    server.append(
        user, bytes(message(attachments=[("North.xlsx", books["north.xlsx"], XLSX_MIME)]))
    )
    server.append(
        user,
        bytes(
            message(
                subject="Automatic reply: assessment",
                headers={"Auto-Submitted": "auto-replied"},
                attachments=[("auto.xlsx", books["auto.xlsx"], XLSX_MIME)],
            )
        ),
    )
    server.append(user, bytes(message(sender="south@example.org", body="Next week, sorry.")))
    return books


def collect(server: ImapServer, url: str, out: Path, **options: object):  # type: ignore[no-untyped-def]
    bounds = options.pop("bounds", None) or MailBounds()
    assert isinstance(bounds, MailBounds)
    opts = ImapOptions(
        secret=str(options.pop("secret", server.users["north"])),
        cafile=str(server.cafile),
        **options,  # type: ignore[arg-type]
    )
    return collect_mail(
        [open_source(url, bounds=bounds, imap=opts)],
        SaveFolder(out),
        bounds=bounds,
        partners={"south@example.org": "South Health"},
    )


def test_collecting_over_imaps_saves_the_workbook_and_changes_nothing_on_the_server(
    imap_server: ImapServer, tmp_path: Path
) -> None:
    books = fill(imap_server)
    before = imap_server.state("north")
    assert len(before) == 3 and all(b"\\Seen" not in f for f in before.values())
    out = tmp_path / "inbox"
    c = collect(imap_server, imap_server.url("north"), out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {"north.xlsx": books["north.xlsx"]}
    assert [m.outcome for m in c.messages] == [
        MessageOutcome.SAVED,
        MessageOutcome.AUTO_REPLY,
        MessageOutcome.NO_WORKBOOK,
    ]
    assert [m.origin.where for m in c.messages] == ["UID 1", "UID 2", "UID 3"]
    assert c.messages[0].origin.mailbox == imap_server.url("north")
    [p] = c.problems
    assert p.code is Code.REPLY_WITHOUT_WORKBOOK
    assert p.location.file == f"{imap_server.url('north')}: UID 3"
    assert imap_server.state("north") == before  # same UIDs, same flags: nothing marked


def test_starttls_and_the_insecure_plain_connection_both_collect(
    imap_server: ImapServer, tmp_path: Path
) -> None:
    fill(imap_server)
    plain_url = imap_server.url("north", secure=False)
    tls = collect(imap_server, plain_url, tmp_path / "a")
    insecure = collect(imap_server, plain_url, tmp_path / "b", insecure=True)
    assert tls.saved == insecure.saved == 1
    assert "secured" in imap_server.log()


def test_a_certificate_that_is_not_trusted_is_refused(
    imap_server: ImapServer, tmp_path: Path
) -> None:
    fill(imap_server)
    bounds = MailBounds()
    opts = ImapOptions(secret=imap_server.users["north"])  # the system CAs only
    c = collect_mail(
        [open_source(imap_server.url("north"), bounds=bounds, imap=opts)],
        SaveFolder(tmp_path / "inbox"),
    )
    [p] = c.problems
    assert p.code is Code.MAIL_UNREADABLE and "secure connection" in p.message
    assert c.saved == 0


def test_xoauth2_logs_in_with_the_token_and_a_wrong_token_is_refused_plainly(
    imap_server: ImapServer, tmp_path: Path
) -> None:
    fill(imap_server, user="token")
    url = imap_server.url("token")
    ok = collect(imap_server, url, tmp_path / "a", secret="ya29.test-token", auth=Auth.OAUTH2)
    assert ok.saved == 1 and not [p for p in ok.problems if p.is_error]
    assert "method=XOAUTH2" in imap_server.log()
    bad = collect(imap_server, url, tmp_path / "b", secret="expired", auth=Auth.OAUTH2)
    [p] = bad.problems
    assert p.code is Code.MAIL_UNREADABLE
    assert "refused the OAuth2 token" in p.message and "XLSXKIT_IMAP_TOKEN" in p.message


def test_a_wrong_password_or_folder_is_reported_not_raised(
    imap_server: ImapServer, tmp_path: Path
) -> None:
    c = collect(imap_server, imap_server.url("north"), tmp_path / "a", secret="wrong")
    [p] = c.problems
    assert "refused the login" in p.message
    c = collect(imap_server, imap_server.url("north", "Nope"), tmp_path / "b")
    [p] = c.problems
    assert "no folder 'Nope'" in p.message


def test_since_and_the_size_bound_limit_what_is_downloaded(
    imap_server: ImapServer, tmp_path: Path
) -> None:
    from imapclient import IMAPClient  # noqa: F401 - the server's own client appends

    old = bytes(message(attachments=[("old.xlsx", xlsx_bytes("old"), XLSX_MIME)]))
    c = imap_server.client("north")
    c.append("INBOX", old, msg_time=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    c.logout()
    books = fill(imap_server)
    got = collect(imap_server, imap_server.url("north"), tmp_path / "a", since=dt.date(2026, 11, 1))
    assert got.read == 3 and got.saved == 1
    assert (tmp_path / "a" / "north.xlsx").read_bytes() == books["north.xlsx"]
    small = collect(
        imap_server,
        imap_server.url("north"),
        tmp_path / "b",
        bounds=MailBounds(max_message_bytes=2000),
    )
    assert small.saved == 0
    assert {p.code for p in small.problems} >= {Code.MAIL_TOO_LARGE}
    assert "not downloaded" in next(
        p.message for p in small.problems if p.code is Code.MAIL_TOO_LARGE
    )


def test_move_to_moves_only_the_messages_a_spreadsheet_was_saved_from(
    imap_server: ImapServer, tmp_path: Path
) -> None:
    fill(imap_server)
    c = imap_server.client("north")
    c.create_folder("Collected")
    c.logout()
    got = collect(imap_server, imap_server.url("north"), tmp_path / "a", move_to="Collected")
    assert got.saved == 1 and not got.problems[1:]
    assert len(imap_server.state("north")) == 2  # the auto-reply and the reply without
    assert len(imap_server.state("north", "Collected")) == 1


def test_the_cli_reads_the_password_from_the_environment_never_the_command_line(
    imap_server: ImapServer, tmp_path: Path
) -> None:
    books = fill(imap_server)
    out = tmp_path / "out"
    runner = CliRunner()
    args = [
        "collect",
        imap_server.url("north"),
        "--out",
        str(out),
        "--cafile",
        str(imap_server.cafile),
    ]
    result = runner.invoke(cli, args, env={"XLSXKIT_IMAP_PASSWORD": imap_server.users["north"]})
    assert result.exit_code == 0, result.output
    assert "spreadsheets saved:         1" in result.output
    assert "auto-replies skipped:       1" in result.output
    assert (out / "north.xlsx").read_bytes() == books["north.xlsx"]
    no_secret = runner.invoke(cli, args, env={"XLSXKIT_IMAP_PASSWORD": ""})
    assert no_secret.exit_code == 2
    assert "set XLSXKIT_IMAP_PASSWORD" in no_secret.output
    in_url = imap_server.url("north").replace("north@", "north:secret@")
    refused = runner.invoke(cli, ["collect", in_url, "--out", str(out)])
    assert refused.exit_code == 2 and "holds a password" in refused.output
    assert "secret" not in refused.output


@pytest.mark.parametrize("flag", ["--insecure"])
def test_insecure_is_refused_for_an_imaps_address(
    imap_server: ImapServer, tmp_path: Path, flag: str
) -> None:
    result = CliRunner().invoke(
        cli,
        ["collect", imap_server.url("north"), "--out", str(tmp_path), flag],
        env={"XLSXKIT_IMAP_PASSWORD": "x"},
    )
    assert result.exit_code == 2 and "test servers only" in result.output
