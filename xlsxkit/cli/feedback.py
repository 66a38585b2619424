"""``xlsxkit feedback``: a feedback workbook for every partner with an accepted return
(:mod:`xlsxkit.app.feedback`)."""

from __future__ import annotations

from pathlib import Path

import click

from xlsxkit.app.campaign import framework_path as campaign_framework
from xlsxkit.app.campaign import jobs as campaign_jobs
from xlsxkit.app.campaign import locate
from xlsxkit.app.feedback import FeedbackOutcome, feedback_from_sources, feedback_in_campaign
from xlsxkit.cli.options import (
    campaign_option,
    consistency_option,
    consistency_rule,
    fit_jobs,
    framework_option,
    jobs_option,
    load_framework_or_fail,
    round_option,
)
from xlsxkit.errors import JobFailed, PdfError, UsageError
from xlsxkit.results.feedback import MIN_GROUP
from xlsxkit.workbook.manifest import read_manifests


@click.command("feedback")
@click.argument("sources", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the feedback into, from the SOURCES given (stand-alone, as "
    "'import --out'). Without it, in a campaign: rounds/<round>/feedback/.",
)
@campaign_option
@round_option("In a campaign: the round to give feedback on (its name). Default: the latest.")
@framework_option
@click.option(
    "--manifest",
    "manifest_paths",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --out: the manifest.csv of the batch (names the files after the workbooks "
    "sent, and checks tokens as import does).",
)
@click.option(
    "--pdf",
    is_flag=True,
    help="Also render each workbook to PDF (needs LibreOffice; without it the xlsx files "
    "are still written and the message says what to install).",
)
@consistency_option
@jobs_option
def feedback_cmd(
    sources: tuple[Path, ...],
    out_dir: Path | None,
    campaign_dir: Path | None,
    round_name: str | None,
    framework_path: Path | None,
    manifest_paths: tuple[Path, ...],
    pdf: bool,
    consistency_threshold: float | None,
    jobs: int | None,
) -> None:
    """Write a feedback workbook for every partner with an accepted return.

    Each holds the partner's stage per criterion against the partnership's distribution
    (no other partner is named; a criterion's figures are withheld when fewer than
    5 partners answered it), its change since its previous round and its targets, its
    next steps (with the leads and dates it gave), and every problem found in its return,
    consistency flags included, with the cell.

    In a campaign folder (or with --campaign DIR): the round's accepted returns (run
    'xlsxkit import' first), written to rounds/<round>/feedback/<workbook>-feedback.xlsx.
    With --out DIR: the accepted returns among SOURCES, imported as 'import' would.

    \b
    Exit codes:
      0  the feedback was written (and the PDFs, when asked for and possible)
      1  nothing to give feedback on, an output could not be written, or --pdf was given
         and a PDF could not be made (the xlsx files are written all the same)
      2  usage error, or an output would replace a file xlsxkit did not write
    """
    if out_dir is None:
        if sources or manifest_paths:
            raise UsageError(
                "SOURCES and --manifest are for a stand-alone feedback: give --out DIR too "
                "(in a campaign, the round's accepted returns are used)"
            )
        campaign = locate(campaign_dir)
        if campaign is None:
            raise UsageError(
                "give the SOURCES and --out DIR, or run the command in a campaign folder "
                "(made by 'xlsxkit init'), or give --campaign DIR"
            )
        framework = load_framework_or_fail(campaign_framework(campaign, framework_path))
        outcome = feedback_in_campaign(
            campaign.folder,
            framework,
            round_name=round_name,
            consistency=consistency_rule(campaign.settings.consistency, consistency_threshold),
            pdf=pdf,
            jobs=fit_jobs(campaign_jobs(campaign, jobs)),
        )
    else:
        if campaign_dir is not None or round_name is not None:
            raise UsageError(
                "--campaign and --round are for a campaign's round; leave out --out to use them"
            )
        if not sources:
            raise UsageError("give the SOURCES to read: returned files or folders")
        framework = load_framework_or_fail(framework_path)
        outcome = feedback_from_sources(
            sources,
            framework,
            out_dir=out_dir,
            manifest=read_manifests(manifest_paths) if manifest_paths else None,
            consistency=consistency_rule(None, consistency_threshold),
            pdf=pdf,
            jobs=fit_jobs(jobs),
        )
    click.echo(_report(outcome))
    if not outcome.files:
        raise JobFailed(
            "no feedback was written: no accepted return was found"
            + (" (see the reasons above)" if outcome.skipped else "")
        )
    if pdf and outcome.pdf_problem is not None:
        raise PdfError(outcome.pdf_problem)


def _report(outcome: FeedbackOutcome) -> str:
    lines = [
        f"Feedback for {len(outcome.files)} partner(s)"
        + (f", round {outcome.round}" if outcome.round else "")
        + f": {outcome.out_dir}/"
    ]
    for f in outcome.files:
        extra = f" (+ {f.pdf.name})" if f.pdf is not None else ""
        notes = f"; {f.problems} note(s) on its return" if f.problems else ""
        lines.append(f"  {f.org_name}: {f.xlsx.name}{extra}{notes}")
    for name, why in outcome.skipped:
        lines.append(f"  not written for {name}: {why}")
    if outcome.withheld:
        lines.append(
            f"{outcome.withheld} criterion figure(s) withheld: fewer than {MIN_GROUP} partners "
            "answered them"
        )
    return "\n".join(lines)
