"""Collecting from mail on disk (.eml files, mbox, Maildir), through the library: what is
saved, what is skipped and counted, and that hostile mail never crashes a batch nor writes
outside the folder. Every message is a real RFC 5322 message written by the standard
library, every mailbox a real file the tests write."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.mailmaker import (
    XLSX_MIME,
    message,
    tree,
    write_eml,
    write_maildir,
    write_mbox,
    xlsx_bytes,
    zipped,
)
from xlsxkit.codes import Code
from xlsxkit.inbound.mail import (
    Collection,
    MailBounds,
    MessageOutcome,
    SaveFolder,
    collect_mail,
    open_source,
)
from xlsxkit.inbound.mail.attachments import AttachmentKind

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
PDF = b"%PDF-1.4\n%...\n"
PARTNERS = {"north@example.org": "North Trust", "south@example.org": "South Health"}


def run(
    out: Path, *sources: Path | str, bounds: MailBounds | None = None, partners=PARTNERS
) -> Collection:
    b = bounds or MailBounds()
    return collect_mail(
        [open_source(os.fspath(s), bounds=b, imap=None) for s in sources],
        SaveFolder(out),
        bounds=b,
        partners=partners,
    )


def saved(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if not p.name.startswith(".")}


def test_a_reply_s_workbook_is_saved_byte_identical_and_the_rest_is_skipped_and_counted(
    tmp_path: Path,
) -> None:
    book = xlsx_bytes("north")
    msg = message(
        attachments=[
            ("North Trust assessment.xlsx", book, XLSX_MIME),
            ("image001.png", PNG, "image/png"),
            ("invite.ics", ICS, "text/calendar"),
            ("printout.pdf", PDF, "application/pdf"),
        ],
        html=True,
    )
    source = write_eml(tmp_path / "mail", "reply.eml", msg)
    before = source.read_bytes()
    out = tmp_path / "inbox"
    c = run(out, source)
    assert saved(out) == {"north-trust-assessment.xlsx": book}
    assert (c.read, c.saved, c.duplicates) == (1, 1, 0)
    assert c.skipped == {
        AttachmentKind.IMAGE: 1,
        AttachmentKind.CALENDAR: 1,
        AttachmentKind.OTHER: 1,
    }
    [m] = c.messages
    assert m.outcome is MessageOutcome.SAVED
    assert (m.sender, m.subject, m.date) == (
        "north@example.org",
        "Re: your assessment workbook",
        "2026-12-03T10:15:00+00:00",
    )
    assert m.message_id.startswith("<reply-") and m.partner == "North Trust"
    assert [f.original_name for f in m.files] == ["North Trust assessment.xlsx"]
    assert source.read_bytes() == before  # the message file is never changed
    assert c.problems == []


def test_a_spreadsheet_is_recognised_by_content_whatever_its_name(tmp_path: Path) -> None:
    book = xlsx_bytes("renamed")
    xls = (Path(__file__).parent / "fixtures").glob("**/*.xls")
    attachments = [("answers", book, "application/octet-stream")]
    old = next(iter(xls), None)
    if old is not None:
        attachments.append(("workbook.bin", old.read_bytes(), "application/octet-stream"))
    docx = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    attachments.append(("letter.docx", docx, "application/octet-stream"))
    out = tmp_path / "inbox"
    c = run(out, write_eml(tmp_path, "m.eml", message(attachments=attachments)))
    files = saved(out)
    assert files["answers.xlsx"] == book
    assert len(files) == (2 if old is not None else 1)
    if old is not None:
        assert files["workbook.xls"] == old.read_bytes()
    assert c.skipped == {AttachmentKind.OTHER: 1}


def test_spreadsheets_inside_a_zip_attachment_are_saved_and_say_which_zip(
    tmp_path: Path,
) -> None:
    a, b = xlsx_bytes("a"), xlsx_bytes("b")
    archive = zipped(
        {"returns/North.xlsx": a, "South.xlsx": b, "readme.txt": b"hi", "nested.zip": b"PK"}
    )
    out = tmp_path / "inbox"
    c = run(
        out,
        write_eml(
            tmp_path, "z.eml", message(attachments=[("returns.zip", archive, "application/zip")])
        ),
    )
    assert saved(out) == {"north.xlsx": a, "south.xlsx": b}
    [m] = c.messages
    assert {(f.original_name, f.inside) for f in m.files} == {
        ("North.xlsx", "returns.zip"),
        ("South.xlsx", "returns.zip"),
    }


def test_the_same_workbook_twice_is_saved_once_and_both_messages_are_kept(
    tmp_path: Path,
) -> None:
    book = xlsx_bytes("twice")
    mail = tmp_path / "mail"
    write_eml(mail, "1.eml", message(attachments=[("north.xlsx", book, XLSX_MIME)]))
    write_eml(
        mail, "2.eml", message(subject="Re: again", attachments=[("copy.xlsx", book, XLSX_MIME)])
    )
    out = tmp_path / "inbox"
    c = run(out, mail)
    assert saved(out) == {"north.xlsx": book}
    assert (c.saved, c.duplicates) == (1, 1)
    first, second = c.messages
    assert first.outcome is MessageOutcome.SAVED and second.outcome is MessageOutcome.DUPLICATE
    assert second.files[0].path == first.files[0].path == out / "north.xlsx"
    assert second.files[0].original_name == "copy.xlsx"
    # collecting the same mail again saves nothing: everything is a duplicate
    again = run(out, mail)
    assert (again.saved, again.duplicates) == (0, 2)
    assert saved(out) == {"north.xlsx": book}


def test_a_file_already_in_the_folder_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "inbox"
    out.mkdir()
    (out / "north.xlsx").write_bytes(b"the coordinator's own file")
    book = xlsx_bytes("new")
    run(out, write_eml(tmp_path, "m.eml", message(attachments=[("north.xlsx", book, XLSX_MIME)])))
    assert saved(out) == {"north.xlsx": b"the coordinator's own file", "north-2.xlsx": book}


@pytest.mark.parametrize(
    ("headers", "subject"),
    [
        ({"Auto-Submitted": "auto-replied"}, "Re: your assessment workbook"),
        ({"X-Autoreply": "yes"}, "Re: your assessment workbook"),
        ({"X-Autorespond": "Out of office"}, "Re: your assessment workbook"),
        ({"Precedence": "auto_reply"}, "Re: your assessment workbook"),
        ({"Precedence": "bulk"}, "Re: your assessment workbook"),
        ({}, "Automatic reply: your assessment workbook"),
        ({}, "Out of Office: back on Monday"),
        ({}, "Auto: your assessment workbook"),
        ({}, "I am out of the office until 7 December"),
        ({}, "Abwesenheitsnotiz: Ihr Fragebogen"),
        ({}, "Réponse automatique : votre questionnaire"),
    ],
)
def test_automatic_replies_are_skipped_and_counted(
    tmp_path: Path, headers: dict[str, str], subject: str
) -> None:
    msg = message(
        subject=subject,
        headers=headers,
        attachments=[("north.xlsx", xlsx_bytes(), XLSX_MIME)],
    )
    out = tmp_path / "inbox"
    c = run(out, write_eml(tmp_path, "auto.eml", msg))
    assert saved(out) == {}
    assert c.count(MessageOutcome.AUTO_REPLY) == 1
    assert c.without_workbook == 0  # an auto-reply is not a reply without a workbook


def test_auto_submitted_no_is_an_ordinary_reply(tmp_path: Path) -> None:
    msg = message(
        headers={"Auto-Submitted": "no"}, attachments=[("n.xlsx", xlsx_bytes(), XLSX_MIME)]
    )
    out = tmp_path / "inbox"
    c = run(out, write_eml(tmp_path, "m.eml", msg))
    assert c.saved == 1 and c.count(MessageOutcome.AUTO_REPLY) == 0


def test_a_partner_s_reply_without_a_workbook_is_reported_by_name_and_day(
    tmp_path: Path,
) -> None:
    mail = tmp_path / "mail"
    write_eml(mail, "1.eml", message(sender="NORTH@Example.org", body="We will send it Friday."))
    write_eml(mail, "2.eml", message(sender="someone@else.org", body="Unsubscribe"))
    write_eml(
        mail,
        "3.eml",
        message(sender="south@example.org", attachments=[("logo.png", PNG, "image/png")]),
    )
    c = run(tmp_path / "inbox", mail)
    assert c.without_workbook == 2
    texts = [p.message for p in c.problems if p.code is Code.REPLY_WITHOUT_WORKBOOK]
    assert len(texts) == 2
    assert texts[0].startswith("North Trust replied on 3 Dec 2026 without a workbook")
    assert texts[1].startswith("South Health replied on 3 Dec 2026 without a workbook")
    located = [p.location.file for p in c.problems]
    assert located == [str(mail / "1.eml"), str(mail / "3.eml")]


def test_an_mbox_is_read_message_by_message_and_left_unchanged(tmp_path: Path) -> None:
    books = [xlsx_bytes(f"m{i}") for i in range(3)]
    msgs = [
        message(
            body="From here on, our answers\nare attached.",
            attachments=[(f"org{i}.xlsx", b, XLSX_MIME)],
        )
        for i, b in enumerate(books)
    ]
    mbox = write_mbox(tmp_path / "Inbox", msgs)
    before, stat = mbox.read_bytes(), mbox.stat()
    out = tmp_path / "inbox"
    c = run(out, mbox)
    assert saved(out) == {f"org{i}.xlsx": b for i, b in enumerate(books)}
    assert [m.origin.where for m in c.messages] == ["message 1", "message 2", "message 3"]
    assert mbox.read_bytes() == before
    assert mbox.stat().st_mtime_ns == stat.st_mtime_ns
    assert not list(tmp_path.glob("Inbox.lock*"))  # never locked


def test_a_maildir_is_read_without_moving_new_mail_to_cur(tmp_path: Path) -> None:
    books = [xlsx_bytes(f"d{i}") for i in range(3)]
    msgs = [message(attachments=[(f"org{i}.xlsx", b, XLSX_MIME)]) for i, b in enumerate(books)]
    maildir = write_maildir(tmp_path / "Maildir", msgs, new=2)
    before = tree(maildir)
    out = tmp_path / "inbox"
    c = run(out, maildir)
    assert c.saved == 3
    assert tree(maildir) == before  # same names (new/ stays new/, no flag added), same bytes
    assert sorted(m.origin.where.split("/")[0] for m in c.messages) == ["cur", "new", "new"]


@pytest.mark.parametrize(
    "name",
    [
        "../../evil.xlsx",
        "..\\..\\evil.xlsx",
        "/etc/cron.d/evil.xlsx",
        "C:\\Windows\\evil.xlsx",
        "CON.xlsx",
        "nul.xlsx",
        "a\x00b.xlsx",
        "\u202egsm.xlsx",
        "...xlsx",
        ".hidden.xlsx",
        "x" * 300 + ".xlsx",
    ],
)
def test_no_path_from_an_attachment_name_is_ever_used(tmp_path: Path, name: str) -> None:
    book = xlsx_bytes(name[:20].encode("unicode_escape").decode())
    raw = bytes(message(attachments=[("placeholder.xlsx", book, XLSX_MIME)]))
    raw = raw.replace(b'filename="placeholder.xlsx"', b'filename="' + name.encode("utf-8") + b'"')
    eml = tmp_path / "mail" / "m.eml"
    eml.parent.mkdir()
    eml.write_bytes(raw)
    out = tmp_path / "deep" / "inbox"
    c = run(out, eml)
    files = saved(out)
    assert list(files.values()) == [book], c.problems
    [saved_name] = files
    stem = saved_name.removesuffix(".xlsx")
    assert saved_name.endswith(".xlsx") and stem and len(stem) <= 60
    assert all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in stem)
    assert stem.lower() not in ("con", "nul")
    everything = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert everything == {"mail/m.eml", f"deep/inbox/{saved_name}"}


def test_hostile_and_damaged_mail_is_reported_and_the_batch_goes_on(tmp_path: Path) -> None:
    mail = tmp_path / "mail"
    mail.mkdir()
    (mail / "1-garbage.eml").write_bytes(os.urandom(3000).replace(b"\n", b" "))
    (mail / "2-headers.eml").write_bytes(b"X-Long: " + b"a" * 300_000 + b"\r\n\r\nbody")
    nested = b"Content-Type: multipart/mixed; boundary=b0\r\nFrom: x@y.z\r\n\r\n"
    for i in range(1, 400):
        nested += f"--b{i - 1}\r\nContent-Type: multipart/mixed; boundary=b{i}\r\n\r\n".encode()
    (mail / "3-nested.eml").write_bytes(nested)
    latin1 = (
        b"From: =?bogus?q?x?= J\xf6rg <jorg@example.org>\r\nSubject: R\xe9ponse \xe0 votre "
        b"questionnaire\r\nDate: not a date\r\nMessage-ID: <x@y>\r\n"
        b"Content-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\n"
        b'Content-Type: application/octet-stream; name="r\xe9ponse.xlsx"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n--zz--\r\n"
    )
    (mail / "4-latin1.eml").write_bytes(latin1)
    (mail / "5-broken-mime.eml").write_bytes(
        b"From: a@b.c\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=\r\n\r\n--\r\n"
    )
    good = xlsx_bytes("good")
    write_eml(mail, "6-good.eml", message(attachments=[("good.xlsx", good, XLSX_MIME)]))
    out = tmp_path / "inbox"
    c = run(out, mail)
    assert saved(out)["good.xlsx"] == good
    malformed = [p for p in c.problems if p.code is Code.MAIL_MALFORMED]
    assert {Path(p.location.file or "").name for p in malformed} >= {
        "1-garbage.eml",
        "2-headers.eml",
    }
    for p in malformed:
        assert "skipped" in p.message
    latin = next(m for m in c.messages if m.origin.mailbox.endswith("4-latin1.eml"))
    assert latin.subject == "Réponse à votre questionnaire"
    assert latin.sender == "jorg@example.org" and latin.date == ""
    assert all(m.origin.mailbox.startswith(str(mail)) for m in c.messages)
    assert len(c.messages) == 6  # every file accounted for


def test_the_bounds_stop_oversized_messages_and_attachments(tmp_path: Path) -> None:
    mail = tmp_path / "mail"
    big = xlsx_bytes("x" * 10) + b"\x00" * 5000
    write_eml(mail, "1.eml", message(attachments=[("big.xlsx", big, XLSX_MIME)]))
    bomb = zipped({"inner.xlsx": b"\x00" * 2_000_000})
    write_eml(mail, "2.eml", message(attachments=[("bomb.zip", bomb, "application/zip")]))
    many = [(f"f{i}.txt", b"x", "text/plain") for i in range(12)]
    write_eml(mail, "3.eml", message(attachments=many))
    bounds = MailBounds(max_attachment_bytes=4000, max_attachments=10)
    out = tmp_path / "inbox"
    c = run(out, mail, bounds=bounds)
    assert saved(out) == {}
    codes = [(p.code, Path(p.location.file or "").name) for p in c.problems]
    assert (Code.MAIL_TOO_LARGE, "1.eml") in codes
    assert (Code.MAIL_TOO_LARGE, "2.eml") in codes
    assert (Code.MAIL_TOO_COMPLEX, "3.eml") in codes
    tiny = MailBounds(max_message_bytes=1000)
    c = run(tmp_path / "inbox2", mail / "1.eml", bounds=tiny)
    assert [p.code for p in c.problems] == [Code.MAIL_TOO_LARGE]
    assert "not read" in c.problems[0].message


def test_a_source_that_is_not_there_is_reported_and_the_others_are_read(tmp_path: Path) -> None:
    good = write_eml(tmp_path, "g.eml", message(attachments=[("g.xlsx", xlsx_bytes(), XLSX_MIME)]))
    c = run(tmp_path / "inbox", tmp_path / "missing.mbox", good)
    assert c.saved == 1
    assert [p.code for p in c.problems] == [Code.MAIL_UNREADABLE]
    assert c.problems[0].location.file == str(tmp_path / "missing.mbox")


def test_since_passes_over_older_messages_on_disk_and_keeps_undated_ones(tmp_path: Path) -> None:
    new, old, undated = (xlsx_bytes(t) for t in ("new", "old", "undated"))
    msgs = [
        message(attachments=[("new.xlsx", new, XLSX_MIME)]),
        message(date="Mon, 05 Jan 2026 09:00:00 +0000", attachments=[("old.xlsx", old, XLSX_MIME)]),
        message(date="sometime", attachments=[("undated.xlsx", undated, XLSX_MIME)]),
    ]
    mbox = write_mbox(tmp_path / "all.mbox", msgs)
    bounds = MailBounds()
    out = tmp_path / "inbox"
    c = collect_mail(
        [open_source(str(mbox), bounds=bounds, imap=None)],
        SaveFolder(out),
        since=dt.date(2026, 11, 1),
    )
    assert saved(out) == {"new.xlsx": new, "undated.xlsx": undated}
    assert c.older == 1


def _lying_zip(name: str, size: int, declared: int) -> bytes:
    """A zip whose one entry inflates to SIZE bytes but declares DECLARED (a zip bomb's
    trick: small in the directory, gigabytes when unpacked)."""
    data = bytearray(zipped({name: b"\x00" * size}))
    local = data.index(b"PK\x03\x04")
    data[local + 22 : local + 26] = declared.to_bytes(4, "little")
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = declared.to_bytes(4, "little")
    return bytes(data)


def test_a_zip_entry_that_unpacks_to_more_than_it_declares_is_refused(tmp_path: Path) -> None:
    bomb = _lying_zip("inner.xlsx", 5_000_000, 100)
    msg = message(attachments=[("returns.zip", bomb, "application/zip")])
    out = tmp_path / "inbox"
    c = run(out, write_eml(tmp_path, "bomb.eml", msg))
    assert saved(out) == {}
    [p] = [p for p in c.problems if p.code is Code.ATTACHMENT_UNREADABLE]
    assert "unpacks to more than it declares" in p.message
    assert p.location.file == str(tmp_path / "bomb.eml")
