"""``xlsxkit send``: each partner's workbook by email, as drafts or through SMTP, never twice."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from xlsxkit.app.send import SendRequest, SendResult, send
from xlsxkit.cli.options import (
    campaign_option,
    email_address,
    framework_option,
    round_option,
    written_date,
)
from xlsxkit.errors import EXIT_FAILED, UsageError
from xlsxkit.outbound.mail.dispatch import Line, Options, Result
from xlsxkit.outbound.mail.templates import MailKind
from xlsxkit.outbound.mail.transports import (
    DraftsTransport,
    SmtpSettings,
    SmtpTransport,
    TlsMode,
    Transport,
    default_tls,
)

#: The environment variable the SMTP password is taken from (else it is asked for).
PASSWORD_ENV = "XLSXKIT_SMTP_PASSWORD"


def parse_server(text: str) -> tuple[str, int | None]:
    """HOST, HOST:PORT, [IPv6] or [IPv6]:PORT."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":") if rest.startswith(":") else None
        if rest and port is None:
            raise click.BadParameter(f"{text!r}: write HOST, HOST:PORT or [IPv6]:PORT")
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    else:
        host, port = text, None
    if not host or any(c.isspace() for c in host):
        raise click.BadParameter(f"{text!r}: write HOST or HOST:PORT, e.g. smtp.office365.com:587")
    if port is None:
        return host, None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise click.BadParameter(f"{text!r}: the port must be a number from 1 to 65535")
    return host, int(port)


def _password(user: str) -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    try:
        return str(click.prompt(f"SMTP password for {user}", hide_input=True, err=True))
    except click.Abort:
        raise UsageError(
            f"no SMTP password: set the environment variable {PASSWORD_ENV}, or run the command "
            "in a terminal to type it at the prompt"
        ) from None


def _transport(
    drafts: Path | None,
    smtp: str | None,
    tls: str | None,
    insecure: bool,
    user: str,
    dry_run: bool,
) -> Transport | None:
    if drafts is not None and smtp is not None:
        raise click.UsageError("give --drafts DIR or --smtp HOST, not both")
    if smtp is None:
        if tls or insecure or user:
            raise click.UsageError("--tls, --insecure and --user go with --smtp HOST")
        return DraftsTransport(drafts) if drafts is not None else None
    host, port = parse_server(smtp)
    if insecure and tls:
        raise click.UsageError("--insecure (no encryption) and --tls contradict each other")
    if insecure:
        mode = TlsMode.PLAIN
    elif tls:
        mode = TlsMode(tls)
    else:
        mode = default_tls(port or 587)
    if port is None:
        port = 465 if mode is TlsMode.IMPLICIT else 587 if mode is TlsMode.STARTTLS else 25
    if insecure:
        click.echo(
            f"warning: --insecure: the connection to {host}:{port} is NOT encrypted; "
            "the password and the workbooks cross the network in clear. Use it only with "
            "a test server",
            err=True,
        )
    password = _password(user) if user and not dry_run else ""
    return SmtpTransport(SmtpSettings(host=host, port=port, tls=mode, user=user, password=password))


