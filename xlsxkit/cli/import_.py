"""``xlsxkit import``: read the returned workbooks and write the consolidated summary."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from xlsxkit.app.import_job import ImportOutcome, check_outputs, import_job, output_targets
from xlsxkit.cli.options import (
    fit_jobs,
    framework_option,
    jobs_option,
    load_framework_or_fail,
    progress_bar,
)
from xlsxkit.errors import JobFailed
from xlsxkit.framework.model import ReturnStatus
from xlsxkit.inbound.batch import ImportRequest, count_files
from xlsxkit.problems import Severity
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


@click.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    "summary_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_summary_path,
    help="The summary workbook to write (.xlsx).",
)
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
@jobs_option
def import_cmd(
    sources: tuple[Path, ...],
    summary_path: Path,
    framework_path: Path | None,
    manifest_paths: tuple[Path, ...],
    data_dir: Path | None,
    strict: bool,
    jobs: int | None,
) -> None:
    """Import returned workbooks and write the consolidated progress summary.

    SOURCES are files or folders (searched recursively). Workbooks saved as .xlsx, .xlsm,
    .xls or .ods all import, however they were renamed. Lock, temporary and hidden files
    are listed as skipped. Every file is accounted for: accepted, superseded (an earlier
    save of the same organisation's workbook), duplicate (a byte-identical copy), rejected
    (with the reason) or skipped. Source files are never modified.

    \b
    Exit codes:
      0  the summary was written (rejected files are listed in it)
      1  nothing could be imported, or the framework or manifest is invalid, or an
         output could not be written, or another run is writing the same outputs;
         with --strict, also when any file was rejected or any warning was raised
         (the summary is still written)
      2  usage error, or an output would replace a return or a file xlsxkit did not
         write (nothing is read or written)
      130  interrupted (Ctrl-C): the earlier outputs or the new ones, whole, never a mix
    """
    framework = load_framework_or_fail(framework_path)
    manifest = read_manifests(manifest_paths) if manifest_paths else None
    exclude = [summary_path, *manifest_paths]
    if data_dir is not None:
        exclude += [
            data_dir / n for n in ("returns.csv", "stages.csv", "actions.csv", "problems.csv")
        ]
    request = ImportRequest(
        sources=sources, framework=framework, manifest=manifest, jobs=jobs, exclude=exclude
    )
    # Refused before anything is read (and checked again just before replacing).
    check_outputs(output_targets(summary_path, data_dir), sources)
    total = count_files(request)
    request = dataclasses.replace(request, jobs=fit_jobs(jobs, batch=total))
    with progress_bar(total, "Reading returns") as advance:
        outcome = import_job(
            request, summary_path=summary_path, data_dir=data_dir, progress=advance
        )
    click.echo(_report(outcome))
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


def _report(outcome: ImportOutcome) -> str:
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
    if outcome.data is not None:
        lines.append(
            f"Data:    {outcome.data.returns.parent}/ (returns, stages, actions, problems .csv)"
        )
    return "\n".join(lines)
