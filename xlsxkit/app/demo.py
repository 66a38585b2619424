"""The whole job on sample data: organisations, workbooks, filled returns, import, summary.

Seeded and reproducible. The returns are written by the workbook writer itself with the
answers prefilled, exactly as a partner's app would leave them: some complete, one
partial, one sent back untouched (blank, still to chase), one resent later with changes, one
with messy typing, one sent back as a CSV export, and one organisation that never replies.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xlsxkit.app.import_job import ImportOutcome, import_job
from xlsxkit.csvsafe import write_csv
from xlsxkit.errors import DemoError
from xlsxkit.framework.model import Framework, Organisation
from xlsxkit.inbound.batch import ImportRequest
from xlsxkit.inbound.orgs import org_id_for
from xlsxkit.outbound.generate import GenerateRequest, generate
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


@dataclass(frozen=True, kw_only=True)
class DemoResult:
    directory: Path
    outbox: Path
    inbox: Path
    manifest: Path
    summary: Path
    data: Path
    outcome: ImportOutcome


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
) -> DemoResult:
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
    for folder in (outbox, inbox):
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
            deadline=dt.date(2026, 11, 20),
            return_to="ip-coordinator@example.org",
            force=True,
            jobs=1,
            generated_at=sent_at,
        )
    )
    manifest = {row.org_id: row for row in result.rows}

    def send_back(
        org: Organisation,
        answers: dict[CellKey, CellValue],
        name: str,
        saved: dt.datetime,
    ) -> None:
        row: ManifestRow = manifest[org.id]
        spec = WorkbookSpec(
            framework=framework,
            organisation=org,
            instructions=instructions,
            token=row.token,
            round="2026 autumn",
            deadline=dt.date(2026, 11, 20),
            return_to="ip-coordinator@example.org",
            generated_at=saved,
            typed=answers,
        )
        write_workbook(spec, inbox / name)

    day = dt.timedelta(days=1)
    # Complete returns, at different maturities.
    for i, org in enumerate(orgs[:4]):
        answers = _answers(framework, rng, completeness=1.0, maturity=1 + i % len(framework.stages))
        send_back(org, answers, f"{org.id} self-assessment.xlsx", sent_at + (10 + i) * day)
    # A partial return. (The last organisation, orgs[9], never replies.)
    org = orgs[4]
    answers = _answers(framework, rng, completeness=0.5, maturity=2)
    send_back(org, answers, f"Copy of {org.id}.xlsx", sent_at + 12 * day)
    # The workbook sent back untouched, as it was sent: a blank return, still to chase.
    org = orgs[5]
    shutil.copyfile(outbox / manifest[org.id].file, inbox / f"RE {org.id}.xlsx")
    # One resent later with changes: the later one wins, the first is superseded.
    org = orgs[6]
    first = _answers(framework, rng, completeness=0.6, maturity=1)
    send_back(org, first, f"{org.id}.xlsx", sent_at + 14 * day)
    later = dict(first)
    later.update(_answers(framework, rng, completeness=1.0, maturity=2))
    send_back(org, later, f"{org.id} (revised).xlsx", sent_at + 18 * day)
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
    send_back(org, messy, f"{org.id}_final_v2.xlsx", sent_at + 16 * day)
    # The last organisation sends a CSV export instead of the workbook.
    (inbox / f"{orgs[8].id}.csv").write_text(
        "Success criterion,Stage\n"
        + "".join(f'"{c.text}",{framework.stages[0].label}\n' for c in criteria[:3]),
        encoding="utf-8",
    )
    # And a lock file left behind by an open workbook.
    (inbox / f"~${orgs[0].id}.xlsx").write_bytes(b"\x00" * 165)

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
    )
    return DemoResult(
        directory=directory,
        outbox=outbox,
        inbox=inbox,
        manifest=result.manifest,
        summary=summary,
        data=data,
        outcome=outcome,
    )
