"""``xlsxkit import``: read the returned workbooks and write the consolidated summary.

Inside a campaign folder (or with ``--campaign DIR``), and without ``--out``, the import is
the campaign's incremental import of a round (:mod:`xlsxkit.app.campaign_import`). Given
``--out``, it is the stand-alone import, exactly as outside a campaign."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from pathlib import Path

import click

from xlsxkit.app.campaign import Campaign, locate
from xlsxkit.app.campaign import framework_path as campaign_framework
from xlsxkit.app.campaign import jobs as campaign_jobs
from xlsxkit.app.campaign_import import CampaignImportOutcome, CampaignImportRequest
from xlsxkit.app.campaign_import import campaign_import as run_campaign_import
from xlsxkit.app.import_job import (
    ImportOutcome,
    check_outputs,
    import_job,
    output_targets,
    pdf_beside,
)
from xlsxkit.campaign.locate import CampaignFolder
from xlsxkit.cli.options import (
    campaign_option,
    consistency_option,
    consistency_rule,
    fit_jobs,
    framework_option,
    jobs_option,
    load_framework_or_fail,
    progress_bar,
    round_option,
)
from xlsxkit.errors import JobFailed, PdfError, UsageError
from xlsxkit.framework.model import ReturnStatus
from xlsxkit.inbound.batch import ImportRequest, count_files
from xlsxkit.problems import Severity
from xlsxkit.results.consistency import ConsistencyRule
from xlsxkit.results.views import chase_list
from xlsxkit.workbook.manifest import read_manifests

WORST_SHOWN = 8


def _summary_path(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    if value.suffix.lower() != ".xlsx":
        raise click.BadParameter(
            f"{value}: the summary is an Excel workbook; end the name in .xlsx"
        )
    if value.is_dir():
        raise click.BadParameter(f"{value}: is a folder; give a file name such as summary.xlsx")
    return value


def _optional_summary_path(
    ctx: click.Context, param: click.Parameter, value: Path | None
) -> Path | None:
    return None if value is None else _summary_path(ctx, param, value)


@click.command("import")
@click.argument("sources", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    "summary_path",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_optional_summary_path,
    help="The summary workbook to write (.xlsx). Required outside a campaign; in a campaign "
    "it makes this a stand-alone import that the campaign does not record.",
)
@campaign_option
@round_option("In a campaign: the round to import (its name). Default: the latest round.")
@framework_option
@click.option(
    "--manifest",
    "manifest_paths",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The manifest.csv that 'xlsxkit generate' wrote: lists who has not returned, and "
    "tells forwarded copies apart by their token. Repeat it for batches sent from several "
    "folders (an organisation may be in one of them only).",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write returns.csv, stages.csv, actions.csv and problems.csv into this folder.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 if any file was rejected or any warning was raised (the summary is still "
    "written).",
)
@click.option(
    "--pdf",
    is_flag=True,
    help="Also write the summary as a PDF beside it (summary.pdf), rendered by LibreOffice "
    "(which must be installed).",
)
@consistency_option
@jobs_option
def import_cmd(
    sources: tuple[Path, ...],
    summary_path: Path | None,
    campaign_dir: Path | None,
    round_name: str | None,
    framework_path: Path | None,
    manifest_paths: tuple[Path, ...],
    data_dir: Path | None,
    strict: bool,
    pdf: bool,
    consistency_threshold: float | None,
    jobs: int | None,
) -> None:
    """Import returned workbooks and write the consolidated progress summary.

    In a campaign folder (or with --campaign DIR), without --out: imports the latest round
    (or --round ROUND) from its inbox, rounds/<round>/inbox/, plus any SOURCES and every
    file an earlier import of the round found that is still there. Every file and the
    accepted answers are recorded in the campaign's store; a file imported before that has
    disappeared is reported and no longer counted; a workbook of another round is rejected.
    Writes rounds/<round>/summary.xlsx and rounds/<round>/data/ (the CSVs and
    progress.csv), and with --pdf rounds/<round>/summary.pdf.

    SOURCES are files or folders (searched recursively). Workbooks saved as .xlsx, .xlsm,
    .xls or .ods all import, however they were renamed. Lock, temporary and hidden files
    are listed as skipped. Every file is accounted for: accepted, superseded (an earlier
    save of the same organisation's workbook), duplicate (a byte-identical copy), rejected
    (with the reason) or skipped. Source files are never modified.

    \b
    Exit codes:
      0  the summary was written (rejected files are listed in it)
      1  nothing could be imported, or the framework or manifest is invalid, or an
         output could not be written, or another run is writing the same outputs,
         or --pdf could not make the PDF (LibreOffice missing or failing: the xlsx
         and CSV outputs are written all the same);
         with --strict, also when any file was rejected or any warning was raised
         (the summary is still written)
      2  usage error, or an output would replace a return or a file xlsxkit did not
         write (nothing is read or written)
      130  interrupted (Ctrl-C): the earlier outputs or the new ones, whole, never a mix
    """
    if summary_path is None:
        campaign = locate(campaign_dir)
        if campaign is None:
            raise UsageError(
                "give --out SUMMARY.xlsx and the SOURCES to import, or run the import in a "
                "campaign folder (made by 'xlsxkit init'), or give --campaign DIR"
            )
        for given, name in ((manifest_paths, "--manifest"), (data_dir, "--data")):
            if given:
                raise UsageError(
                    f"{name} is for a stand-alone import (with --out); in a campaign the "
                    "round's manifest is in the store and the data goes to rounds/<round>/data/"
                )
        rule = consistency_rule(campaign.settings.consistency, consistency_threshold)
        _campaign(campaign, sources, round_name, framework_path, strict, jobs, rule, pdf)
        return
    if campaign_dir is not None or round_name is not None:
        raise UsageError(
            "--campaign and --round import a campaign's round into the campaign; leave out "
            "--out to do that (with --out, the import stands alone)"
        )
    if not sources:
        raise UsageError("give the SOURCES to import: returned files or folders")
    framework = load_framework_or_fail(framework_path)
    manifest = read_manifests(manifest_paths) if manifest_paths else None
    exclude = [summary_path, *manifest_paths]
    if data_dir is not None:
        exclude += [
            data_dir / n for n in ("returns.csv", "stages.csv", "actions.csv", "problems.csv")
        ]
    if pdf:
        exclude.append(pdf_beside(summary_path))
    request = ImportRequest(
        sources=sources, framework=framework, manifest=manifest, jobs=jobs, exclude=exclude
    )
    # Refused before anything is read (and checked again just before replacing).
    check_outputs(output_targets(summary_path, data_dir, pdf=pdf), sources)
    total = count_files(request)
    request = dataclasses.replace(request, jobs=fit_jobs(jobs, batch=total))
    with progress_bar(total, "Reading returns") as advance:
        outcome = import_job(
            request,
            summary_path=summary_path,
            data_dir=data_dir,
            progress=advance,
            consistency=consistency_rule(None, consistency_threshold),
            pdf=pdf,
        )
    click.echo(_report(outcome))
    _check(outcome, strict)


def _check(outcome: ImportOutcome, strict: bool) -> None:
    summary_path = outcome.summary_path
    if outcome.imported == 0:
        found = len(outcome.result.returns)
        blank = outcome.summary.counts.get(ReturnStatus.BLANK, 0)
        raise JobFailed(
            "nothing could be imported: "
            + (
                f"all {found} file(s) found came back blank, with nothing filled in (are "
                "these the workbooks as they were sent, the outbox?)"
                if found and blank == found
                else f"none of the {found} file(s) found is an accepted return (see the "
                f"Returns sheet of {summary_path})"
                if found
                else "no files were found under the sources"
            )
        )
    if strict and (outcome.rejected or outcome.warnings):
        raise JobFailed(
            f"--strict: {outcome.rejected} file(s) rejected and {outcome.warnings} warning(s); "
            "the summary was written"
        )
    if outcome.pdf_error:
        raise PdfError(outcome.pdf_error)


def _campaign(
    campaign: Campaign,
    sources: tuple[Path, ...],
    round_name: str | None,
    framework_path: Path | None,
    strict: bool,
    jobs: int | None,
    consistency: ConsistencyRule,
    pdf: bool,
) -> None:
    folder = campaign.folder
    framework = load_framework_or_fail(campaign_framework(campaign, framework_path))
    request = CampaignImportRequest(
        folder=folder,
        framework=framework,
        round=round_name,
        sources=sources,
        jobs=fit_jobs(campaign_jobs(campaign, jobs)),
        framework_explicit=framework_path is not None,
        title=campaign.settings.title,
        pdf=pdf,
        consistency=consistency,
    )
    # The number of files is known once the round is found: the bar starts then.
    with contextlib.ExitStack() as stack:
        bars: list[Callable[[int], None] | None] = []

        def start(total: int) -> None:
            bars.append(stack.enter_context(progress_bar(total, "Reading returns")))

        def advance(n: int) -> None:
            if bars and bars[0] is not None:
                bars[0](n)

        done = run_campaign_import(request, progress=advance, on_count=start)
    click.echo(_campaign_report(done, folder))
    _check(done.outcome, strict)


def _shown(folder: CampaignFolder, path: Path) -> str:
    try:
        return str(path.relative_to(folder.root))
    except ValueError:
        return str(path)


def _campaign_report(done: CampaignImportOutcome, folder: CampaignFolder) -> str:
    lines = [f"Round {done.round.name}: {_shown(folder, done.inbox)}/"]
    lines.append(_report(done.outcome, data_names="returns, stages, actions, problems, progress"))
    gone = [f for f in done.gone if f.status != ReturnStatus.SKIPPED]
    changed = {f.id for f in done.changed}
    for f in gone:
        inbox = _within(folder, f.location, done.inbox)
        where = "the inbox" if inbox else "where it was found"
        what = (
            f"changed since the last import (its new content was read): {f.location}"
            if f.id in changed
            else f"no longer in {where}: {f.location} (was {f.status}; no longer counted)"
        )
        lines.append(what)
    counts: dict[str, int] = {}
    for row in done.progress_rows:
        counts[row.change] = counts.get(row.change, 0) + 1
    figures = ", ".join(f"{counts.get(c, 0)} {c}" for c in ("up", "down", "same", "new", "dropped"))
    lines.append(f"Progress: {_shown(folder, done.progress)} ({figures})")
    return "\n".join(lines)


def _within(folder: CampaignFolder, location: str, inbox: Path) -> bool:
    path = Path(location) if Path(location).is_absolute() else folder.root / location
    try:
        path.relative_to(inbox)
    except ValueError:
        return False
    return True


def _report(
    outcome: ImportOutcome, *, data_names: str = "returns, stages, actions, problems"
) -> str:
    counts = outcome.summary.counts
    files = sum(counts.get(s, 0) for s in counts if s != ReturnStatus.MISSING)
    parts = [
        f"{counts.get(ReturnStatus.ACCEPTED, 0)} accepted",
        f"{counts.get(ReturnStatus.SUPERSEDED, 0)} superseded",
        f"{counts.get(ReturnStatus.DUPLICATE, 0)} duplicate",
        f"{counts.get(ReturnStatus.REJECTED, 0)} rejected",
        f"{counts.get(ReturnStatus.SKIPPED, 0)} skipped",
    ]
    if counts.get(ReturnStatus.BLANK, 0):
        parts.append(f"{counts[ReturnStatus.BLANK]} blank")
    missing = (
        f"; {counts.get(ReturnStatus.MISSING, 0)} missing"
        if outcome.summary.expected is not None
        else ""
    )
    lines = [f"{files} file(s): {', '.join(parts)}{missing}."]
    problems = sorted(
        outcome.summary.problems,
        key=lambda rp: (rp[1].severity is not Severity.ERROR, rp[0].source),
    )
    if problems:
        lines.append(f"Problems ({len(problems)}), worst first:")
        lines += [f"  {p.render(label_errors=True)}" for _, p in problems[:WORST_SHOWN]]
        if len(problems) > WORST_SHOWN:
            lines.append(f"  ... and {len(problems) - WORST_SHOWN} more: see the Problems sheet")
    chase = chase_list(outcome.summary) or ()
    if chase:
        names = ", ".join(
            m.org_name + (" (returned blank)" if m.blank_files else "") for m in chase[:5]
        )
        more = "..." if len(chase) > 5 else ""
        lines.append(f"Missing: {names}{more} (the chaser list is on the Returns sheet)")
    lines.append(f"Summary: {outcome.summary_path}")
    if outcome.pdf is not None:
        lines.append(f"PDF:     {outcome.pdf}")
    if outcome.data is not None:
        lines.append(f"Data:    {outcome.data.returns.parent}/ ({data_names} .csv)")
    return "\n".join(lines)
