"""The whole job on sample data: organisations, workbooks, the emails out, the replies,
collecting them, import, summary and each partner's feedback.

Seeded and reproducible. The workbooks go out as email drafts (``xlsxkit send --drafts``).
The partners' replies arrive in a mailbox file (mbox, as Thunderbird keeps one), each with
its return attached; the returns are written by the workbook writer itself with the answers
prefilled, exactly as a partner's app would leave them: some complete, one partial, one sent
back untouched (blank, still to chase), one resent later with changes, one sent twice, one
with messy typing, one sent back as a CSV export instead of the workbook, and one
organisation that never replies (only its out-of-office answers). ``xlsxkit collect`` saves
the spreadsheets from the mailbox into the inbox, the import reads them, and ``xlsxkit
feedback`` writes a workbook for every partner with an accepted return.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import mailbox
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

from xlsxkit.app.collect import CollectOutcome, CollectRequest, collect
from xlsxkit.app.feedback import FeedbackOutcome, feedback_from_sources
from xlsxkit.app.import_job import ImportOutcome, import_job
from xlsxkit.app.send import SendRequest, SendResult, send
from xlsxkit.csvsafe import write_csv
from xlsxkit.errors import DemoError
from xlsxkit.framework.model import Framework, Organisation
from xlsxkit.inbound.batch import ImportRequest
from xlsxkit.inbound.orgs import org_id_for
from xlsxkit.outbound.generate import GenerateRequest, generate
from xlsxkit.outbound.mail.transports import DraftsTransport
from xlsxkit.workbook.instructions import InstructionsTemplate
from xlsxkit.workbook.layout import FieldName as F
from xlsxkit.workbook.manifest import ManifestRow
from xlsxkit.workbook.write import CellKey, CellValue, WorkbookSpec, write_workbook

SAMPLE_ORGANISATIONS = (
    ("Northfield NHS Foundation Trust", "Priya Shah"),
    ("Riverside Borough Council", "Tom Okafor"),
    ("Eastgate Clinical Commissioning Group", "Helen Brooks"),
    ("Hillview Hospice", "Sean Murphy"),
    ("Westmoor Carers' Network", "Aisha Khan"),
    ("St Anne's Medical Practice", "David Lee"),
    ("Lakeside Library Service", "Maria Costa"),
    ("Southbank Community Health", "James Wright"),
    ("Greenway Patients' Forum", "Zoë Ellis"),
    ("Meadowbank Youth Service", "Chris Adams"),
)
NOTES = (
    "Discussed at the steering group in March.",
    "Draft plan circulated; awaiting sign-off.",
    "Done for two of the three localities.",
    "Linked to the directory refresh.",
    "Covered in the staff bulletin – see issue 14.",
    "Started; needs a named lead.",
)
LEADS = ("Comms team", "IP project lead", "Clinical champion", "Patient experience lead")
EVIDENCE = (
    "Minutes of the IP steering group show clinicians at every meeting.",
    "Staff survey: 62% aware of Information Prescriptions.",
    "User forum terms of reference now include IP.",
    "Feedback loop agreed with the voluntary sector partners.",
)


#: A file that marks a folder as a demo's own, so running the demo again replaces it.
DEMO_MARKER = ".xlsxkit-demo"


#: The round's deadline in the demo.
DEADLINE = dt.date(2026, 11, 20)
#: The coordinator's address in the demo: the return address, and where replies arrive.
COORDINATOR = "ip-coordinator@example.org"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass(frozen=True, kw_only=True)
class DemoResult:
    directory: Path
    outbox: Path
    drafts: Path
    mailbox: Path
    inbox: Path
    manifest: Path
    summary: Path
    data: Path
    feedback_dir: Path
    sent: SendResult
    collected: CollectOutcome
    outcome: ImportOutcome
    feedback: FeedbackOutcome


class _Mailbox:
    """The coordinator's mailbox of the demo: the partners' replies, in mbox form."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._messages: list[EmailMessage] = []

    def reply(
        self,
        org: Organisation,
        at: dt.datetime,
        body: str,
        attachments: tuple[Path, ...] = (),
        *,
        subject: str = "RE: Information Prescriptions self-assessment",
        auto: bool = False,
    ) -> None:
        m = EmailMessage()
        m["From"] = formataddr((org.contact, org.email))
        m["To"] = COORDINATOR
        m["Subject"] = subject
        m["Date"] = format_datetime(at)
        m["Message-ID"] = f"<demo-{len(self._messages) + 1}.{org.id}@example.org>"
        if auto:
            m["Auto-Submitted"] = "auto-replied"
        m.set_content(body)
        for path in attachments:
            kind = XLSX_TYPE if path.suffix == ".xlsx" else ("text", "csv")
            m.add_attachment(
                path.read_bytes(), maintype=kind[0], subtype=kind[1], filename=path.name
            )
        self._messages.append(m)

    def write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.unlink(missing_ok=True)
        box = mailbox.mbox(str(self.path))
        try:
            for m in self._messages:
                box.add(m)
            box.flush()
        finally:
            box.close()


