"""Outlook .msg files: read with olefile, MAPI properties read by xlsxkit.

Two kinds of fixtures:

- *Real Outlook-made files* from a public corpus: the three .msg files in the source
  distribution of ``msg-parser`` 1.2.0 on PyPI (BSD licence; ``tests/files/complete.msg``,
  ``other.msg``, ``outer.msg``). They are fetched at test time with pip into a cache folder
  (``XLSXKIT_TEST_CACHE``, default ``~/.cache/xlsxkit-tests``), never committed; the tests
  that need them are skipped, saying why, when the registry cannot be reached.
- *Files these tests build* with the compound-file writer in ``tests/cfbwriter.py``: not made
  by Outlook, but laid out as [MS-OXMSG] says, with exactly the attachments a case needs
  (a workbook, a signature image, an embedded Outlook item, an out-of-office class).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.cfbwriter import MsgAttachment, write_msg
from tests.mailmaker import XLSX_MIME, xlsx_bytes
from xlsxkit.codes import Code
from xlsxkit.inbound.mail import MailBounds, MessageOutcome, SaveFolder, collect_mail, open_source
from xlsxkit.inbound.mail.attachments import AttachmentKind

CORPUS = ("msg-parser", "1.2.0")
CORPUS_FILES = ("complete.msg", "other.msg", "outer.msg")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _cache() -> Path:
    return Path(os.environ.get("XLSXKIT_TEST_CACHE", Path.home() / ".cache" / "xlsxkit-tests"))


@pytest.fixture(scope="session")
def outlook_corpus() -> Path:
    """The folder of the real Outlook .msg files (fetched once from PyPI, then cached)."""
    name, version = CORPUS
    folder = _cache() / f"{name}-{version}"
    if all((folder / f).is_file() for f in CORPUS_FILES):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                "--dest",
                str(folder),
                f"{name}=={version}",
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        [sdist] = folder.glob("*.tar.gz")
        with tarfile.open(sdist) as tar:
            for member in tar.getmembers():
                base = member.name.rsplit("/", 1)[-1]
                if member.isfile() and base in CORPUS_FILES and "/tests/files/" in member.name:
                    extracted = tar.extractfile(member)
                    assert extracted is not None
                    (folder / base).write_bytes(extracted.read())
    except (subprocess.SubprocessError, OSError, ValueError, tarfile.TarError) as exc:
        pytest.skip(
            f"the Outlook .msg corpus ({name} {version} from PyPI) could not be fetched: {exc}"
        )
    if not all((folder / f).is_file() for f in CORPUS_FILES):
        pytest.skip(f"the {name} {version} source distribution did not hold {CORPUS_FILES}")
    return folder


def collect(out: Path, *paths: Path):  # type: ignore[no-untyped-def]
    bounds = MailBounds()
    return collect_mail(
        [open_source(str(p), bounds=bounds, imap=None) for p in paths],
        SaveFolder(out),
        bounds=bounds,
        partners={"north@example.org": "North Trust"},
    )


HEADERS = (
    "Message-ID: <msg-1@example.org>\r\nDate: Thu, 03 Dec 2026 09:30:00 +0000\r\n"
    "From: North Trust <north@example.org>\r\nSubject: Re: assessment\r\n\r\n"
)


def test_an_outlook_message_s_workbook_is_saved_and_its_headers_kept(tmp_path: Path) -> None:
    book = xlsx_bytes("msg")
    data = write_msg(
        subject="Re: assessment",
        sender="north@example.org",
        body="Attached.",
        headers=HEADERS,
        attachments=[
            MsgAttachment("Assessment – North.xlsx", book, XLSX_MIME),
            MsgAttachment("image001.png", PNG, "image/png"),
            MsgAttachment("Fwd: earlier mail", b"", embedded=True),
        ],
    )
    path = tmp_path / "reply.msg"
    path.write_bytes(data)
    out = tmp_path / "inbox"
    c = collect(out, path)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {"assessment-north.xlsx": book}
    [m] = c.messages
    assert (m.message_id, m.sender, m.date, m.subject) == (
        "<msg-1@example.org>",
        "north@example.org",
        "2026-12-03T09:30:00+00:00",
        "Re: assessment",
    )
    assert c.skipped == {AttachmentKind.IMAGE: 1} and c.embedded == 1
    assert path.read_bytes() == data


def test_without_transport_headers_the_sender_and_submit_time_come_from_the_properties(
    tmp_path: Path,
) -> None:
    sent = dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)
    path = tmp_path / "draft.msg"
    path.write_bytes(write_msg(subject="Our return", sender="North@Example.org", sent=sent))
    c = collect(tmp_path / "inbox", path)
    [m] = c.messages
    assert (m.sender, m.date, m.outcome) == (
        "north@example.org",
        sent.isoformat(),
        MessageOutcome.NO_WORKBOOK,
    )
    [p] = c.problems
    assert p.code is Code.REPLY_WITHOUT_WORKBOOK
    assert p.message.startswith("North Trust replied on 4 Dec 2026 without a workbook")


def test_an_outlook_out_of_office_message_is_an_automatic_reply(tmp_path: Path) -> None:
    path = tmp_path / "oof.msg"
    path.write_bytes(
        write_msg(
            subject="Away",
            sender="north@example.org",
            message_class="IPM.Note.Rules.OofTemplate.Microsoft",
            attachments=[MsgAttachment("n.xlsx", xlsx_bytes(), XLSX_MIME)],
        )
    )
    c = collect(tmp_path / "inbox", path)
    assert c.count(MessageOutcome.AUTO_REPLY) == 1 and c.saved == 0


def test_a_msg_is_read_as_one_whatever_its_name_and_a_damaged_one_is_reported(
    tmp_path: Path,
) -> None:
    mail = tmp_path / "mail"
    mail.mkdir()
    data = write_msg(
        subject="s",
        sender="north@example.org",
        headers=HEADERS,
        attachments=[MsgAttachment("n.xlsx", xlsx_bytes("renamed"), XLSX_MIME)],
    )
    (mail / "1-renamed.eml").write_bytes(data)
    (mail / "2-truncated.msg").write_bytes(data[: len(data) // 2])
    (mail / "3-not-ole.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600)
    c = collect(tmp_path / "inbox", mail)
    assert c.saved == 1
    bad = sorted(
        Path(p.location.file or "").name for p in c.problems if p.code is Code.MAIL_MALFORMED
    )
    assert bad == ["2-truncated.msg", "3-not-ole.msg"]
    assert len(c.messages) == 3


def test_real_outlook_messages_are_read(tmp_path: Path, outlook_corpus: Path) -> None:
    """Outlook-made files (msg-parser's corpus): six embedded messages, a Word file, a text
    file, a PDF and a photo; a Chinese-subject bounce; a message with only an Outlook item."""
    c = collect(tmp_path / "inbox", *(outlook_corpus / f for f in CORPUS_FILES))
    complete, other, outer = c.messages
    assert complete.subject == "Test Multiple attachments complete email!!"
    assert complete.sender == "admin@fegraph.onmicrosoft.com"
    assert complete.date == "2018-10-29T18:12:29+00:00"
    assert complete.message_id.endswith("namprd17.prod.outlook.com>")
    assert other.subject == "投递状态通知 (Failure Notice)"
    assert other.sender == "mailer-daemon@tjdpf.org.cn"
    assert outer.subject == "outer subject" and outer.sender == ""
    assert c.embedded == 6 + 1 + 1
    assert c.skipped == {AttachmentKind.OTHER: 3, AttachmentKind.IMAGE: 1}
    assert c.saved == 0 and c.problems == []
    assert all(m.outcome is MessageOutcome.NO_WORKBOOK for m in c.messages)
