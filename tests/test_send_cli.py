"""``xlsxkit send`` on the command line: what it prints and its exit codes, against a real
SMTP server on loopback (tests/smtpserver.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from click.testing import CliRunner, Result

from tests import procs, smtpserver
from tests.smtpserver import SmtpServer, ca_file
from tests.test_send import PASSWORD, SENT_TO, USER, make_campaign
from xlsxkit.cli import cli
from xlsxkit.cli.send import PASSWORD_ENV

pytestmark = pytest.mark.filterwarnings("ignore:Session.login_data is deprecated")
smtp_ca = smtpserver.smtp_ca  # the fixture


def send(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, input: str = ""
) -> Result:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, ["send", *map(str, args)], env=env, input=input)
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def campaign_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_campaign(tmp_path_factory.mktemp("template") / "c")


@pytest.fixture
def campaign(campaign_template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "c"
    shutil.copytree(campaign_template, folder)
    return folder


@pytest.fixture
def trusted(smtp_ca: trustme.CA, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a machine that trusts the test authority, with the password."""
    yield {"SSL_CERT_FILE": str(ca_file(smtp_ca, tmp_path)), PASSWORD_ENV: PASSWORD}


def test_send_through_smtp_prints_a_line_per_partner_and_exits_0(
    campaign: Path, smtp_ca: trustme.CA, trusted: dict[str, str]
) -> None:
    with SmtpServer(ca=smtp_ca, auth=(USER, PASSWORD)) as server:
        where = f"127.0.0.1:{server.port}"
        result = send("--smtp", where, "--user", USER, cwd=campaign, env=trusted)
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[0].startswith(f"Round '2027 spring': workbooks via SMTP {where} (recorded in")
        assert "  North Trust    sent  ada@north.example.org: 250 2.0.0 OK queued" in lines
        assert (
            "  West Board     skipped: no email address in the partner list [no-email-address]"
            in lines
        )
        assert lines[-1] == "3 sent, 1 skipped."
        assert PASSWORD not in result.output
        again = send("--smtp", where, "--user", USER, cwd=campaign, env=trusted)
        assert again.exit_code == 0, again.output
        assert again.output.splitlines()[-1] == "3 already, 1 skipped."
    assert [r.recipients[0] for r in server.received] == SENT_TO


def test_the_password_is_asked_for_when_the_environment_has_none(
    campaign: Path, smtp_ca: trustme.CA, trusted: dict[str, str]
) -> None:
    env = {**trusted, PASSWORD_ENV: ""}
    with SmtpServer(ca=smtp_ca, auth=(USER, PASSWORD)) as server:
        args = ("--smtp", f"127.0.0.1:{server.port}", "--user", USER, "--limit", "1")
        result = send(*args, cwd=campaign, env=env, input=PASSWORD + "\n")
        assert result.exit_code == 0, result.output
        assert f"SMTP password for {USER}" in result.output
        assert PASSWORD not in result.output
        wrong = send(*args, cwd=campaign, env=env, input="nope\n")
    assert wrong.exit_code == 1
    assert "refused the user name or password" in wrong.output
    assert len(server.received) == 1


def test_a_failed_message_is_exit_1_and_the_others_are_sent(
    campaign: Path, smtp_ca: trustme.CA, trusted: dict[str, str]
) -> None:
    with SmtpServer(ca=smtp_ca, refuse={1: "550 5.1.1 No such user"}) as server:
        result = send("--smtp", f"127.0.0.1:{server.port}", cwd=campaign, env=trusted)
    assert result.exit_code == 1
    assert "North Trust    FAILED  ada@north.example.org: the server refused the message" in (
        result.output
    )
    assert "550 5.1.1 No such user) [send-failed]" in result.output
    assert result.output.splitlines()[-1] == "2 sent, 1 failed, 1 skipped."


def test_plain_smtp_needs_insecure_which_warns(campaign: Path, trusted: dict[str, str]) -> None:
    with SmtpServer(tls="plain") as server:
        where = f"127.0.0.1:{server.port}"
        refused = send("--smtp", where, cwd=campaign, env=trusted)
        assert refused.exit_code == 1
        assert "does not offer STARTTLS" in refused.output and "--insecure" in refused.output
        assert server.received == []
        allowed = send("--smtp", where, "--insecure", cwd=campaign, env=trusted)
    assert allowed.exit_code == 0, allowed.output
    assert "warning: --insecure: the connection to" in allowed.output
    assert "is NOT encrypted" in allowed.output
    assert len(server.received) == 3


