"""``xlsxkit demo``: the whole job on the bundled framework and sample organisations."""

from __future__ import annotations

from pathlib import Path

import click

from xlsxkit.app.demo import run_demo
from xlsxkit.cli.options import fit_jobs, framework_option, jobs_option, load_framework_or_fail
from xlsxkit.framework.model import ReturnStatus
from xlsxkit.inbound.mail.batch import MessageOutcome
from xlsxkit.workbook.instructions import load_template


@click.command("demo")
@click.argument(
    "directory",
    required=False,
    default="xlsxkit-demo",
    type=click.Path(file_okay=False, path_type=Path),
)
@framework_option
@click.option("--seed", default=2026, show_default=True, help="Seed for the sample answers.")
@click.option("--force", is_flag=True, help="Replace a demo already in DIRECTORY.")
@jobs_option
def demo_cmd(
    directory: Path, framework_path: Path | None, seed: int, force: bool, jobs: int | None
) -> None:
    """Run the whole job on sample data, in DIRECTORY (default ./xlsxkit-demo).

    Writes sample organisations, generates their workbooks (outbox/) and an email draft
    for each (drafts/*.eml, as 'xlsxkit send --drafts' does), then the partners' replies in
    a mailbox file (mail/inbox.mbox: complete returns, a partial one, one sent back blank,
    one resent with later changes, one sent twice, one with messy typing, a CSV export
    instead of the workbook, and an out-of-office from the partner that never replies).
    Collects the spreadsheets from the mailbox into inbox/ ('xlsxkit collect'), imports them
    into summary.xlsx and data/*.csv, and writes each partner's feedback (feedback/).
    Reproducible: the same --seed gives the same answers.
    """
    framework = load_framework_or_fail(framework_path)
    template = load_template()
    result = run_demo(
        directory,
        framework,
        template,
        seed=seed,
        force=force,
        jobs=fit_jobs(jobs),
        framework_file=framework_path,
    )
    counts = result.outcome.summary.counts
    got = result.collected.collection
    click.echo(
        f"Demo of {framework.title} ({framework.id} {framework.version}) in {result.directory}:\n"
        f"  organisations.csv   the sample partner list\n"
        f"  outbox/             {len(list(result.outbox.glob('*.xlsx')))} workbooks as sent, "
        f"and manifest.csv\n"
        f"  drafts/             {len(list(result.drafts.glob('*.eml')))} email drafts, one per "
        "partner, workbook attached (open one in Outlook or Thunderbird)\n"
        f"  mail/inbox.mbox     the replies: {len(got.messages)} messages\n"
        f"Collect: {got.saved} spreadsheets saved into inbox/, {got.duplicates} duplicate, "
        f"{got.count(MessageOutcome.AUTO_REPLY)} auto-reply skipped, "
        f"{got.without_workbook} reply without a workbook.\n"
        f"Import: {counts.get(ReturnStatus.ACCEPTED, 0)} accepted, "
        f"{counts.get(ReturnStatus.SUPERSEDED, 0)} superseded, "
        f"{counts.get(ReturnStatus.REJECTED, 0)} rejected, "
        f"{counts.get(ReturnStatus.SKIPPED, 0)} skipped, "
        f"{counts.get(ReturnStatus.BLANK, 0)} blank, "
        f"{counts.get(ReturnStatus.MISSING, 0)} missing; "
        f"{len(result.outcome.summary.problems)} problems listed.\n"
        f"Feedback: {len(result.feedback.files)} workbooks in {result.feedback_dir}/, one per "
        "partner with an accepted return.\n"
        f"Open:\n"
        f"  {result.summary}   the progress summary for the programme board\n"
        f"  {result.outbox / sorted(p.name for p in result.outbox.glob('*.xlsx'))[0]}"
        f"   a workbook as a partner receives it\n"
        f"  {result.data}/            returns.csv, stages.csv, actions.csv, problems.csv"
    )
