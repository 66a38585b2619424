"""``xlsxkit generate``: one workbook per partner organisation, plus manifest.csv."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from xlsxkit.cli.options import (
    fit_jobs,
    framework_option,
    jobs_option,
    load_framework_or_fail,
    progress_bar,
)
from xlsxkit.dates import DateError, parse_written_date
from xlsxkit.errors import JobFailed
from xlsxkit.inbound.orgs import is_valid_email, org_problems_text, read_org_list
from xlsxkit.outbound.generate import GenerateRequest, generate
from xlsxkit.workbook.instructions import load_template


def _email(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    if value and not is_valid_email(value):
        raise click.BadParameter(f"{value!r} is not an email address, e.g. name@example.org")
    return value or ""


def _deadline(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """A date written without ambiguity: 2026-11-20, 20 November 2026, 20/11/2026."""
    if value is None:
        return None
    try:
        return parse_written_date(value)
    except DateError as exc:
        raise click.BadParameter(str(exc)) from None


def _warn_if_past(deadline: dt.date | None, today: dt.date) -> None:
    if deadline is not None and deadline < today:
        click.echo(
            f"warning: the deadline {deadline.isoformat()} is already past (today is "
            f"{today.isoformat()}); the workbooks show it as given. If that is a mistake, run "
            "again with a later --deadline and --force",
            err=True,
        )


@click.command("generate")
@framework_option
@click.option(
    "--orgs",
    "orgs_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="List of organisations: a .csv or .xlsx with the header id,name,contact,email. "
    "A blank id becomes a slug of the name.",
)
@click.option(
    "--org",
    "org_names",
    multiple=True,
    metavar="NAME",
    help="An organisation by name (repeatable); added to --orgs if both are given.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the workbooks and manifest.csv; must be empty unless --force.",
)
@click.option("--round", "round_label", default="", metavar="LABEL", help="Round, e.g. '2026 Q4'.")
@click.option(
    "--deadline",
    callback=_deadline,
    metavar="DATE",
    help="Date to return the workbook by: 2026-11-20, 20 November 2026, or 20/11/2026 when "
    "only one reading is a date (03/04/2027 is refused as ambiguous).",
)
@click.option(
    "--return-to",
    callback=_email,
    metavar="EMAIL",
    help="Email address the partners send their workbook back to.",
)
@click.option(
    "--password",
    default=None,
    help="Password for sheet protection. This is NOT security: it only stops accidental "
    "edits, and anyone can remove it in seconds. Default: protected without a password.",
)
@click.option(
    "--instructions",
    "instructions_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="How-to text for the Start sheet. Default: ./templates/instructions.txt if there "
    "is one, else the bundled template.",
)
@click.option("--force", is_flag=True, help="Write into a folder that is not empty.")
@jobs_option
def generate_cmd(
    framework_path: Path | None,
    orgs_path: Path | None,
    org_names: tuple[str, ...],
    out_dir: Path,
    round_label: str,
    deadline: dt.date | None,
    return_to: str,
    password: str | None,
    instructions_path: Path | None,
    force: bool,
    jobs: int | None,
) -> None:
    """Generate the assessment workbook for every partner organisation.

    Writes one .xlsx per organisation into --out, and manifest.csv (org_id, org_name,
    contact, email, file, token, sha256), which 'xlsxkit import --manifest' uses to tell
    who has not returned. With neither --orgs nor --org, writes one generic workbook in
    which the partner types the organisation's name.

    \b
    Exit codes: 0 written; 1 bad framework, organisation list or folder (nothing is
    written); 2 usage error.
    """
    _warn_if_past(deadline, dt.date.today())
    framework = load_framework_or_fail(framework_path)
    template = load_template(instructions_path)
    orgs = read_org_list(orgs_path, extra_names=org_names)
    if not orgs.report.ok:
        n = len(orgs.report.errors)
        raise JobFailed(
            f"the organisation list has {n} problem{'s' * (n != 1)}; nothing was written:\n"
            + org_problems_text(orgs.report.errors)
        )
    for problem in orgs.report.warnings:
        click.echo(problem.render(), err=True)
    request = GenerateRequest(
        framework=framework,
        organisations=orgs.organisations,
        out_dir=out_dir,
        instructions=template,
        round=round_label.strip(),
        deadline=deadline,
        return_to=return_to,
        password=password or None,
        force=force,
        jobs=fit_jobs(jobs, batch=len(orgs.organisations) or 1),
    )
    with progress_bar(len(orgs.organisations), "Writing workbooks") as advance:
        result = generate(request, progress=advance)
    what = (
        "1 generic workbook (the partner types the organisation's name)"
        if result.generic
        else f"{len(result.rows)} workbook{'s' * (len(result.rows) != 1)}"
    )
    round_note = f", round {request.round}" if request.round else ""
    click.echo(
        f"Wrote {what} and {result.manifest.name} to {result.out_dir} "
        f"({framework.id} {framework.version}{round_note})."
    )