@click.command("send")
@click.argument(
    "outbox", required=False, type=click.Path(file_okay=False, path_type=Path), metavar="[OUTBOX]"
)
@campaign_option
@round_option("The round. Default: the latest.", metavar="NAME")
@click.option(
    "--drafts",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write one .eml draft per partner into DIR (made if need be), to open in Outlook, "
    "Thunderbird or Apple Mail and send from your own mailbox. The default, into "
    "rounds/<round>/drafts/ in a campaign.",
)
@click.option(
    "--smtp",
    metavar="HOST[:PORT]",
    help="Send directly through this SMTP server (port 587: STARTTLS; 465: TLS).",
)
@click.option(
    "--tls",
    type=click.Choice([TlsMode.STARTTLS.value, TlsMode.IMPLICIT.value]),
    default=None,
    help="Encryption with --smtp: starttls, or tls (implicit TLS). Default: tls on port 465, "
    "else starttls. The certificate is always verified.",
)
@click.option(
    "--insecure",
    is_flag=True,
    help="Allow a plain, unencrypted SMTP connection: for a test server only.",
)
@click.option(
    "--user",
    default="",
    metavar="NAME",
    help=f"Log in to the SMTP server as NAME; the password comes from ${PASSWORD_ENV}, "
    "else it is asked for (never from a file or the command line).",
)
@click.option(
    "--remind",
    is_flag=True,
    help="Remind the partners with no accepted return (blank, rejected or missing), with the "
    "workbook again.",
)
@click.option(
    "--feedback",
    is_flag=True,
    help="Send each partner its feedback workbook (from 'xlsxkit feedback').",
)
@click.option(
    "--resend",
    multiple=True,
    metavar="ORG",
    help="Send to organisation ORG (its id) again even if it was sent before (repeatable).",
)
@click.option(
    "--to",
    "redirect",
    callback=email_address,
    metavar="ADDRESS",
    help="A test run: every message goes to ADDRESS instead of the partner (recorded as a test; "
    "the partners still get theirs later).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Send at most N messages in this run (run again for the rest).",
)
@click.option(
    "--pause",
    type=click.FloatRange(min=0, max=3600),
    default=0.0,
    metavar="SECONDS",
    help="Wait SECONDS between two messages (a provider's rate limit).",
)
@click.option(
    "--dry-run", is_flag=True, help="Print who would get what; send, write and record nothing."
)
@click.option(
    "--manifest",
    "manifests",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Outside a campaign: the batch's manifest.csv. Default: OUTBOX/manifest.csv.",
)
@click.option(
    "--orgs",
    "--organisations",
    "orgs",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The partner list whose email addresses to use. Default: the campaign's partners.csv; "
    "outside one, the manifest's addresses.",
)
@click.option(
    "--log",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Outside a campaign: the send log that keeps a message from going twice. Default: "
    "OUTBOX/send-log.csv.",
)
@framework_option
@click.option(
    "--template",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The email template. Default: templates/email.txt (reminder.txt, feedback.txt) of the "
    "campaign, else ./templates/, else the bundled one.",
)
@click.option(
    "--deadline",
    callback=written_date,
    metavar="DATE",
    help="The deadline the message names. Default: the round's.",
)
@click.option(
    "--return-to",
    callback=email_address,
    metavar="EMAIL",
    help="Where partners send the workbook back. Default: return_to in xlsxkit.yaml.",
)
@click.option(
    "--from",
    "mail_from",
    default="",
    metavar="ADDRESS",
    help="The sender. Default: mail.from in xlsxkit.yaml, else the return address.",
)
@click.option(
    "--reply-to",
    callback=email_address,
    metavar="EMAIL",
    help="Reply-To. Default: mail.reply_to in xlsxkit.yaml, else the return address.",
)
def send_cmd(
    outbox: Path | None,
    campaign_dir: Path | None,
    round_name: str | None,
    drafts: Path | None,
    smtp: str | None,
    tls: str | None,
    insecure: bool,
    user: str,
    remind: bool,
    feedback: bool,
    resend: tuple[str, ...],
    redirect: str,
    limit: int | None,
    pause: float,
    dry_run: bool,
    manifests: tuple[Path, ...],
    orgs: Path | None,
    log: Path | None,
    framework_path: Path | None,
    template: Path | None,
    deadline: dt.date | None,
    return_to: str,
    mail_from: str,
    reply_to: str,
) -> int:
    """Email every partner its workbook: as drafts, or through SMTP.

    One message per partner, to the email address in the partner list, with the workbook
    attached; subject and text from templates/email.txt. A partner without an address is
    listed and skipped. Every message is recorded (in a campaign, in its store; outside one,
    in send-log.csv), so running the command again sends only what has not gone out:
    after a failure, a --limit or Ctrl-C it resumes where it stopped. --resend ORG is the
    exception. A message whose sending was cut off (it may have arrived) is reported and
    not sent again without --resend.

    In a campaign: the round's workbooks (default the latest round). Outside one: give the
    folder of workbooks, OUTBOX, with its manifest.csv, and --drafts or --smtp.

    \b
    Exit codes: 0 done (partners skipped for having no address, or already sent, included);
    1 a message of this run failed or was cut off (it may have arrived), the server could
    not be used, or an input is invalid; 2 usage error; 130 interrupted (Ctrl-C): what was
    sent is recorded.
    """
    if remind and feedback:
        raise click.UsageError("give --remind or --feedback, not both")
    if outbox is None and (manifests or log):
        raise click.UsageError("--manifest and --log go with OUTBOX, outside a campaign")
    kind = MailKind.REMIND if remind else MailKind.FEEDBACK if feedback else MailKind.SEND
    transport = _transport(drafts, smtp, tls, insecure, user, dry_run)
    request = SendRequest(
        kind=kind,
        transport=transport,
        options=Options(
            resend=frozenset(resend),
            redirect=redirect,
            limit=limit,
            pause=pause,
            dry_run=dry_run,
        ),
        campaign_dir=campaign_dir,
        round_name=round_name,
        outbox=outbox,
        manifests=manifests,
        log=log,
        orgs=orgs,
        framework=framework_path,
        template=template,
        deadline=deadline,
        return_to=return_to,
        mail_from=mail_from,
        reply_to=reply_to,
        progress=_progress(),
    )
    result = send(request)
    click.echo(_text(result))
    if result.report.stopped:
        click.echo(f"Error: the run stopped: {result.report.stopped}", err=True)
    return EXIT_FAILED if result.report.failed else 0


