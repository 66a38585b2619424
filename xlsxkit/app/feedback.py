"""``xlsxkit feedback``: one feedback workbook (and, with ``pdf``, a PDF of it) for every
organisation with an accepted return.

Why it works like this:

- *By running the import's reading again, not by reading its outputs.* The feedback needs
  every problem of a return with its cell, and the partnership's figures; the CSVs hold
  them neutralised for spreadsheets (a leading ``'``) and a coordinator may have edited
  them. Reading the returns again with the import's own code gives exactly what the import
  reported, consistency flags included.
- *In a campaign*, the round's accepted returns are the ones the store recorded: only those
  files are read (their verdicts do not depend on the rest of the inbox), each must still
  be where it was found with the content that was accepted (else that partner's feedback
  is not written, saying why: import again first), and the previous round's stages come
  from the store. The files go to ``rounds/<round>/feedback/``, named after the
  organisation's outbox workbook: ``<stem>-feedback.xlsx`` (and ``.pdf``).
- *Outside a campaign* (SOURCES with ``--out DIR``) the sources are imported as ``import``
  would (``--manifest`` too), without an earlier round; a file is named after the
  manifest's workbook when the organisation is in it, else after a slug of its name.
- *Outputs* are an :class:`~xlsxkit.outfiles.OutputSet` under the folder's lock: written
  whole, then renamed into place; an existing file is replaced only when it is an earlier
  feedback (its ``xlsxkit-output`` property) or a PDF rendered from one. PDFs are rendered
  after the workbooks are in place, so a missing LibreOffice costs only the PDFs (the
  outcome says what to install).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xlsxkit.app.campaign_import import pick_round, round_manifest
from xlsxkit.campaign.locate import CampaignFolder
from xlsxkit.campaign.store import ItemKind, Store
from xlsxkit.errors import CampaignError, OutputError
from xlsxkit.framework.model import Framework, ReturnStatus
from xlsxkit.inbound.batch import ImportRequest, run_import
from xlsxkit.names import slugify
from xlsxkit.outfiles import OutputRefused, OutputSet, locked, write_failure, xlsx_marker
from xlsxkit.render.pdf import PdfError, is_xlsxkit_pdf, render_pdf
from xlsxkit.render.xlsx.feedback import FEEDBACK_MARKER, write_feedback
from xlsxkit.results.consistency import ConsistencyRule
from xlsxkit.results.consolidate import Summary, consolidate
from xlsxkit.results.feedback import MIN_GROUP, PreviousRound, feedback_view
from xlsxkit.workbook.manifest import ManifestRow

FEEDBACK_FOLDER = "feedback"
SUFFIX = "-feedback"


@dataclass(frozen=True, kw_only=True, slots=True)
class FeedbackFile:
    org_id: str
    org_name: str
    xlsx: Path
    pdf: Path | None = None
    problems: int = 0  # notes on its return, flags included


@dataclass(frozen=True, kw_only=True)
class FeedbackOutcome:
    out_dir: Path
    round: str
    files: tuple[FeedbackFile, ...]
    #: organisations with an accepted return whose feedback was not written, and why
    skipped: tuple[tuple[str, str], ...] = ()
    #: why no PDF was made (LibreOffice missing or failing); None when all were made
    pdf_problem: str | None = None
    partners: int = 0
    withheld: int = 0  # criteria whose distribution was withheld (fewer than MIN_GROUP)


@dataclass(frozen=True, kw_only=True)
class _Plan:
    summary: Summary
    round: str
    out_dir: Path
    stems: Mapping[str, str]  # org id -> file stem
    previous: Mapping[str, PreviousRound] = field(default_factory=dict)
    skipped: tuple[tuple[str, str], ...] = ()


def _stem_from(file: str, org_name: str, org_id: str) -> str:
    stem = Path(file).stem if file else ""
    return stem or slugify(org_name) or slugify(org_id) or "organisation"


def feedback_from_sources(
    sources: Sequence[Path],
    framework: Framework,
    *,
    out_dir: Path,
    manifest: Sequence[ManifestRow] | None = None,
    consistency: ConsistencyRule | None = None,
    pdf: bool = False,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    min_group: int = MIN_GROUP,
) -> FeedbackOutcome:
    """The feedback of every accepted return among SOURCES, into OUT_DIR."""
    rule = consistency or ConsistencyRule()
    request = ImportRequest(
        sources=list(sources), framework=framework, manifest=manifest, jobs=jobs
    )
    result = run_import(request, progress=progress)
    summary = consolidate(framework, result, consistency=rule)
    files = {m.org_id: m.file for m in manifest or ()}
    stems = {
        o.org_id: _stem_from(files.get(o.org_id, ""), o.org_name, o.org_id) for o in summary.orgs
    }
    rounds = {r.round for r in result.returns if r.status == ReturnStatus.ACCEPTED}
    plan = _Plan(
        summary=summary,
        round=", ".join(sorted(x for x in rounds if x)),
        out_dir=out_dir,
        stems=stems,
    )
    return _write_all(plan, sources, rule, pdf=pdf, min_group=min_group)


def feedback_in_campaign(
    folder: CampaignFolder,
    framework: Framework,
    *,
    round_name: str | None = None,
    consistency: ConsistencyRule | None = None,
    pdf: bool = False,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    min_group: int = MIN_GROUP,
) -> FeedbackOutcome:
    """The feedback of every organisation accepted in the round (default: the latest),
    into rounds/<round>/feedback/."""
    rule = consistency or ConsistencyRule()
    if not folder.store.is_file():
        raise CampaignError(
            f"{folder.root}: this campaign has no store yet, so no round to give feedback on; "
            "make a round with 'xlsxkit generate --round NAME' and import its returns first"
        )
    with Store.open(folder.store) as store:
        rnd = pick_round(store, round_name)
        accepted = store.accepted_in_round(rnd.slug)
        if not accepted:
            raise CampaignError(
                f"round '{rnd.name}' has no accepted return yet, so there is no feedback to "
                "write; run 'xlsxkit import' first (it records the returns)"
            )
        names = {o.id: o.name for o in store.organisations()}
        rounds = {r.slug: r for r in store.rounds()}
        sources: list[Path] = []
        expected: dict[str, str] = {}  # org id -> sha256 accepted
        skipped: list[tuple[str, str]] = []
        for acc in accepted:
            name = names.get(acc.org_id, acc.org_id)
            record = store.file(acc.file_id) if acc.file_id is not None else None
            if record is None:
                skipped.append((name, "its accepted file is not recorded; import the round again"))
                continue
            path = record.path if record.path.is_absolute() else folder.root / record.path
            if not path.is_file():
                skipped.append(
                    (name, f"{record.location} is no longer there; run 'xlsxkit import' again")
                )
                continue
            sources.append(Path(os.path.abspath(path)))
            expected[acc.org_id] = record.sha256
        previous: dict[str, PreviousRound] = {}
        for acc in accepted:
            before = store.previous_accepted(rnd.slug, acc.org_id)
            if before is not None:
                previous[acc.org_id] = PreviousRound(
                    round=rounds[before.round_slug].name,
                    stages={
                        a.item_id: a.stage_id
                        for a in before.answers
                        if a.kind is ItemKind.CRITERION
                    },
                )
        workbooks = {w.org_id: w.file for w in store.workbooks(rnd.slug) if w.org_id}
        manifest = round_manifest(store, rnd)
    result = run_import(
        ImportRequest(
            sources=sources,
            framework=framework,
            manifest=manifest,
            jobs=jobs,
            round=rnd.name,
            shown_from=folder.root,
        ),
        progress=progress,
    )
    # Only the returns still as they were accepted are given feedback.
    keep = []
    for r in result.returns:
        if r.status != ReturnStatus.ACCEPTED or r.org_id not in expected:
            continue
        if r.sha256 != expected.pop(r.org_id):
            skipped.append(
                (r.org_name, f"{r.source} changed since it was imported; run 'xlsxkit import'")
            )
            continue
        keep.append(r)
    for org_id in expected:
        skipped.append(
            (
                names.get(org_id, org_id),
                "its file no longer reads as accepted; run 'xlsxkit import' again",
            )
        )
    kept = {r.source for r in keep}
    result = dataclasses.replace(
        result,
        returns=tuple(
            r for r in result.returns if r.status != ReturnStatus.ACCEPTED or r.source in kept
        ),
    )
    summary = consolidate(framework, result, round_name=rnd.name, consistency=rule)
    stems = {
        o.org_id: _stem_from(workbooks.get(o.org_id, ""), o.org_name, o.org_id)
        for o in summary.orgs
    }
    plan = _Plan(
        summary=summary,
        round=rnd.name,
        out_dir=folder.round(rnd.slug).root / FEEDBACK_FOLDER,
        stems=stems,
        previous=previous,
        skipped=tuple(skipped),
    )
    return _write_all(plan, sources, rule, pdf=pdf, min_group=min_group)


def _unique(stems: Mapping[str, str]) -> dict[str, str]:
    """File stems made unique (two organisations never share a feedback file)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for org_id, stem in stems.items():
        name, n = stem, 2
        while name.casefold() in taken:
            name, n = f"{stem}-{n}", n + 1
        taken.add(name.casefold())
        out[org_id] = name
    return out