def _answers(
    framework: Framework, rng: random.Random, *, completeness: float, maturity: int
) -> dict[CellKey, CellValue]:
    """Plausible answers: stages around MATURITY, most actions at or below it done."""
    answers: dict[CellKey, CellValue] = {}
    n = len(framework.stages)
    for criterion in framework.criteria:
        if rng.random() > completeness:
            continue
        index = max(1, min(n, maturity + rng.choice((-1, 0, 0, 1))))
        stage = framework.stages[index - 1]
        answers[(criterion.id, F.STAGE)] = stage.label
        if rng.random() < 0.5:
            answers[(criterion.id, F.COMMENT)] = rng.choice(EVIDENCE)
        for action in criterion.actions:
            level = framework.stage(action.stage_id).index
            chance = 0.85 if level < index else 0.55 if level == index else 0.1
            done = rng.random() < chance
            answers[(action.id, F.DONE)] = done
            if rng.random() < 0.25:
                answers[(action.id, F.NOTES)] = rng.choice(NOTES)
            if not done and rng.random() < 0.4:
                answers[(action.id, F.LEAD)] = rng.choice(LEADS)
                answers[(action.id, F.TARGET_DATE)] = dt.date(2027, rng.randint(1, 12), 1)
    return answers


def run_demo(
    directory: Path,
    framework: Framework,
    instructions: InstructionsTemplate,
    *,
    seed: int = 2026,
    force: bool = False,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    framework_file: Path | None = None,
) -> DemoResult:
    """FRAMEWORK_FILE: where FRAMEWORK was read from (None: the bundled one), for the
    emails' title."""
    if directory.exists() and not directory.is_dir():
        raise DemoError(f"{directory}: is a file; give a folder for the demo")
    marker = directory / DEMO_MARKER
    if directory.is_dir() and any(directory.iterdir()) and not marker.exists() and not force:
        raise DemoError(
            f"{directory}: the folder is not empty and holds no earlier demo; give a new "
            "folder, or add --force to write the demo into it"
        )
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    marker.write_text("This folder was written by 'xlsxkit demo'; running it again replaces it.\n")
    outbox, inbox = directory / "outbox", directory / "inbox"
    drafts, feedback_dir = directory / "drafts", directory / "feedback"
    for folder in (outbox, inbox, drafts, feedback_dir):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            if old.is_file():
                old.unlink()
    orgs = [
        Organisation(
            id=org_id_for(name),
            name=name,
            contact=contact,
            email=f"{org_id_for(contact.split()[0])}@{org_id_for(name.split()[0])}.example.org",
        )
        for name, contact in SAMPLE_ORGANISATIONS
    ]
    orgs_csv = directory / "organisations.csv"
    write_csv(
        orgs_csv,
        ("id", "name", "contact", "email"),
        [(o.id, o.name, o.contact, o.email) for o in orgs],
    )
    sent_at = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)
    result = generate(
        GenerateRequest(
            framework=framework,
            organisations=orgs,
            out_dir=outbox,
            instructions=instructions,
            round="2026 autumn",
            deadline=DEADLINE,
            return_to=COORDINATOR,
            force=True,
            jobs=1,
            generated_at=sent_at,
        )
    )
    manifest = {row.org_id: row for row in result.rows}
    # The workbooks go out: one email draft per partner, to review and send.
    sent = send(
        SendRequest(
            transport=DraftsTransport(drafts),
            outbox=outbox,
            manifests=(result.manifest,),
            log=drafts / "send-log.csv",
            orgs=orgs_csv,
            framework=framework_file,
            deadline=DEADLINE,
            return_to=COORDINATOR,
        )
    )
    staging = Path(tempfile.mkdtemp(prefix="xlsxkit-demo-"))
    replies = _Mailbox(directory / "mail" / "inbox.mbox")

    def send_back(
        org: Organisation,
        answers: dict[CellKey, CellValue],
        name: str,
        saved: dt.datetime,
    ) -> Path:
        row: ManifestRow = manifest[org.id]
        spec = WorkbookSpec(
            framework=framework,
            organisation=org,
            instructions=instructions,
            token=row.token,
            round="2026 autumn",
            deadline=DEADLINE,
            return_to=COORDINATOR,
            generated_at=saved,
            typed=answers,
        )
        path = staging / name
        write_workbook(spec, path)
        return path

    day = dt.timedelta(days=1)
    thanks = "Hello,\n\nPlease find our self-assessment attached.\n\nBest wishes"
    try:
        # Complete returns, at different maturities; the second partner sends it twice.
        for i, org in enumerate(orgs[:4]):
            answers = _answers(
                framework, rng, completeness=1.0, maturity=1 + i % len(framework.stages)
            )
            at = sent_at + (10 + i) * day
            path = send_back(org, answers, f"{org.id} self-assessment.xlsx", at)
            replies.reply(org, at, thanks, (path,))
            if i == 1:
                replies.reply(org, at + day, "Sending it again in case it went astray.", (path,))
        # A partial return. (The last organisation, orgs[9], never replies.)
        org = orgs[4]
        at = sent_at + 12 * day
        answers = _answers(framework, rng, completeness=0.5, maturity=2)
        replies.reply(org, at, thanks, (send_back(org, answers, f"Copy of {org.id}.xlsx", at),))
        # The workbook sent back untouched, as it was sent: a blank return, still to chase.
        org = orgs[5]
        untouched = staging / f"RE {org.id}.xlsx"
        untouched.write_bytes((outbox / manifest[org.id].file).read_bytes())
        replies.reply(org, sent_at + 13 * day, "Here it is.", (untouched,))
        # One resent later with changes: the later one wins, the first is superseded.
        org = orgs[6]
        first = _answers(framework, rng, completeness=0.6, maturity=1)
        at = sent_at + 14 * day
        replies.reply(org, at, thanks, (send_back(org, first, f"{org.id}.xlsx", at),))
        later = dict(first)
        later.update(_answers(framework, rng, completeness=1.0, maturity=2))
        at = sent_at + 18 * day
        revised = send_back(org, later, f"{org.id} (revised).xlsx", at)
        replies.reply(org, at, "A revised version: please use this one.", (revised,))
        # One with messy typing: a stage typed over the dropdown and ticks typed as words.
        org = orgs[7]
        messy = _answers(framework, rng, completeness=1.0, maturity=2)
        criteria = framework.criteria
        top = framework.stages[-1].label
        messy[(criteria[0].id, F.STAGE)] = f"  {top.upper().replace('-', ' ')} "
        messy[(criteria[1].id, F.STAGE)] = "Nearly there"
        first_actions = criteria[0].actions
        if first_actions:
            messy[(first_actions[0].id, F.DONE)] = "yes"
        if len(first_actions) > 1:
            messy[(first_actions[1].id, F.DONE)] = "maybe"
            messy[(first_actions[1].id, F.TARGET_DATE)] = "next spring"
        at = sent_at + 16 * day
        replies.reply(org, at, thanks, (send_back(org, messy, f"{org.id}_final_v2.xlsx", at),))
        # A CSV export instead of the workbook: no workbook in the reply, so it is reported;
        org = orgs[8]
        export = staging / f"{org.id}.csv"
        export.write_text(
            "Success criterion,Stage\n"
            + "".join(f'"{c.text}",{framework.stages[0].label}\n' for c in criteria[:3]),
            encoding="utf-8",
        )
        replies.reply(org, sent_at + 15 * day, "Our answers, exported from the sheet.", (export,))
        # ... then the workbook, cut short on the way (an upload that broke off): rejected.
        whole = send_back(
            org, _answers(framework, rng, completeness=1.0, maturity=1), f"{org.id} whole.xlsx", at
        )
        cut = staging / f"{org.id} assessment.xlsx"
        cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
        replies.reply(org, sent_at + 17 * day, "Sorry, here is the workbook itself.", (cut,))
        # The partner who never replies: only its out-of-office message arrives.
        org = orgs[9]
        replies.reply(
            org,
            sent_at + day,
            "I am out of the office until 30 October.",
            subject="Automatic reply: Information Prescriptions self-assessment",
            auto=True,
        )
        replies.write()
    finally:
        for leftover in staging.iterdir():
            leftover.unlink()
        staging.rmdir()

    # The replies are collected from the mailbox: every spreadsheet saved into the inbox.
    collected = collect(CollectRequest(sources=[str(replies.path)], out=inbox, partners=orgs_csv))

    summary = directory / "summary.xlsx"
    data = directory / "data"
    outcome = import_job(
        ImportRequest(
            sources=[inbox],
            framework=framework,
            manifest=list(result.rows),
            jobs=jobs,
        ),
        summary_path=summary,
        data_dir=data,
        progress=progress,
        # The deadline the workbooks were sent with, for the Dashboard (a campaign's store
        # knows it; a stand-alone import does not).
        annotate=lambda s: dataclasses.replace(s, deadline=DEADLINE),
    )
    feedback = feedback_from_sources(
        [inbox], framework, out_dir=feedback_dir, manifest=list(result.rows), jobs=jobs
    )
    return DemoResult(
        directory=directory,
        outbox=outbox,
        drafts=drafts,
        mailbox=replies.path,
        inbox=inbox,
        manifest=result.manifest,
        summary=summary,
        data=data,
        feedback_dir=feedback_dir,
        sent=sent,
        collected=collected,
        outcome=outcome,
        feedback=feedback,
    )