_SHOWN = {
    Result.SENT: "sent",
    Result.DRAFTED: "drafted",
    Result.FAILED: "FAILED",
    Result.UNCONFIRMED: "UNCONFIRMED",
    Result.WOULD_SEND: "would send",
    Result.ALREADY: "already",
    Result.UNKNOWN: "NOT CONFIRMED",
    Result.SKIPPED: Result.SKIPPED.value,
    Result.NOT_ATTEMPTED: "not yet",
}


def _progress() -> Callable[[Line], None] | None:
    """In a terminal, each message as it goes (a run with --pause takes minutes); the report
    follows at the end."""
    if not sys.stderr.isatty():
        return None

    def show(line: Line) -> None:
        if line.result in (Result.SENT, Result.DRAFTED, Result.FAILED, Result.UNCONFIRMED):
            click.echo(f"... {line.org_name} ({line.to}): {_SHOWN[line.result]}", err=True)

    return show


def _line(line: Line, width: int) -> str:
    to = f"  {line.to}" if line.to else ""
    code = f" [{line.code}]" if line.code else ""
    return f"  {line.org_name:<{width}}  {_SHOWN[line.result]}{to}: {line.detail}{code}"


def _text(result: SendResult) -> str:
    r = result.report
    what = {MailKind.SEND: "workbooks", MailKind.REMIND: "reminders", MailKind.FEEDBACK: "feedback"}
    kind = what[r.lines[0].kind] if r.lines else "messages"
    head = f"Round '{result.round}': " if result.round else ""
    mode = "dry run, nothing sent or recorded" if r.dry_run else f"recorded in {r.ledger}"
    lines = [f"{head}{kind} via {r.where} ({mode}); template {result.template}"]
    if r.redirected_to:
        lines.append(f"TEST RUN: every message goes to {r.redirected_to}, not to the partners")
    width = max((len(x.org_name) for x in r.lines), default=0)
    lines += [_line(x, width) for x in r.lines]
    lines += [f"note: {n}" for n in result.notes]
    counts = ", ".join(f"{n} {_SHOWN[k].lower()}" for k, n in r.counts.items() if n)
    lines.append((counts or "nothing to send") + ".")
    return "\n".join(lines)
