"""``xlsxkit demo``: the whole job on the bundled framework and sample organisations."""

from __future__ import annotations

from pathlib import Path

import click

from xlsxkit.app.demo import run_demo
from xlsxkit.cli.options import fit_jobs, framework_option, jobs_option, load_framework_or_fail
from xlsxkit.framework.model import ReturnStatus
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

    Writes sample organisations, generates their workbooks (outbox/), fills plausible
    returns (inbox/: complete, partial, one sent back blank, one resent with later changes,
    one with messy typing, one sent as CSV, and one that never replies), then imports them
    into summary.xlsx and data/*.csv. Reproducible: the same --seed gives the same answers.
    """
    framework = load_framework_or_fail(framework_path)
    template = load_template()
    result = run_demo(directory, framework, template, seed=seed, force=force, jobs=fit_jobs(jobs))
    counts = result.outcome.summary.counts
    click.echo(
        f"Demo of {framework.title} ({framework.id} {framework.version}) in {result.directory}:\n"
        f"  organisations.csv   the sample partner list\n"
        f"  outbox/             {len(list(result.outbox.glob('*.xlsx')))} workbooks as sent, "
        f"and manifest.csv\n"
        f"  inbox/              what came back ({sum(1 for _ in result.inbox.iterdir())} files)\n"
        f"Import: {counts.get(ReturnStatus.ACCEPTED, 0)} accepted, "
        f"{counts.get(ReturnStatus.SUPERSEDED, 0)} superseded, "
        f"{counts.get(ReturnStatus.REJECTED, 0)} rejected, "
        f"{counts.get(ReturnStatus.SKIPPED, 0)} skipped, "
        f"{counts.get(ReturnStatus.BLANK, 0)} blank, "
        f"{counts.get(ReturnStatus.MISSING, 0)} missing; "
        f"{len(result.outcome.summary.problems)} problems listed.\n"
        f"Open:\n"
        f"  {result.summary}   the progress summary for the programme board\n"
        f"  {result.outbox / sorted(p.name for p in result.outbox.glob('*.xlsx'))[0]}"
        f"   a workbook as a partner receives it\n"
        f"  {result.data}/            returns.csv, stages.csv, actions.csv, problems.csv"
    )