def _ours(path: Path) -> str | None:
    """Why an existing PATH must not be replaced; None when it is an earlier feedback."""
    if path.is_symlink() or not path.is_file():
        return f"{path}: exists and is not a file xlsxkit wrote; move it away and run again"
    if path.suffix.lower() == ".xlsx" and xlsx_marker(path) == FEEDBACK_MARKER:
        return None
    if path.suffix.lower() == ".pdf" and is_xlsxkit_pdf(path):
        return None
    return (
        f"{path}: exists and is not a feedback that xlsxkit wrote (it may be a partner's "
        "file); xlsxkit never overwrites it. Move it away, or give --out another folder"
    )


def _write_all(
    plan: _Plan,
    sources: Sequence[Path],
    rule: ConsistencyRule,
    *,
    pdf: bool,
    min_group: int,
) -> FeedbackOutcome:
    summary = plan.summary
    stems = _unique(plan.stems)
    targets = {o.org_id: plan.out_dir / f"{stems[o.org_id]}{SUFFIX}.xlsx" for o in summary.orgs}
    inputs = {os.path.abspath(s) for s in sources}
    for target in targets.values():
        if os.path.abspath(target) in inputs:
            raise OutputRefused(f"{target}: is one of the files read; give --out another folder")
        for path in (target, target.with_suffix(".pdf")):
            if path.exists() or path.is_symlink():
                why = _ours(path)
                if why is not None:
                    raise OutputRefused(why)
    views = {
        o.org_id: feedback_view(
            summary,
            o.org_id,
            previous=plan.previous.get(o.org_id),
            rule=rule,
            round_name=plan.round,
            min_group=min_group,
        )
        for o in summary.orgs
    }
    now = dt.datetime.now(dt.UTC)
    files: list[FeedbackFile] = []
    pdf_problem: str | None = None
    with locked([plan.out_dir], what="the feedback"):
        with OutputSet(list(targets.values()), may_replace=_ours) as outs:
            for org_id, target in targets.items():
                try:
                    write_feedback(
                        views[org_id], summary.framework, outs.temp(target), generated_at=now
                    )
                except OSError as exc:
                    raise write_failure(target, "the feedback", exc) from None
            outs.commit()
        for o in summary.orgs:
            target = targets[o.org_id]
            made: Path | None = None
            if pdf and pdf_problem is None:
                try:
                    made = render_pdf(target, target.with_suffix(".pdf"))
                except PdfError as exc:  # PdfUnavailable too: it says what to install
                    pdf_problem = str(exc)
            view = views[o.org_id]
            files.append(
                FeedbackFile(
                    org_id=o.org_id,
                    org_name=o.org_name,
                    xlsx=target,
                    pdf=made,
                    problems=len(view.flags) + len(view.notes),
                )
            )
    withheld = (
        sum(1 for s in next(iter(views.values())).standing if s.distribution is None)
        if views
        else 0
    )
    return FeedbackOutcome(
        out_dir=plan.out_dir,
        round=plan.round,
        files=tuple(files),
        skipped=plan.skipped,
        pdf_problem=pdf_problem,
        partners=len(summary.orgs),
        withheld=withheld,
    )


__all__ = [
    "FEEDBACK_FOLDER",
    "FeedbackFile",
    "FeedbackOutcome",
    "OutputError",
    "feedback_from_sources",
    "feedback_in_campaign",
]
