"""``xlsxkit send``: what goes to whom, in a campaign's round or from an explicit batch, and
the run through :mod:`xlsxkit.outbound.mail`.

In a campaign the round's workbooks in the store are the batch, partners.csv gives the
addresses (the store's copy for a partner no longer listed), xlsxkit.yaml the sender, and
the store's ``messages`` table is the ledger. Outside a campaign the batch is a folder of
workbooks with its manifest.csv, and the ledger a CSV log beside it (``send-log.csv``, or
``--log``): there is no store, and "never twice" must still hold.

Reminders and feedback need the campaign: only the store knows who has returned what.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlsxkit.app import campaign as cmp
from xlsxkit.app.campaign_status import PartnerLine, PartnerStatus, round_status
from xlsxkit.app.send_ledger import StoreLedger
from xlsxkit.campaign.store import RoundRecord, Store
from xlsxkit.codes import Code
from xlsxkit.dates import MONTH_NAMES
from xlsxkit.errors import CampaignError, JobFailed, TemplateError, UsageError
from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Organisation
from xlsxkit.inbound.orgs import org_problems_text, read_org_list
from xlsxkit.outbound.mail.compose import Sender
from xlsxkit.outbound.mail.dispatch import DispatchReport, Line, Options, Planned, dispatch
from xlsxkit.outbound.mail.ledger import (
    LOG_NAME,
    CsvLedger,
    Ledger,
    MemoryLedger,
    last_done,
)
from xlsxkit.outbound.mail.templates import (
    MailKind,
    MailTemplate,
    default_template_path,
    load_mail_template,
)
from xlsxkit.outbound.mail.transports import DraftsTransport, Transport
from xlsxkit.outfiles import locked, same_file
from xlsxkit.resources import default_framework
from xlsxkit.workbook.manifest import MANIFEST_NAME, read_manifests

FEEDBACK_FOLDER = "feedback"
#: A round's drafts, when no --drafts folder is given: rounds/<round>/drafts/.
DRAFTS_FOLDER = "drafts"
FEEDBACK_SUFFIX = "-feedback"


@dataclass(frozen=True, kw_only=True)
class SendRequest:
    kind: MailKind = MailKind.SEND
    #: None: drafts, in a campaign into rounds/<round>/drafts/ (outside one it must be given)
    transport: Transport | None = None
    options: Options = dataclasses.field(default_factory=Options)
    # a campaign (default: the one the current folder is in)
    campaign_dir: Path | None = None
    round_name: str | None = None
    # outside a campaign: the batch
    outbox: Path | None = None
    manifests: tuple[Path, ...] = ()
    log: Path | None = None
    # either: what the command line says wins over the campaign
    orgs: Path | None = None
    framework: Path | None = None
    template: Path | None = None
    deadline: dt.date | None = None
    return_to: str = ""
    mail_from: str = ""
    reply_to: str = ""
    today: dt.date | None = None
    #: Called with each partner's line as soon as it is known (a long run shows progress).
    progress: Callable[[Line], None] | None = None


@dataclass(frozen=True, kw_only=True)
class SendResult:
    report: DispatchReport
    round: str  # the round's name ("" when the batch has none)
    template: str  # the template used
    notes: tuple[str, ...] = ()


def send(request: SendRequest) -> SendResult:
    """Plan and run the messages of REQUEST. Raises an XlsxkitError when nothing can be
    sent (no campaign and no batch, an invalid template, a transport that cannot be
    opened); a failure of one message is in the report instead."""
    if request.outbox is not None:
        if request.kind is not MailKind.SEND:
            flag = "--remind" if request.kind is MailKind.REMIND else "--feedback"
            raise UsageError(
                f"{flag} works in a campaign only (the campaign's store knows who has returned "
                "what); run it in the campaign folder, or give --campaign DIR, without OUTBOX"
            )
        return _send_batch(request, request.outbox)
    campaign = cmp.locate(request.campaign_dir)
    if campaign is None:
        raise CampaignError(
            "'xlsxkit send' sends a campaign's round, and this folder is not in one: run it in "
            "the folder made by 'xlsxkit init' (or give --campaign DIR), or give the folder of "
            "workbooks: xlsxkit send OUTBOX --drafts DIR"
        )
    with campaign.open_store() as store:
        return _send_round(request, campaign, store)


# --------------------------------------------------------------------------------------
# what every message is filled in with


def long_date(date: dt.date) -> str:
    """3 December 2026, whatever the locale: never ambiguous for a partner abroad."""
    return f"{date.day} {MONTH_NAMES[date.month - 1]} {date.year}"


def _sender(mail_from: str, reply_to: str, return_to: str, *, campaign: bool = True) -> Sender:
    """From: mail.from, else the return address. Reply-To: mail.reply_to, else the return
    address when From is another address (replies are returns)."""
    from_ = mail_from or return_to
    if not from_:
        where = "set 'mail: from:' in xlsxkit.yaml, or " if campaign else ""
        raise UsageError(
            f'no sender address: {where}give --from ADDRESS (e.g. --from "Programme team '
            '<ip-team@example.org>") or --return-to ADDRESS'
        )
    sender = Sender(from_=from_)
    if not reply_to and return_to and return_to.casefold() != sender.address.casefold():
        reply_to = return_to
    return Sender(from_=from_, reply_to=reply_to)


def _check_values(
    template: MailTemplate, values: Mapping[str, str], why: Mapping[str, str]
) -> None:
    for name, missing in why.items():
        line = template.uses(name)
        if line is not None and not values.get(name):
            raise TemplateError(
                f"{template.source}:{line}: the template uses ${name}, but {missing}; "
                f"give it, or take ${name} out of the template"
            )


@dataclass(frozen=True, kw_only=True, slots=True)
class _Common:
    title: str
    round: str
    deadline: str
    return_to: str


def _values(common: _Common, *, org_name: str, contact: str, file: str) -> dict[str, str]:
    return {
        "org_name": org_name,
        "contact": contact or org_name,
        "deadline": common.deadline,
        "round": common.round,
        "return_to": common.return_to,
        "title": common.title,
        "file": file,
    }


_STEM_SUFFIX = {MailKind.SEND: "", MailKind.REMIND: " reminder", MailKind.FEEDBACK: " feedback"}


def _planned(
    template: MailTemplate,
    values: Mapping[str, str],
    *,
    round_key: str,
    org: Organisation,
    kind: MailKind,
    attachments: Sequence[Path],
    file: str,
    skip: str = "",
    skip_code: Code | None = None,
) -> Planned:
    rendered = template.render(values)
    return Planned(
        round=round_key,
        org_id=org.id,
        org_name=org.name,
        kind=kind,
        to=org.email,
        to_name=org.contact or org.name,
        subject=rendered.subject,
        body=rendered.body,
        attachments=tuple(attachments),
        file=file,
        stem=org.name + _STEM_SUFFIX[kind],
        skip=skip or ("" if org.email else "no email address in the partner list"),
        skip_code=skip_code if skip else None if org.email else Code.NO_EMAIL_ADDRESS,
    )


def _partners(path: Path | None) -> dict[str, Organisation]:
    if path is None or not path.exists():
        return {}
    result = read_org_list(path)
    if not result.report.ok:
        raise JobFailed(
            f"{path}: the partner list has problems; correct them and run the command "
            "again\n" + org_problems_text(result.report.errors)
        )
    return {o.id: o for o in result.organisations}


def _check_resend(resend: frozenset[str], planned: Sequence[Planned]) -> None:
    known = {p.org_id for p in planned}
    unknown = sorted(resend - known)
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise UsageError(
            f"--resend {unknown[0]}: no such organisation among the messages of this run "
            f"(organisation ids: {listed})"
        )


def _run(
    request: SendRequest,
    transport: Transport,
    planned: Sequence[Planned],
    ledger: Ledger,
    sender: Sender,
    options: Options,
    *,
    outbox: Path,
) -> DispatchReport:
    """Dispatch, holding the outbox's lock: two runs sending the same batch at once would
    both find a partner not yet sent, and both send it. (``generate`` holds the same lock
    while it adds workbooks, so nothing is sent from a half-written outbox.)"""
    _check_resend(request.options.resend, planned)
    if isinstance(transport, DraftsTransport) and same_file(transport.folder, outbox):
        raise UsageError(
            f"{transport.folder}: the drafts would go among the workbooks; give --drafts another "
            "folder"
        )
    if options.dry_run:
        return dispatch(
            planned,
            transport=transport,
            ledger=MemoryLedger(ledger.entries()),
            sender=sender,
            options=options,
            progress=request.progress,
        )
    with locked([outbox], what="the workbooks being sent"):
        return dispatch(
            planned,
            transport=transport,
            ledger=ledger,
            sender=sender,
            options=options,
            progress=request.progress,
        )


# --------------------------------------------------------------------------------------
# a campaign's round


def _send_round(request: SendRequest, campaign: cmp.Campaign, store: Store) -> SendResult:
    rnd = cmp.pick_round(store, request.round_name, command="xlsxkit send")
    settings = campaign.settings
    folder = campaign.folder
    framework_path = cmp.framework_path(campaign, request.framework)
    title = settings.title or require_framework(framework_path).title
    return_to = request.return_to or settings.return_to
    sender = _sender(
        request.mail_from or settings.mail_from, request.reply_to or settings.reply_to, return_to
    )
    deadline = request.deadline or rnd.deadline
    common = _Common(
        title=title,
        round=rnd.name,
        deadline=long_date(deadline) if deadline else "",
        return_to=return_to,
    )
    template = load_mail_template(
        request.kind,
        request.template or cmp.shown_path(default_template_path(request.kind, folder.templates)),
    )
    _check_values(
        template,
        {"deadline": common.deadline, "return_to": common.return_to},
        {
            "deadline": f"the round '{rnd.name}' has no deadline (set one with 'xlsxkit "
            f'generate --round "{rnd.name}" --deadline DATE\')',
            "return_to": "no return address is set ('return_to:' in xlsxkit.yaml)",
        },
    )
    planned, notes, auto_resend = _plan_round(request, campaign, store, rnd, template, common)
    options = request.options
    if auto_resend:
        options = dataclasses.replace(options, resend=options.resend | auto_resend)
    _check_resend(request.options.resend, planned)
    transport = request.transport or DraftsTransport(
        cmp.shown_path(folder.round(rnd.slug).outbox.parent / DRAFTS_FOLDER)
    )
    outbox = folder.round(rnd.slug).outbox
    report = _run(request, transport, planned, StoreLedger(store), sender, options, outbox=outbox)
    return SendResult(report=report, round=rnd.name, template=template.source, notes=tuple(notes))


def _plan_round(
    request: SendRequest,
    campaign: cmp.Campaign,
    store: Store,
    rnd: RoundRecord,
    template: MailTemplate,
    common: _Common,
) -> tuple[list[Planned], list[str], set[str]]:
    """The messages of the round (and notes for the report, and the partners to remind
    again because a return came after their last reminder)."""
    folder = campaign.folder
    listed = _partners(cmp.orgs_path(campaign, request.orgs))
    stored = {o.id: o for o in store.organisations()}
    notes: list[str] = []
    planned: list[Planned] = []
    today = request.today or dt.date.today()
    status = {p.org_id: p for p in round_status(store, rnd, today=today).partners}
    reminded = last_done(StoreLedger(store).entries())
    feedback = folder.round(rnd.slug).outbox.parent / FEEDBACK_FOLDER
    found_feedback = 0
    accepted = 0
    auto_resend: set[str] = set()
    for w in store.workbooks(rnd.slug):
        if w.org_id is None:
            notes.append(f"{w.file}: a generic workbook, for no partner in particular; not sent")
            continue
        s = stored.get(w.org_id)
        org = listed.get(w.org_id) or Organisation(
            id=w.org_id,
            name=s.name if s else w.org_id,
            contact=s.contact if s else "",
            email=s.email if s else "",
        )
        workbook = folder.root / w.file
        values = _values(common, org_name=org.name, contact=org.contact, file=Path(w.file).name)
        if request.kind is not MailKind.FEEDBACK:  # the workbook, sent or sent again
            if request.kind is MailKind.REMIND:
                line = status.get(w.org_id)
                if line is None or line.status is PartnerStatus.ACCEPTED:
                    accepted += 1
                    continue
                earlier = reminded.get((rnd.slug, w.org_id, MailKind.REMIND))
                if earlier is not None and line.returned is not None and line.returned > earlier.at:
                    # Reminded before this blank or rejected return came: remind about it.
                    auto_resend.add(w.org_id)
                values["reason"] = _reason(line, rnd)
            planned.append(
                _planned(
                    template,
                    values,
                    round_key=rnd.slug,
                    org=org,
                    kind=request.kind,
                    attachments=[workbook],
                    file=w.file,
                )
            )
        else:
            stem = Path(w.file).stem + FEEDBACK_SUFFIX
            files = [
                p for p in (feedback / f"{stem}.xlsx", feedback / f"{stem}.pdf") if p.is_file()
            ]
            shown = cmp.shown_path(feedback / f"{stem}.xlsx")
            has_xlsx = bool(files) and files[0].suffix == ".xlsx"
            found_feedback += has_xlsx
            values["file"] = f"{stem}.xlsx"
            planned.append(
                _planned(
                    template,
                    values,
                    round_key=rnd.slug,
                    org=org,
                    kind=request.kind,
                    attachments=files if has_xlsx else [],
                    file=str(Path(w.file).parent.parent / FEEDBACK_FOLDER / f"{stem}.xlsx"),
                    skip="" if has_xlsx else f"no feedback workbook yet ({shown})",
                    skip_code=Code.NO_FEEDBACK_FILE,
                )
            )
    if request.kind is MailKind.FEEDBACK and planned and not found_feedback:
        raise JobFailed(
            f"there are no feedback workbooks for the round '{rnd.name}' yet (none in "
            f"{cmp.shown_path(feedback)}): run 'xlsxkit feedback' first, then this command again"
        )
    if not store.workbooks(rnd.slug):
        raise CampaignError(
            f"the round '{rnd.name}' has no workbooks yet: run 'xlsxkit generate --round "
            f'"{rnd.name}"\' first'
        )
    if accepted:
        notes.append(
            f"{accepted} partner{'s' * (accepted != 1)} with an accepted return "
            f"{'are' if accepted != 1 else 'is'} not reminded"
        )
    if auto_resend:
        notes.append(
            "reminded again, as a return came after the last reminder: "
            + ", ".join(sorted(auto_resend))
        )
    unsent = sorted(set(listed) - {w.org_id for w in store.workbooks(rnd.slug)})
    if unsent:
        notes.append(
            "in the partner list but without a workbook in this round (run 'xlsxkit "
            f'generate --round "{rnd.name}"\' for them): ' + ", ".join(unsent)
        )
    return planned, notes, auto_resend


def _reason(line: PartnerLine, rnd: RoundRecord) -> str:
    sent = f" on {long_date(line.returned.date())}" if line.returned else ""
    if line.status is PartnerStatus.BLANK:
        return f"the workbook you sent{sent} was blank (nothing was filled in)"
    if line.status is PartnerStatus.REJECTED:
        why = f": {line.reason}" if line.reason else ""
        return f"the workbook you sent{sent} could not be used{why}"
    if line.status is PartnerStatus.OVERDUE and rnd.deadline:
        return f"we have not received your workbook, and the deadline was {long_date(rnd.deadline)}"
    return "we have not received your workbook yet"


# --------------------------------------------------------------------------------------
# a batch outside a campaign


def _send_batch(request: SendRequest, outbox: Path) -> SendResult:
    if not outbox.is_dir():
        raise UsageError(f"{outbox}: not a folder; give the folder of workbooks 'generate' wrote")
    if request.transport is None:
        raise UsageError(
            "outside a campaign, say where the messages go: --drafts DIR (one .eml draft per "
            "partner) or --smtp HOST[:PORT]"
        )
    manifests = request.manifests or (outbox / MANIFEST_NAME,)
    rows = read_manifests(list(manifests))
    listed = _partners(request.orgs)
    title = require_framework(request.framework or default_framework()).title
    sender = _sender(request.mail_from, request.reply_to, request.return_to, campaign=False)
    labels = sorted({r.round for r in rows if r.round}) or [request.round_name or ""]
    common = _Common(
        title=title,
        round=", ".join(labels).strip(),
        deadline=long_date(request.deadline) if request.deadline else "",
        return_to=request.return_to,
    )
    template = load_mail_template(request.kind, request.template)
    _check_values(
        template,
        {"deadline": common.deadline, "return_to": common.return_to, "round": common.round},
        {
            "deadline": "no --deadline was given",
            "return_to": "no --return-to was given",
            "round": "the manifest names no round (give --round NAME)",
        },
    )
    planned = []
    notes = []
    for row in rows:
        if not row.org_id:
            notes.append(f"{row.file}: a generic workbook, for no partner in particular; not sent")
            continue
        org = listed.get(row.org_id) or Organisation(
            id=row.org_id, name=row.org_name, contact=row.contact, email=row.email
        )
        values = _values(common, org_name=org.name, contact=org.contact, file=row.file)
        values["round"] = row.round or common.round
        planned.append(
            _planned(
                template,
                values,
                round_key=row.round,
                org=org,
                kind=request.kind,
                attachments=[outbox / row.file],
                file=row.file,
            )
        )
    ledger = CsvLedger(request.log or outbox / LOG_NAME)
    report = _run(
        request, request.transport, planned, ledger, sender, request.options, outbox=outbox
    )
    return SendResult(
        report=report, round=common.round, template=template.source, notes=tuple(notes)
    )


__all__ = ["SendRequest", "SendResult", "StoreLedger", "long_date", "send"]
