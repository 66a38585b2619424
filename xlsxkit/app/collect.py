"""``xlsxkit collect``: the replies' spreadsheets into the round's inbox, with where each
came from; and, with ``--import``, the import straight after.

Why it works like this:

- *In a campaign* the spreadsheets go into the round's inbox (the latest round, or
  ``--round``) and every message read is recorded in the store (schema v3) with its
  spreadsheets, as soon as they are saved: an interrupted collect has recorded everything
  it saved. The import finds each file's email by its sha256.
- *Outside a campaign* (``--out DIR``) the record is ``DIR/collected.csv`` (see
  :mod:`xlsxkit.inbound.mail.ledger`), which ``xlsxkit import DIR`` reads.
- *Partners are matched by address only to report a reply without a workbook* ("North
  Trust replied on 3 Dec 2026 without a workbook"). Who a workbook is from is decided by
  the import, from the workbook.
- *Idempotent.* Collecting the same mailbox again saves nothing new: content already in the
  inbox (by sha256) is a duplicate, and a message already recorded is not recorded again.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xlsxkit.app.campaign_import import (
    CampaignImportOutcome,
    CampaignImportRequest,
    campaign_import,
    pick_round,
)
from xlsxkit.app.import_job import ImportOutcome, check_outputs, import_job, output_targets
from xlsxkit.campaign.locate import CampaignFolder
from xlsxkit.campaign.store import CollectedFile, RoundRecord, Store
from xlsxkit.errors import UsageError
from xlsxkit.framework.model import Framework
from xlsxkit.inbound.batch import ImportRequest
from xlsxkit.inbound.mail import (
    CollectedMessage,
    Collection,
    ImapOptions,
    MailBounds,
    MailSource,
    SaveFolder,
    collect_mail,
    open_source,
)
from xlsxkit.inbound.mail.ledger import LEDGER_NAME, Row, read_rows, write_rows
from xlsxkit.inbound.orgs import read_org_list


@dataclass(frozen=True, kw_only=True)
class ImportStep:
    """``--import``: the import run once the mail is collected."""

    framework: Framework
    jobs: int | None = None
    summary: Path | None = None  # outside a campaign: the summary workbook to write


@dataclass(frozen=True, kw_only=True)
class CollectRequest:
    sources: Sequence[str]  # paths, or imap:// / imaps:// addresses
    campaign: CampaignFolder | None = None  # collect into a round's inbox (without out)
    round: str | None = None
    out: Path | None = None  # outside a campaign: the folder to save into
    partners: Path | None = None  # outside a campaign: the partner list, for the report
    imap: ImapOptions | None = None
    bounds: MailBounds = field(default_factory=MailBounds)
    then_import: ImportStep | None = None
    since: dt.date | None = None  # messages received on or after this day only


@dataclass(frozen=True, kw_only=True)
class CollectOutcome:
    collection: Collection
    folder: Path  # where the spreadsheets were saved
    round: RoundRecord | None = None
    ledger: Path | None = None  # collected.csv, outside a campaign
    campaign_import: CampaignImportOutcome | None = None
    plain_import: ImportOutcome | None = None


def collect(request: CollectRequest) -> CollectOutcome:
    """Collect the SOURCES' spreadsheets (and import them with ``then_import``)."""
    if not request.sources:
        raise UsageError(
            "give the mail to collect from: .eml or .msg files, mbox files, Maildir folders, "
            "or an imaps://you@example.org/INBOX address"
        )
    # Every source is checked (an IMAP address parsed) before anything is read.
    sources = [open_source(s, bounds=request.bounds, imap=request.imap) for s in request.sources]
    if request.out is None:
        if request.campaign is None:
            raise UsageError(
                "give --out DIR (the folder to save the spreadsheets into), or run collect in "
                "a campaign folder (made by 'xlsxkit init') or with --campaign DIR"
            )
        return _into_round(request, request.campaign, sources)
    return _into_folder(request, request.out, sources)


