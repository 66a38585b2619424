"""``xlsxkit collect``: save the spreadsheets the partners sent back by email.

Thin: it parses the options, takes the IMAP secret from the environment or a prompt (never
from the command line), makes one library call (:func:`xlsxkit.app.collect.collect`) and
prints the counts."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
from pathlib import Path

import click

from xlsxkit.app.campaign import Campaign, locate
from xlsxkit.app.campaign import framework_path as campaign_framework
from xlsxkit.app.campaign import jobs as campaign_jobs
from xlsxkit.app.collect import CollectOutcome, CollectRequest, ImportStep, collect
from xlsxkit.cli.import_ import _campaign_report, _report
from xlsxkit.cli.options import (
    campaign_option,
    fit_jobs,
    framework_option,
    jobs_option,
    load_framework_or_fail,
    round_option,
)
from xlsxkit.dates import DateError, parse_written_date
from xlsxkit.errors import EXIT_FAILED, UsageError
from xlsxkit.inbound.mail import Auth, ImapOptions
from xlsxkit.inbound.mail.attachments import AttachmentKind
from xlsxkit.inbound.mail.batch import MessageOutcome
from xlsxkit.inbound.mail.imap import is_imap_url, parse_imap_url

PASSWORD_ENV = "XLSXKIT_IMAP_PASSWORD"
TOKEN_ENV = "XLSXKIT_IMAP_TOKEN"
PROBLEMS_SHOWN = 20


def _secret(sources: tuple[str, ...], oauth2: bool) -> str | None:
    """The IMAP password or token: from the environment, else a prompt (hidden); None when
    no source is an IMAP address."""
    # Each address is checked first: one holding a password is refused before anything.
    imap = [parse_imap_url(s) for s in sources if is_imap_url(s)]
    if not imap:
        return None
    env = TOKEN_ENV if oauth2 else PASSWORD_ENV
    value = os.environ.get(env, "")
    if value:
        return value
    if not sys.stdin.isatty():
        what = "an OAuth2 access token" if oauth2 else "the mailbox password"
        raise UsageError(f"set {env} to {what} (there is no terminal to ask for it)")
    prompt = "Access token" if oauth2 else "Password"
    try:
        return getpass.getpass(f"{prompt} for {imap[0].user} at {imap[0].host}: ")
    except (EOFError, KeyboardInterrupt):
        raise UsageError(f"no {prompt.lower()} given; set {env} or type it when asked") from None


@click.command("collect")
@click.argument("sources", nargs=-1, metavar="SOURCE...")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Save the spreadsheets into this folder (made if missing), with collected.csv "
    "beside them. Required outside a campaign; in a campaign the round's inbox is used.",
)
@campaign_option
@round_option("In a campaign: the round to collect into. Default: the latest round.")
@click.option(
    "--since",
    default=None,
    metavar="DATE",
    help="Only messages received on or after DATE (e.g. 2026-11-20): on IMAP as the server "
    "received them, in files by their Date header.",
)
@click.option(
    "--move-to",
    default=None,
    metavar="FOLDER",
    help="IMAP: move the messages a spreadsheet was saved from to FOLDER. Without "
    "it, nothing on the server is changed (not even the 'read' mark).",
)
@click.option(
    "--oauth2",
    is_flag=True,
    help=f"IMAP: log in with XOAUTH2, the access token taken from {TOKEN_ENV} "
    "(Microsoft 365, Gmail).",
)
@click.option(
    "--cafile",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="IMAP: trust the certificates in this PEM file (a company's own CA).",
)
@click.option(
    "--insecure",
    is_flag=True,
    help="IMAP: a plain imap:// connection without TLS, for test servers only.",
)
@click.option(
    "--partners",
    "partners_path",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Outside a campaign: the partner list (partners.csv), to report replies "
    "without a workbook.",
)
@click.option(
    "--import", "do_import", is_flag=True, help="Run the import straight after collecting."
)
@click.option(
    "--summary",
    "summary_path",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --import outside a campaign: the summary workbook to write.",
)
@framework_option
@jobs_option
def collect_cmd(
    sources: tuple[str, ...],
    out: Path | None,
    campaign_dir: Path | None,
    round_name: str | None,
    since: str | None,
    move_to: str | None,
    oauth2: bool,
    cafile: str | None,
    insecure: bool,
    partners_path: Path | None,
    do_import: bool,
    summary_path: Path | None,
    framework_path: Path | None,
    jobs: int | None,
) -> int:
    """Save the spreadsheets partners sent back by email into the round's inbox.

    SOURCE is a saved message (.eml, or Outlook's .msg), an mbox file (Thunderbird,
    Gmail Takeout), a Maildir folder, a folder of saved messages, or an IMAP mailbox
    (imaps://you@example.org/INBOX). Every spreadsheet attachment (.xlsx .xlsm .ods .xls,
    by name or by content, also inside a zip) is saved under a safe new name; the same
    content twice is saved once. Signature images, calendar invites and automatic replies
    are skipped and counted. A partner (by email address) who replied without a workbook
    is reported. The IMAP password is read from XLSXKIT_IMAP_PASSWORD or asked for; the
    mailbox is only read, never changed, unless --move-to is given.

    \b
    Exit codes:
      0  collected (warnings, such as a reply without a workbook, are listed)
      1  a source or message could not be read, or a spreadsheet could not be saved (the
         rest was collected), or the import failed
      2  usage error (an unknown option, an IMAP address with a password in it, ...)
    """
    when: dt.date | None = None
    if since is not None:
        try:
            when = parse_written_date(since)
        except DateError as exc:
            raise UsageError(f"--since: {exc}") from None
    secret = _secret(sources, oauth2)
    imap = (
        ImapOptions(
            secret=secret,
            auth=Auth.OAUTH2 if oauth2 else Auth.PASSWORD,
            since=when,
            move_to=move_to,
            insecure=insecure,
            cafile=cafile,
        )
        if secret is not None
        else None
    )
    campaign: Campaign | None = None if out is not None else locate(campaign_dir)
    step = None
    if do_import:
        framework = load_framework_or_fail(campaign_framework(campaign, framework_path))
        step = ImportStep(
            framework=framework,
            jobs=fit_jobs(campaign_jobs(campaign, jobs)),
            summary=summary_path,
        )
    done = collect(
        CollectRequest(
            sources=sources,
            campaign=campaign.folder if campaign is not None else None,
            round=round_name,
            out=out,
            partners=partners_path,
            imap=imap,
            then_import=step,
            since=when,
        )
    )
    click.echo(report(done, root=campaign.folder.root if campaign is not None else None))
    if done.campaign_import is not None and campaign is not None:
        click.echo(_campaign_report(done.campaign_import, campaign.folder))
    if done.plain_import is not None:
        click.echo(_report(done.plain_import))
    return EXIT_FAILED if done.collection.errors else 0


def report(done: CollectOutcome, *, root: Path | None = None) -> str:
    """The counts, then the problems (errors first). The folder is shown relative to the
    campaign folder ROOT when it is inside it (as the import shows it)."""
    c = done.collection
    where = f" (round {done.round.name})" if done.round is not None else ""
    folder = done.folder
    if root is not None and folder.is_relative_to(root):
        folder = folder.relative_to(root)
    other = c.skipped[AttachmentKind.OTHER]
    lines = [
        f"Collected into {folder}{os.sep}{where}",
        f"  messages read:              {c.read}",
        f"  spreadsheets saved:         {c.saved}",
        f"  duplicates:                 {c.duplicates}",
        f"  auto-replies skipped:       {c.count(MessageOutcome.AUTO_REPLY)}",
        f"  other attachments skipped:  {c.other_skipped} "
        f"({c.skipped[AttachmentKind.IMAGE]} images, "
        f"{c.skipped[AttachmentKind.CALENDAR]} calendar invites, "
        f"{c.embedded} attached Outlook items, {other} other)",
        f"  replies without a workbook: {c.without_workbook}",
        f"  errors:                     {c.errors}",
    ]
    if c.older:
        lines.append(f"  older than --since:         {c.older}")
    if done.ledger is not None:
        lines.append(f"Provenance: {done.ledger}")
    problems = sorted(c.problems, key=lambda p: not p.is_error)
    if problems:
        lines.append(f"Problems ({len(problems)}), errors first:")
        lines += [f"  {p.render(label_errors=True)}" for p in problems[:PROBLEMS_SHOWN]]
        if len(problems) > PROBLEMS_SHOWN:
            lines.append(f"  ... and {len(problems) - PROBLEMS_SHOWN} more")
    return "\n".join(lines)
