"""``xlsxkit send`` as a library: each partner's workbook through a real SMTP server on
loopback (aiosmtpd, TLS from a throwaway authority), or as drafts; never twice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import shutil
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import trustme

from tests import smtpserver
from tests.smtpserver import SmtpServer
from tests.test_campaign_cli import run
from xlsxkit.app.send import SendRequest, SendResult, StoreLedger, send
from xlsxkit.campaign.store import Store
from xlsxkit.errors import TemplateError, UsageError
from xlsxkit.outbound.mail.dispatch import TEST_HEADER, Options, Result
from xlsxkit.outbound.mail.ledger import Entry, Outcome
from xlsxkit.outbound.mail.templates import MailKind
from xlsxkit.outbound.mail.transports import (
    DraftsTransport,
    SmtpSettings,
    SmtpTransport,
    TlsMode,
    TransportError,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated"),
    # aiosmtpd counts only STARTTLS as TLS; with implicit TLS the login is encrypted too.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]
smtp_ca = smtpserver.smtp_ca  # the fixture

ROUND = "2027-spring"
#: id, name, contact, email (west has none)
PARTNERS = [
    ("north", "North Trust", "Ada Khan", "ada@north.example.org"),
    ("south", "South Council", "", "ben@south.example.org"),
    ("east", "East & <Co>", "Cy Lee", "cy@east.example.org"),
    ("west", "West Board", "Di Roe", ""),
]
SENT_TO = [p[3] for p in PARTNERS if p[3]]
USER, PASSWORD = "coord@example.org", "app-password-1"


def make_campaign(folder: Path) -> Path:
    assert run("init", folder, cwd=folder.parent).exit_code == 0
    with (folder / "partners.csv").open("a", encoding="utf-8") as fh:
        for org_id, name, contact, address in PARTNERS:
            fh.write(f'{org_id},"{name}",{contact},{address}\n')
    settings = folder / "xlsxkit.yaml"
    text = settings.read_text(encoding="utf-8")
    text = text.replace("\nreturn_to:\n", "\nreturn_to: returns@example.org\n", 1)
    text = text.replace("\n  from:\n", '\n  from: "Programme team <coord@example.org>"\n', 1)
    text = text.replace("\n  reply_to:\n", "\n  reply_to: team@example.org\n", 1)
    assert text.count("example.org>") == 2 and "team@example.org\n" in text
    settings.write_text(text, encoding="utf-8")
    result = run("generate", "--round", "2027 spring", "--deadline", "2099-06-30", cwd=folder)
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def campaign_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_campaign(tmp_path_factory.mktemp("template") / "c")


@pytest.fixture
def campaign(campaign_template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "c"
    shutil.copytree(campaign_template, folder)
    return folder


def workbook(folder: Path, org_id: str) -> Path:
    with Store.open(folder / "xlsxkit.db") as store:
        w = store.workbook_for(ROUND, org_id)
    assert w is not None
    return folder / w.file


def smtp(server: SmtpServer, **kw: object) -> SmtpTransport:
    settings = SmtpSettings(
        host=server.host,
        port=server.port,
        tls=TlsMode.IMPLICIT if server.tls == "implicit" else TlsMode.STARTTLS,
        user=USER if server.auth else "",
        password=PASSWORD if server.auth else "",
        timeout=10,
    )
    return SmtpTransport(dataclasses.replace(settings, **kw), context=server.client_context())


def do_send(folder: Path, transport: object = None, **kw: object) -> SendResult:
    options = kw.pop("options", Options())
    request = SendRequest(
        campaign_dir=folder,
        transport=transport,  # type: ignore[arg-type]
        options=options,  # type: ignore[arg-type]
        today=dt.date(2027, 5, 1),
        **kw,  # type: ignore[arg-type]
    )
    return send(request)


def results(result: SendResult) -> dict[str, Result]:
    return {line.org_id: line.result for line in result.report.lines}


def messages(folder: Path) -> list[tuple[str | None, str, str, str]]:
    with Store.open(folder / "xlsxkit.db") as store:
        return [(m.org_id, m.kind.value, m.result.value, m.error) for m in store.messages()]


@pytest.fixture
def server(smtp_ca: trustme.CA) -> Iterator[SmtpServer]:
    with SmtpServer(ca=smtp_ca, auth=(USER, PASSWORD)) as s:
        yield s


# --------------------------------------------------------------------------------------
# SMTP: exactly what the server receives


def test_starttls_delivers_each_partner_its_workbook_with_the_headers_and_nothing_else(
    campaign: Path, server: SmtpServer
) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    result = do_send(campaign, smtp(server))
    assert results(result) == {
        "north": Result.SENT,
        "south": Result.SENT,
        "east": Result.SENT,
        "west": Result.SKIPPED,
    }
    assert not result.report.failed
    got = {r.recipients[0]: r for r in server.received}
    assert [r.recipients for r in server.received] == [[a] for a in SENT_TO]
    assert all(r.tls and r.user == USER for r in server.received)
    assert [r.mail_from for r in server.received] == ["coord@example.org"] * 3
    ids = {line.org_id: line.message_id for line in result.report.lines}
    for org_id, name, contact, address in PARTNERS[:3]:
        msg = got[address].message
        assert msg["From"] == "Programme team <coord@example.org>"
        assert msg["Reply-To"] == "team@example.org"
        assert msg["To"].addresses[0].addr_spec == address
        assert msg["To"].addresses[0].display_name == (contact or name)
        assert msg["Subject"] == (
            "Engaging people: Building blocks and success criteria self-assessment "
            f"(2027 spring): the workbook for {name}"
        )
        assert msg["Message-ID"] == ids[org_id]
        assert msg["Message-ID"].endswith("@example.org>")
        assert before <= parsedate_to_datetime(msg["Date"]) <= dt.datetime.now(dt.UTC)
        assert "X-Unsent" not in msg
        (attachment,) = list(msg.iter_attachments())
        path = workbook(campaign, org_id)
        assert attachment.get_filename() == path.name
        assert attachment.get_content_type() == (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        assert attachment.get_content() == path.read_bytes()
        text = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        assert text is not None and html is not None
        assert f"Dear {contact or name}," in text.get_content()
        assert "by 30 June 2099" in text.get_content()
        assert "returns@example.org" in text.get_content()
    # The HTML alternative is escaped text, never markup from a name.
    html = got["cy@east.example.org"].message.get_body(("html",))
    assert html is not None
    assert "East &amp; &lt;Co&gt;" in html.get_content() and "<Co>" not in html.get_content()
    assert [line.detail for line in result.report.lines if line.org_id == "west"] == [
        "no email address in the partner list"
    ]
    assert [(o, k, r) for o, k, r, _ in messages(campaign)] == [
        ("north", "send", "failed"),  # [sending], then
        ("north", "send", "sent"),
        ("south", "send", "failed"),
        ("south", "send", "sent"),
        ("east", "send", "failed"),
        ("east", "send", "sent"),
    ]
    assert all(e.startswith("[sending] SMTP 127.0.0.1:") for _, _, r, e in messages(campaign)[::2])


def test_running_again_sends_nothing_and_resend_sends_just_that_partner_again(
    campaign: Path, server: SmtpServer
) -> None:
    do_send(campaign, smtp(server))
    again = do_send(campaign, smtp(server))
    assert set(results(again).values()) == {Result.ALREADY, Result.SKIPPED}
    assert len(server.received) == 3
    resent = do_send(campaign, smtp(server), options=Options(resend=frozenset({"south"})))
    assert results(resent)["south"] is Result.SENT
    assert results(resent)["north"] is Result.ALREADY
    assert [r.recipients for r in server.received][3:] == [["ben@south.example.org"]]
    with pytest.raises(UsageError, match="--resend nowhere: no such organisation"):
        do_send(campaign, smtp(server), options=Options(resend=frozenset({"nowhere"})))


def test_a_refused_message_is_recorded_failed_the_rest_go_on_and_the_next_run_sends_only_it(
    campaign: Path, smtp_ca: trustme.CA
) -> None:
    with SmtpServer(ca=smtp_ca, refuse={2: "451 4.3.0 Try again later"}) as server:
        first = do_send(campaign, smtp(server))
        assert results(first) == {
            "north": Result.SENT,
            "south": Result.FAILED,
            "east": Result.SENT,
            "west": Result.SKIPPED,
        }
        assert first.report.failed
        (south,) = [x for x in first.report.lines if x.org_id == "south"]
        assert "451 4.3.0 Try again later" in south.detail
        assert [r.recipients[0] for r in server.received] == [SENT_TO[0], SENT_TO[2]]
        second = do_send(campaign, smtp(server))
    assert results(second)["south"] is Result.SENT
    assert [r.recipients[0] for r in server.received] == [SENT_TO[0], SENT_TO[2], SENT_TO[1]]
    assert not second.report.failed


def test_a_server_stopping_mid_batch_stops_the_run_and_the_next_run_resumes(
    campaign: Path, smtp_ca: trustme.CA
) -> None:
    with SmtpServer(ca=smtp_ca, stop_after=1) as server:
        first = do_send(campaign, smtp(server))
        assert server.stopped.is_set()
    assert results(first) == {
        "north": Result.SENT,
        "south": Result.FAILED,  # refused with 421 at MAIL: not taken
        "east": Result.FAILED,  # reconnecting failed: the run stopped here
        "west": Result.SKIPPED,
    }
    assert "cannot connect to the mail server" in first.report.stopped
    assert first.report.failed
    assert [r.recipients[0] for r in server.received] == [SENT_TO[0]]
    with SmtpServer(ca=smtp_ca) as later:
        second = do_send(campaign, smtp(later))
    assert results(second) == {
        "north": Result.ALREADY,
        "south": Result.SENT,
        "east": Result.SENT,
        "west": Result.SKIPPED,
    }
    assert [r.recipients[0] for r in later.received] == SENT_TO[1:]


def test_a_connection_lost_while_the_message_was_sent_is_unconfirmed_and_never_resent_unasked(
    campaign: Path, smtp_ca: trustme.CA
) -> None:
    with SmtpServer(ca=smtp_ca, drop={1}) as server:
        first = do_send(campaign, smtp(server))
        assert results(first)["north"] is Result.UNCONFIRMED
        assert results(first)["south"] is Result.SENT  # reconnected for the next one
        assert first.report.failed
        second = do_send(campaign, smtp(server))
        (north,) = [x for x in second.report.lines if x.org_id == "north"]
        assert north.result is Result.UNKNOWN
        assert "--resend north" in north.detail
        assert len(server.received) == 3  # the server did get it: sending again is a double
        third = do_send(campaign, smtp(server), options=Options(resend=frozenset({"north"})))
        assert results(third)["north"] is Result.SENT
        assert [r.recipients[0] for r in server.received] == [*SENT_TO, SENT_TO[0]]


def test_a_run_killed_while_sending_leaves_the_message_unconfirmed_for_the_next_run(
    campaign: Path, server: SmtpServer
) -> None:
    # What a killed process leaves: the entry written before the message was handed over.
    with Store.open(campaign / "xlsxkit.db") as store:
        StoreLedger(store).record(
            Entry(
                round=ROUND,
                org_id="south",
                kind=MailKind.SEND,
                outcome=Outcome.SENDING,
                at=dt.datetime(2027, 5, 1, 9, tzinfo=dt.UTC),
                recipient="ben@south.example.org",
                message_id="<1@example.org>",
                detail="SMTP smtp.example.org:587",
            )
        )
    result = do_send(campaign, smtp(server))
    assert results(result)["south"] is Result.UNKNOWN
    assert [r.recipients[0] for r in server.received] == [SENT_TO[0], SENT_TO[2]]


def test_limit_sends_at_most_n_messages_and_the_next_run_the_rest(
    campaign: Path, server: SmtpServer
) -> None:
    first = do_send(campaign, smtp(server), options=Options(limit=2))
    assert results(first)["east"] is Result.NOT_ATTEMPTED
    assert len(server.received) == 2
    assert not first.report.failed
    second = do_send(campaign, smtp(server), options=Options(limit=2))
    assert results(second)["east"] is Result.SENT
    assert [r.recipients[0] for r in server.received] == SENT_TO


def test_implicit_tls_on_its_own_port(campaign: Path, smtp_ca: trustme.CA) -> None:
    with SmtpServer(ca=smtp_ca, tls="implicit", auth=(USER, PASSWORD)) as server:
        result = do_send(campaign, smtp(server))
    assert not result.report.failed
    assert [r.recipients[0] for r in server.received] == SENT_TO
    assert all(r.tls for r in server.received)


def test_a_server_without_starttls_is_refused_unless_plain_is_asked_for(
    campaign: Path,
) -> None:
    with SmtpServer(tls="plain") as server:
        transport = SmtpTransport(SmtpSettings(host=server.host, port=server.port, timeout=10))
        with pytest.raises(TransportError, match="does not offer STARTTLS") as err:
            do_send(campaign, transport)
        assert "--insecure" in str(err.value)
        assert server.received == []
        assert messages(campaign) == []  # nothing recorded: nothing was attempted
        plain = SmtpSettings(host=server.host, port=server.port, tls=TlsMode.PLAIN, timeout=10)
        result = do_send(campaign, SmtpTransport(plain))
    assert not result.report.failed
    assert [r.recipients[0] for r in server.received] == SENT_TO
    assert not any(r.tls for r in server.received)


def test_an_untrusted_certificate_is_a_clear_error_and_nothing_is_sent(
    campaign: Path, server: SmtpServer
) -> None:
    transport = SmtpTransport(
        SmtpSettings(host=server.host, port=server.port, timeout=10),
        context=ssl.create_default_context(),  # the system's authorities only
    )
    with pytest.raises(TransportError, match="certificate is not trusted") as err:
        do_send(campaign, transport)
    assert f"{server.host}:{server.port}" in str(err.value)
    assert server.received == [] and messages(campaign) == []


def test_a_wrong_password_is_a_clear_error_and_nothing_is_sent(
    campaign: Path, server: SmtpServer
) -> None:
    with pytest.raises(TransportError, match="refused the user name or password") as err:
        do_send(campaign, smtp(server, password="wrong"))
    assert "app password" in str(err.value) and "wrong" not in str(err.value)
    assert server.received == [] and messages(campaign) == []


# --------------------------------------------------------------------------------------
# drafts


def parse(path: Path) -> EmailMessage:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_drafts_parse_back_with_x_unsent_and_the_workbook_attached(campaign: Path) -> None:
    result = do_send(campaign)  # the default: drafts in the round's folder
    drafts = campaign / "rounds" / ROUND / "drafts"
    assert sorted(p.name for p in drafts.iterdir()) == [
        "east-co.eml",
        "north-trust.eml",
        "south-council.eml",
    ]
    assert results(result)["north"] is Result.DRAFTED
    for org_id, name, _, address in PARTNERS[:3]:
        (path,) = [Path(x.detail) for x in result.report.lines if x.org_id == org_id and x.detail]
        msg = parse(path)
        assert msg["X-Unsent"] == "1"
        assert msg["To"].addresses[0].addr_spec == address
        assert name in msg["Subject"]
        (attachment,) = list(msg.iter_attachments())
        assert attachment.get_content() == workbook(campaign, org_id).read_bytes()
    assert [r for _, _, r, _ in messages(campaign)].count("drafted") == 3


def test_a_draft_made_again_never_overwrites_the_first(campaign: Path) -> None:
    drafts = campaign / "drafts"
    do_send(campaign, DraftsTransport(drafts))
    first = (drafts / "north-trust.eml").read_bytes()
    do_send(campaign, DraftsTransport(drafts), options=Options(resend=frozenset({"north"})))
    assert (drafts / "north-trust.eml").read_bytes() == first
    assert parse(drafts / "north-trust-2.eml")["X-Unsent"] == "1"


def test_an_interrupted_draft_is_settled_by_looking_in_the_folder(campaign: Path) -> None:
    drafts = campaign / "drafts"
    transport = DraftsTransport(drafts)
    do_send(campaign, transport)
    north = parse(drafts / "north-trust.eml")["Message-ID"]
    with Store.open(campaign / "xlsxkit.db") as store:
        ledger = StoreLedger(store)
        for org_id, message_id in (("north", north), ("south", "<never@example.org>")):
            # As a run killed after (north) or before (south) the draft's rename leaves it.
            ledger.record(
                Entry(
                    round=ROUND,
                    org_id=org_id,
                    kind=MailKind.SEND,
                    outcome=Outcome.SENDING,
                    at=dt.datetime.now(dt.UTC),
                    recipient="x@example.org",
                    message_id=message_id,
                    detail=transport.ident,
                )
            )
    (drafts / "south-council.eml").unlink()
    again = do_send(campaign, DraftsTransport(drafts))
    assert results(again)["north"] is Result.ALREADY  # its draft is there
    assert results(again)["south"] is Result.DRAFTED  # its draft was never written
    assert results(again)["east"] is Result.ALREADY


# --------------------------------------------------------------------------------------
# reminders, test runs, feedback


#: When the returns were seen: a fixed day in the past, before any reminder of the tests.
SEEN = dt.datetime(2026, 11, 3, 9, 30, tzinfo=dt.UTC)


def record_returns(folder: Path) -> None:
    """North accepted, south blank, east rejected, west nothing."""
    from xlsxkit.campaign.store import AcceptedReturn

    with Store.open(folder / "xlsxkit.db") as store:
        ok = store.record_file(
            sha256="a" * 64,
            location=folder / "rounds/2027-spring/inbox/north.xlsx",
            size=10,
            seen_at=SEEN,
            status="accepted",
            org_id="north",
            round_slug=ROUND,
        )
        for sha, org_id, status, reason in (
            ("b", "south", "blank", ""),
            ("c", "east", "rejected", "this is the 2026 autumn workbook"),
        ):
            store.record_file(
                sha256=sha * 64,
                location=folder / f"rounds/2027-spring/inbox/{org_id}.xlsx",
                size=10,
                seen_at=SEEN,
                status=status,
                reason=reason,
                org_id=org_id,
                round_slug=ROUND,
            )
        store.set_accepted(
            AcceptedReturn(round_slug=ROUND, org_id="north", file_id=ok.id, accepted_at=SEEN)
        )


def test_remind_goes_to_blank_rejected_and_missing_saying_why_and_not_to_accepted(
    campaign: Path, server: SmtpServer
) -> None:
    record_returns(campaign)
    result = do_send(campaign, smtp(server), kind=MailKind.REMIND)
    assert results(result) == {"south": Result.SENT, "east": Result.SENT, "west": Result.SKIPPED}
    assert "1 partner with an accepted return is not reminded" in result.notes
    got = {r.recipients[0]: r.message for r in server.received}
    assert sorted(got) == ["ben@south.example.org", "cy@east.example.org"]
    south = got["ben@south.example.org"]
    assert south["Subject"].startswith("Reminder: ")
    text = south.get_body(("plain",))
    assert text is not None
    assert "the workbook you sent on 3 November 2026 was blank" in text.get_content()
    east = got["cy@east.example.org"].get_body(("plain",))
    assert east is not None
    assert "could not be used: this is the 2026 autumn workbook" in east.get_content()
    (attachment,) = list(south.iter_attachments())
    assert attachment.get_content() == workbook(campaign, "south").read_bytes()
    # Reminders and the first message are recorded apart; a reminder goes once.
    assert {k for _, k, _, _ in messages(campaign)} == {"remind"}
    again = do_send(campaign, smtp(server), kind=MailKind.REMIND)
    assert results(again)["south"] is Result.ALREADY
    assert len(server.received) == 2


def test_remind_includes_a_partner_that_has_not_answered_at_all(
    campaign: Path, server: SmtpServer
) -> None:
    result = do_send(campaign, smtp(server), kind=MailKind.REMIND)
    assert set(results(result)) == {"north", "south", "east", "west"}
    text = server.received[0].message.get_body(("plain",))
    assert text is not None and "we have not received your workbook yet" in text.get_content()


def test_to_redirects_every_message_and_is_recorded_as_a_test_that_does_not_count(
    campaign: Path, server: SmtpServer
) -> None:
    test = do_send(campaign, smtp(server), options=Options(redirect="me@example.org"))
    assert [r.recipients for r in server.received] == [["me@example.org"]] * 3
    assert [r.message[TEST_HEADER] for r in server.received] == SENT_TO
    assert all(e.startswith("[test for ") for _, _, _, e in messages(campaign))
    assert test.report.redirected_to == "me@example.org"
    real = do_send(campaign, smtp(server))
    assert [r.recipients[0] for r in server.received][3:] == SENT_TO
    assert results(real)["north"] is Result.SENT


def test_dry_run_sends_writes_and_records_nothing(campaign: Path, server: SmtpServer) -> None:
    result = do_send(campaign, smtp(server), options=Options(dry_run=True))
    assert results(result)["north"] is Result.WOULD_SEND
    (north,) = [x for x in result.report.lines if x.org_id == "north"]
    assert "north-trust.xlsx" in north.detail and north.to == "ada@north.example.org"
    assert server.received == [] and messages(campaign) == []


def test_feedback_without_feedback_workbooks_says_what_to_run(campaign: Path) -> None:
    from xlsxkit.errors import JobFailed

    with pytest.raises(JobFailed, match="run 'xlsxkit feedback' first"):
        do_send(campaign, kind=MailKind.FEEDBACK)


def test_feedback_attaches_each_partners_feedback_and_skips_those_without(
    campaign: Path, server: SmtpServer
) -> None:
    folder = campaign / "rounds" / ROUND / "feedback"
    folder.mkdir()
    stem = workbook(campaign, "north").stem
    (folder / f"{stem}-feedback.xlsx").write_bytes(b"PK\x03\x04 feedback for north")
    (folder / f"{stem}-feedback.pdf").write_bytes(b"%PDF-1.4 feedback for north")
    result = do_send(campaign, smtp(server), kind=MailKind.FEEDBACK)
    assert results(result)["north"] is Result.SENT
    assert results(result)["south"] is Result.SKIPPED
    (south,) = [x for x in result.report.lines if x.org_id == "south"]
    problem = south.problem()
    assert problem is not None and problem.code.value == "no-feedback-file"
    assert problem.severity.value == "info"
    (received,) = server.received
    names = [(a.get_filename(), a.get_content_type()) for a in received.message.iter_attachments()]
    assert names == [
        (
            f"{stem}-feedback.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (f"{stem}-feedback.pdf", "application/pdf"),
    ]


def test_a_misspelt_placeholder_is_reported_with_its_file_and_line(campaign: Path) -> None:
    template = campaign / "templates" / "email.txt"
    lines = template.read_text(encoding="utf-8").splitlines()
    at = next(i for i, x in enumerate(lines) if "$deadline" in x and not x.startswith("#"))
    lines[at] = lines[at].replace("$deadline", "$dedline")
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=rf"email.txt:{at + 1}: unknown placeholder \$dedline"):
        do_send(campaign)
    assert messages(campaign) == []


# --------------------------------------------------------------------------------------
# outside a campaign


def test_a_batch_outside_a_campaign_keeps_a_send_log_beside_it(
    campaign: Path, tmp_path: Path
) -> None:
    outbox = campaign / "rounds" / ROUND / "outbox"
    batch = tmp_path / "batch"
    shutil.copytree(outbox, batch)
    drafts = tmp_path / "drafts"
    request = SendRequest(
        outbox=batch,
        round_name="2027 spring",
        transport=DraftsTransport(drafts),
        mail_from="coord@example.org",
        return_to="returns@example.org",
        deadline=dt.date(2099, 6, 30),
    )
    first = send(request)
    assert results(first)["north"] is Result.DRAFTED
    assert results(first)["west"] is Result.SKIPPED
    log = (batch / "send-log.csv").read_text(encoding="utf-8-sig").splitlines()
    assert log[0].startswith("at,round,org_id,kind,outcome,")
    assert [line.split(",")[4] for line in log[1:]] == ["sending", "drafted"] * 3
    second = send(dataclasses.replace(request, transport=DraftsTransport(drafts)))
    assert results(second)["north"] is Result.ALREADY
    assert len(list(drafts.glob("*.eml"))) == 3
    msg = parse(drafts / "north-trust.eml")
    assert msg["Reply-To"] == "returns@example.org"  # From is another address
    with pytest.raises(TemplateError, match=r"uses \$deadline, but no --deadline was given"):
        send(dataclasses.replace(request, deadline=None))