def test_an_untrusted_certificate_is_exit_1_with_what_to_do(
    campaign: Path, smtp_ca: trustme.CA
) -> None:
    with SmtpServer(ca=smtp_ca) as server:
        result = send("--smtp", f"127.0.0.1:{server.port}", cwd=campaign, env={})
    assert result.exit_code == 1
    assert "Error: 127.0.0.1:" in result.output
    assert "the server's certificate is not trusted" in result.output
    assert server.received == []


def test_implicit_tls_is_chosen_with_tls(
    campaign: Path, smtp_ca: trustme.CA, trusted: dict[str, str]
) -> None:
    with SmtpServer(ca=smtp_ca, tls="implicit") as server:
        result = send(
            "--smtp", f"127.0.0.1:{server.port}", "--tls", "tls", cwd=campaign, env=trusted
        )
    assert result.exit_code == 0, result.output
    assert all(r.tls for r in server.received) and len(server.received) == 3


def test_drafts_dry_run_and_to(campaign: Path, tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    dry = send("--drafts", drafts, "--dry-run", cwd=campaign)
    assert dry.exit_code == 0, dry.output
    assert "(dry run, nothing sent or recorded)" in dry.output
    assert "  North Trust    would send  ada@north.example.org: '" in dry.output
    assert not drafts.exists()
    test = send("--drafts", drafts, "--to", "me@example.org", cwd=campaign)
    assert test.exit_code == 0, test.output
    assert "TEST RUN: every message goes to me@example.org, not to the partners" in test.output
    assert "North Trust    drafted  me@example.org:" in test.output
    real = send("--drafts", drafts, cwd=campaign)
    assert "North Trust    drafted  ada@north.example.org:" in real.output
    assert len(list(drafts.glob("*.eml"))) == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--remind", "--feedback"), "give --remind or --feedback, not both"),
        (("--drafts", "d", "--smtp", "h"), "give --drafts DIR or --smtp HOST, not both"),
        (("--smtp", "h:99999"), "the port must be a number from 1 to 65535"),
        (("--insecure",), "--tls, --insecure and --user go with --smtp HOST"),
        (("--smtp", "h", "--insecure", "--tls", "tls"), "contradict each other"),
        (("--to", "not-an-address"), "is not an email address"),
        (("--resend", "nowhere", "--dry-run"), "--resend nowhere: no such organisation"),
        (("--limit", "0"), "0 is not in the range x>=1"),
    ],
)
def test_usage_errors_are_exit_2(campaign: Path, args: tuple[str, ...], message: str) -> None:
    result = send(*args, cwd=campaign)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_outside_a_campaign_it_says_what_to_give(tmp_path: Path, campaign: Path) -> None:
    result = send(cwd=tmp_path)
    assert result.exit_code == 1
    assert "this folder is not in one" in result.output
    assert "xlsxkit send OUTBOX --drafts DIR" in result.output
    outbox = campaign / "rounds" / "2027-spring" / "outbox"
    no_transport = send(outbox, cwd=tmp_path)
    assert no_transport.exit_code == 2
    assert "say where the messages go: --drafts DIR" in no_transport.output
    remind = send(outbox, "--remind", "--drafts", "d", cwd=tmp_path)
    assert remind.exit_code == 2 and "works in a campaign only" in remind.output


def test_a_batch_outside_a_campaign_with_explicit_paths(tmp_path: Path, campaign: Path) -> None:
    batch = tmp_path / "batch"
    shutil.copytree(campaign / "rounds" / "2027-spring" / "outbox", batch)
    partners = tmp_path / "partners.csv"
    partners.write_text("id,name,contact,email\nnorth,North Trust,Ada,ada@new.example.org\n")
    args = (
        batch,
        "--manifest",
        batch / "manifest.csv",
        "--organisations",
        partners,
        "--drafts",
        tmp_path / "drafts",
        "--round",
        "2027 spring",
        "--deadline",
        "2099-06-30",
        "--return-to",
        "returns@example.org",
    )
    result = send(*args, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "North Trust    drafted  ada@new.example.org:" in result.output  # the list wins
    assert "South Council  drafted  ben@south.example.org:" in result.output  # the manifest's
    assert f"recorded in {batch / 'send-log.csv'}" in result.output
    assert send(*args, cwd=tmp_path).output.splitlines()[-1] == "3 already, 1 skipped."


def test_feedback_without_files_says_to_run_feedback(campaign: Path) -> None:
    result = send("--feedback", cwd=campaign)
    assert result.exit_code == 1
    assert "run 'xlsxkit feedback' first" in result.output


def test_help_lists_the_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["send", "--help"])
    assert result.exit_code == 0
    assert "Exit codes: 0 done" in result.output