def _into_round(
    request: CollectRequest, folder: CampaignFolder, sources: Sequence[MailSource]
) -> CollectOutcome:
    root = os.path.abspath(folder.root)

    def stored(path: Path) -> str:
        text = os.path.abspath(path)
        return os.path.relpath(text, root) if text.startswith(root + os.sep) else text

    with Store.open(folder.store, create=True) as store:
        rnd = pick_round(store, request.round)
        rf = folder.round(rnd.slug)
        rf.make()
        partners = {o.email.lower(): o.name for o in store.organisations() if o.email}
        if not partners and folder.partners.is_file():
            found = read_org_list(folder.partners)
            partners = {o.email.lower(): o.name for o in found.organisations if o.email}
        known = {
            f.sha256: Path(root) / f.saved_file
            for m in store.collected_messages(rnd.slug)
            for f in m.files
        }
        save = SaveFolder(rf.inbox, known=known)

        def record(message: CollectedMessage) -> None:
            store.record_collected(
                round_slug=rnd.slug,
                message_id=message.message_id,
                sender=message.sender,
                date=message.date,
                subject=message.subject,
                mailbox=message.origin.mailbox,
                location=message.origin.where,
                outcome=str(message.outcome),
                at=dt.datetime.now(dt.UTC),
                files=[
                    CollectedFile(
                        sha256=f.sha256,
                        saved_file=stored(f.path),
                        original_name=f.original_name,
                        inside_zip=f.inside,
                        duplicate=f.duplicate,
                    )
                    for f in message.files
                ],
            )

        collection = collect_mail(
            sources,
            save,
            bounds=request.bounds,
            partners=partners,
            on_message=record,
            since=request.since,
        )
    done: CampaignImportOutcome | None = None
    step = request.then_import
    if step is not None:
        done = campaign_import(
            CampaignImportRequest(
                folder=folder, framework=step.framework, round=rnd.name, jobs=step.jobs
            )
        )
    return CollectOutcome(collection=collection, folder=rf.inbox, round=rnd, campaign_import=done)


def _ledger_rows(message: CollectedMessage) -> list[Row]:
    head = (
        message.message_id,
        message.sender,
        message.date,
        message.subject,
        message.origin.mailbox,
        message.origin.where,
        str(message.outcome),
    )
    if not message.files:
        return [("", "", "", "", "", *head)]
    return [
        (
            f.path.name,
            f.sha256,
            f.original_name,
            f.inside,
            "yes" if f.duplicate else "",
            *head,
        )
        for f in message.files
    ]


def _into_folder(
    request: CollectRequest, out: Path, sources: Sequence[MailSource]
) -> CollectOutcome:
    if request.campaign is not None and request.round is not None:
        raise UsageError("--round collects into a campaign's round; leave out --out to do that")
    step = request.then_import
    if step is not None and step.summary is None:
        raise UsageError(
            "--import outside a campaign needs --summary FILE.xlsx (the summary to write)"
        )
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: is a file; give --out a folder to save the spreadsheets into")
    ledger = out / LEDGER_NAME
    rows = read_rows(ledger)  # refuses a collected.csv that xlsxkit did not write
    if step is not None and step.summary is not None:
        check_outputs(output_targets(step.summary, None), [out])
    partners: dict[str, str] = {}
    if request.partners is not None:
        found = read_org_list(request.partners)
        partners = {o.email.lower(): o.name for o in found.organisations if o.email}
    save = SaveFolder(out)

    def record(message: CollectedMessage) -> None:
        rows.extend(_ledger_rows(message))
        write_rows(ledger, rows)

    collection = collect_mail(
        sources,
        save,
        bounds=request.bounds,
        partners=partners,
        on_message=record,
        since=request.since,
    )
    if not ledger.exists():
        write_rows(ledger, rows)
    plain: ImportOutcome | None = None
    if step is not None and step.summary is not None:
        plain = import_job(
            ImportRequest(
                sources=[out], framework=step.framework, jobs=step.jobs, exclude=[step.summary]
            ),
            summary_path=step.summary,
        )
    return CollectOutcome(collection=collection, folder=out, ledger=ledger, plain_import=plain)
