"""The pure parts of sending: templates, the HTML alternative, the ledger and its log, the
run's rules (pause, limit, resend) over a transport that records what it is given."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import string
import tempfile
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlsxkit.errors import TemplateError
from xlsxkit.outbound.mail.compose import Sender, html_alternative
from xlsxkit.outbound.mail.dispatch import Options, Planned, Result, dispatch
from xlsxkit.outbound.mail.ledger import (
    CsvLedger,
    Entry,
    MemoryLedger,
    Outcome,
    Standing,
    latest,
    standing,
)
from xlsxkit.outbound.mail.templates import (
    PLACEHOLDERS,
    MailKind,
    default_template_path,
    load_mail_template,
)
from xlsxkit.outbound.mail.transports import Delivered, Delivery

SENDER = Sender(from_="Team <team@example.org>")
NOW = dt.datetime(2027, 5, 1, 9, 0, tzinfo=dt.UTC)


# templates ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(MailKind))
def test_the_bundled_templates_load_and_use_only_their_placeholders(kind: MailKind) -> None:
    template = load_mail_template(kind, default_template_path(kind))
    rendered = template.render({p: f"<{p}>" for p in PLACEHOLDERS[kind]})
    assert "<org_name>" in rendered.subject
    assert rendered.body.startswith("Dear <contact>,\n")
    assert "$" not in rendered.subject + rendered.body


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Dear $contact,\n", r"t.txt:1: the template must start with a line 'Subject: \.\.\.'"),
        ("Subject: Hi\nDear $contact,\n", "t.txt:2: after the 'Subject:' line comes a blank"),
        ("From: me@example.org\n\nHi\n", "t.txt:1: 'From:' is not a header a template may set"),
        ("Subject:\n\nHi\n", "t.txt:1: the subject is empty"),
        ("Subject: a\nSubject: b\n\nHi\n", "t.txt:2: a second 'Subject:' line"),
        ("Subject: Hi\n\n", "t.txt: the template has a subject but no body"),
        ("# only a comment\n", "t.txt: the email template .* is empty"),
        ("Subject: Hi\n\nDue $dedline\n", r"t.txt:3: unknown placeholder \$dedline"),
        ("Subject: Hi $reason\n\nx\n", r"t.txt:1: unknown placeholder \$reason"),
        ("Subject: Hi\n\nCost: 5$\n", "t.txt:3: a '\\$' that is not a placeholder"),
    ],
)
def test_a_template_mistake_is_reported_with_its_line(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError, match=message):
        load_mail_template(MailKind.SEND, path)


def test_comments_and_blank_lines_above_the_subject_are_allowed(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("# note\n\nSubject: For $org_name\n\n\nDear $contact,\n\n", "utf-8")
    template = load_mail_template(MailKind.REMIND, path)
    values = dict.fromkeys(PLACEHOLDERS[MailKind.REMIND], "X")
    assert template.render(values).body == "Dear X,\n"
    assert template.uses("contact") == 6 and template.uses("deadline") is None


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_a_value_never_breaks_the_subject_into_two_lines(name: str) -> None:
    from xlsxkit.outbound.mail.templates import MailTemplate

    template = MailTemplate(
        source="t", kind=MailKind.SEND, subject=(1, "For $org_name"), body=((3, "x"),)
    )
    subject = template.render({"org_name": name}).subject
    assert not any(c in subject for c in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


# the HTML alternative -----------------------------------------------------------------


@given(st.text(max_size=200))
def test_the_html_alternative_is_the_text_escaped(text: str) -> None:
    import html

    page = html_alternative(text)
    body = page.split("<body", 1)[1].split(">", 1)[1].rsplit("</body>", 1)[0]
    stripped = body.replace("<p>", "").replace("</p>", "").replace("<br>", "")
    assert "<" not in stripped and ">" not in stripped

    words = [w for w in text.split() if w]
    assert all(html.escape(w) in body for w in words)


# the ledger ---------------------------------------------------------------------------

#: Any text a field may hold, but a lone CR (csv turns it into a line break), NUL, and a
#: leading apostrophe: every xlsxkit CSV reads "'=x" back as "=x" (csvsafe's neutralising).
field_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"),
    max_size=40,
).filter(lambda t: not t.startswith("'"))

entries = st.builds(
    Entry,
    round=field_text,
    org_id=field_text,
    kind=st.sampled_from(list(MailKind)),
    outcome=st.sampled_from(list(Outcome)),
    at=st.datetimes(
        min_value=dt.datetime(2000, 1, 1),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.just(dt.UTC),
    ).map(lambda d: d.replace(microsecond=0)),
    recipient=field_text,
    file=field_text,
    message_id=field_text,
    detail=field_text,
    redirected_from=field_text,
)


@given(st.lists(entries, max_size=8))
def test_the_send_log_reads_back_every_entry_it_wrote(items: list[Entry]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        log = CsvLedger(Path(folder) / "send-log.csv")
        for entry in items:
            log.record(entry)
        assert list(log.entries()) == items


def test_a_torn_last_line_of_the_log_is_ignored_and_never_swallows_the_next(
    tmp_path: Path,
) -> None:
    log = CsvLedger(tmp_path / "send-log.csv")
    first = Entry(
        round="r", org_id="a", kind=MailKind.SEND, outcome=Outcome.SENT, at=NOW, recipient="x"
    )
    log.record(first)
    with log.path.open("a", encoding="utf-8") as fh:
        fh.write("2027-05-01T09:00:00+00:00,r,b,send,sen")  # a crash in mid-line
    second = Entry(
        round="r", org_id="b", kind=MailKind.SEND, outcome=Outcome.FAILED, at=NOW, recipient="y"
    )
    log.record(second)
    assert list(log.entries()) == [first, second]


def test_a_file_that_is_not_a_send_log_is_refused(tmp_path: Path) -> None:
    from xlsxkit.outbound.mail.ledger import LedgerError

    path = tmp_path / "send-log.csv"
    path.write_text("id,name\n1,2\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="not a send log written by xlsxkit"):
        CsvLedger(path).entries()


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ((), Standing.NEW),
        ((Outcome.SENDING,), Standing.UNKNOWN),
        ((Outcome.SENDING, Outcome.SENT), Standing.DONE),
        ((Outcome.SENDING, Outcome.FAILED), Standing.FAILED),
        ((Outcome.SENDING, Outcome.UNCONFIRMED), Standing.UNKNOWN),
        ((Outcome.SENDING, Outcome.DRAFTED, Outcome.SENDING), Standing.UNKNOWN),
        ((Outcome.SENDING, Outcome.FAILED, Outcome.SENDING, Outcome.SENT), Standing.DONE),
    ],
)
def test_the_latest_entry_decides(outcomes: tuple[Outcome, ...], expected: Standing) -> None:
    log = [
        Entry(round="r", org_id="a", kind=MailKind.SEND, outcome=o, at=NOW, recipient="x")
        for o in outcomes
    ]
    # A test run's entries never count, whatever they say.
    log.append(
        Entry(
            round="r",
            org_id="a",
            kind=MailKind.SEND,
            outcome=Outcome.SENT,
            at=NOW,
            recipient="me",
            redirected_from="x",
        )
    )
    assert standing(latest(log).get(("r", "a", MailKind.SEND))) is expected


# the run ------------------------------------------------------------------------------


class Recorder:
    """A transport that takes every message and keeps it."""

    done = Outcome.SENT
    where = ident = "recorder"

    def __init__(self) -> None:
        self.taken: list[EmailMessage] = []
        self.opened = 0

    def open(self) -> None:
        self.opened += 1

    def close(self) -> None:
        pass

    def deliver(self, message: EmailMessage, *, name: str) -> Delivery:
        parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.taken.append(parsed)
        return Delivery(status=Delivered.ACCEPTED, detail="taken")

    def handing_over(self) -> bool:
        return False

    def settle(self, entry: Entry) -> Outcome | None:
        return None


def planned(*org_ids: str) -> list[Planned]:
    return [
        Planned(
            round="r",
            org_id=o,
            org_name=o.title(),
            kind=MailKind.SEND,
            to=f"{o}@example.org",
            to_name=o.title(),
            subject=f"For {o}",
            body="Hello\n",
        )
        for o in org_ids
    ]


def test_the_pause_comes_between_messages_never_before_the_first() -> None:
    waits: list[float] = []
    report = dispatch(
        planned("a", "b", "c"),
        transport=Recorder(),
        ledger=MemoryLedger(),
        sender=SENDER,
        options=Options(pause=2.5),
        sleep=waits.append,
    )
    assert waits == [2.5, 2.5]
    assert [x.result for x in report.lines] == [Result.SENT] * 3


def test_nothing_to_send_opens_no_connection() -> None:
    ledger = MemoryLedger()
    transport = Recorder()
    dispatch(planned("a"), transport=transport, ledger=ledger, sender=SENDER, options=Options())
    again = dispatch(
        planned("a"), transport=transport, ledger=ledger, sender=SENDER, options=Options()
    )
    assert transport.opened == 1
    assert [x.result for x in again.lines] == [Result.ALREADY]


def test_a_dry_run_opens_nothing_and_records_nothing() -> None:
    ledger = MemoryLedger()
    transport = Recorder()
    report = dispatch(
        planned("a", "b"),
        transport=transport,
        ledger=ledger,
        sender=SENDER,
        options=Options(dry_run=True, limit=1),
    )
    assert [x.result for x in report.lines] == [Result.WOULD_SEND, Result.NOT_ATTEMPTED]
    assert transport.opened == 0 and transport.taken == [] and ledger.entries() == ()


def test_every_message_id_is_unique_and_on_the_senders_domain() -> None:
    transport = Recorder()
    dispatch(
        planned(*string.ascii_lowercase),
        transport=transport,
        ledger=MemoryLedger(),
        sender=SENDER,
        options=Options(),
    )
    ids = [m["Message-ID"] for m in transport.taken]
    assert len(set(ids)) == 26 and all(i.endswith("@example.org>") for i in ids)


@pytest.mark.parametrize(
    ("name", "mime"),
    [
        ("a.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("a.XLSM", "application/vnd.ms-excel.sheet.macroEnabled.12"),
        ("a.ods", "application/vnd.oasis.opendocument.spreadsheet"),
        ("a.xls", "application/vnd.ms-excel"),
        ("a-feedback.pdf", "application/pdf"),
    ],
)
def test_an_attachment_has_the_mime_type_of_its_kind(tmp_path: Path, name: str, mime: str) -> None:
    from xlsxkit.outbound.mail.compose import Attachment, Letter, compose

    path = tmp_path / name
    path.write_bytes(bytes(range(256)) * 4)
    letter = Letter(
        to_name="A",
        to_address="a@example.org",
        subject="s",
        body="b\n",
        attachments=(Attachment.read(path),),
    )
    msg = compose(letter, sender=SENDER, message_id="<1@example.org>", now=NOW)
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    (part,) = list(parsed.iter_attachments())
    assert part.get_content_type() == mime.lower()
    assert part.get_filename() == name
    assert part.get_content() == path.read_bytes()


def test_only_spreadsheets_and_pdfs_are_attached(tmp_path: Path) -> None:
    from xlsxkit.outbound.mail.compose import Attachment, ComposeError

    (tmp_path / "a.exe").write_bytes(b"MZ")
    with pytest.raises(ComposeError, match="attaches only"):
        Attachment.read(tmp_path / "a.exe")
    with pytest.raises(ComposeError, match=r"a\.xlsx"):
        Attachment.read(tmp_path / "a.xlsx")  # missing