# Ctrl-C in a real process, at a precise point (tests/procs.py) -------------------------


def interrupt_send(
    campaign: Path, where: str, env: dict[str, str], point: str, monkeypatch: pytest.MonkeyPatch
) -> procs.Ended:
    for name, value in env.items():
        monkeypatch.setenv(name, value)  # procs.start passes the environment on
    flag = campaign.parent / "pause-flag"
    proc = procs.start(
        "send", "--smtp", where, tmpdir=campaign.parent, pause=point, flag=flag, cwd=campaign
    )
    try:
        procs.wait_for(flag, proc)
        procs.ctrl_c(proc)
    finally:
        procs.release(flag)
    return procs.finish(proc)


def test_ctrl_c_before_a_message_is_handed_over_leaves_it_to_send_next_time(
    campaign: Path, smtp_ca: trustme.CA, trusted: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with SmtpServer(ca=smtp_ca) as server:
        where = f"127.0.0.1:{server.port}"
        ended = interrupt_send(campaign, where, trusted, "send:recorded", monkeypatch)
        assert ended.code == 130, ended.err
        assert ended.err.strip().splitlines()[-1].startswith("xlsxkit: interrupted")
        assert "Traceback" not in ended.err
        assert server.received == []
        again = send("--smtp", where, cwd=campaign, env=trusted)
    assert again.exit_code == 0, again.output
    assert [r.recipients[0] for r in server.received] == SENT_TO  # each once


def test_ctrl_c_after_the_server_took_a_message_never_sends_it_twice(
    campaign: Path, smtp_ca: trustme.CA, trusted: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with SmtpServer(ca=smtp_ca) as server:
        where = f"127.0.0.1:{server.port}"
        ended = interrupt_send(campaign, where, trusted, "smtp:answered", monkeypatch)
        assert ended.code == 130, ended.err
        assert [r.recipients[0] for r in server.received] == SENT_TO[:1]
        again = send("--smtp", where, cwd=campaign, env=trusted)
        assert again.exit_code == 0, again.output
        assert "North Trust    NOT CONFIRMED  ada@north.example.org: a run stopped while" in (
            again.output
        )
        assert "--resend north" in again.output
        assert [r.recipients[0] for r in server.received] == SENT_TO  # north once
        resent = send("--smtp", where, "--resend", "north", cwd=campaign, env=trusted)
    assert resent.exit_code == 0, resent.output
    assert [r.recipients[0] for r in server.received] == [*SENT_TO, SENT_TO[0]]


def test_a_misspelt_placeholder_is_exit_1_naming_the_file_and_line(campaign: Path) -> None:
    template = campaign / "templates" / "reminder.txt"
    text = template.read_text(encoding="utf-8").replace("by $deadline.", "by $deadlin.")
    template.write_text(text, encoding="utf-8")
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "$deadlin." in x)
    result = send("--remind", cwd=campaign)
    assert result.exit_code == 1
    assert f"Error: templates/reminder.txt:{line}: unknown placeholder $deadlin;" in result.output
    assert not (campaign / "rounds" / "2027-spring" / "drafts").exists()


def test_a_server_that_needs_a_login_stops_the_run_saying_to_give_user(
    campaign: Path, smtp_ca: trustme.CA, trusted: dict[str, str]
) -> None:
    with SmtpServer(ca=smtp_ca, auth=(USER, PASSWORD)) as server:
        result = send("--smtp", f"127.0.0.1:{server.port}", cwd=campaign, env=trusted)
    assert result.exit_code == 1
    assert "the server requires a login (530" in result.output
    assert "give --user NAME" in result.output
    assert "South Council  not yet  ben@south.example.org: the run stopped before it" in (
        result.output
    )
    assert server.received == []
