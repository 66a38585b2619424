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
from xlsxkit.outbound.generate import GenerateRequest, GenerateResult, Mode, generate
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
    help="Folder for the workbooks and manifest.csv: a new or empty one, or one that "
    "holds this batch (then only organisations not yet in its manifest get a workbook).",
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
@click.option(
    "--force",
    is_flag=True,
    help="Regenerate every workbook, with new tokens (the ones sent before become invalid), "
    "or write into a folder that holds other files (they are left alone).",
)
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
    contact, email, file, token, sha256, framework, framework_version, round), which
    'xlsxkit import --manifest' uses to tell who has not returned. With neither --orgs nor
    --org, writes one generic workbook in which the partner types the organisation's name.

    Late partners: run it again into the same folder with the longer list (same framework
    and --round). Only the organisations not yet in manifest.csv get a workbook; the
    workbooks already there, and their tokens, stay exactly as they were.

    \b
    Exit codes: 0 written (or nothing to add); 1 bad framework, organisation list or
    folder, or another run is writing into the folder (nothing is written); 2 usage
    error, or manifest.csv in the folder is not one xlsxkit wrote; 130 interrupted
    (Ctrl-C): the folder holds the earlier batch or the new one, never a mix.
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
    click.echo(_report(result, f"{framework.id} {framework.version}", request.round))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _report(result: GenerateResult, framework: str, round_label: str) -> str:
    batch = framework + (f", round {round_label}" if round_label else "")
    if result.mode is Mode.ADDED:
        if not result.added:
            return (
                f"{result.out_dir} already holds a workbook for every organisation given "
                f"({result.earlier} in {result.manifest.name}); nothing was added. To "
                "regenerate them all with new tokens, add --force."
            )
        names = ", ".join(r.file for r in result.added[:5])
        more = ", ..." if len(result.added) > 5 else ""
        return (
            f"{result.earlier} already there (left unchanged); added "
            f"{_plural(len(result.added), 'workbook')} ({names}{more}) to {result.out_dir} "
            f"and to its {result.manifest.name} ({batch}). Send only the new ones."
        )
    what = (
        "1 generic workbook (the partner types the organisation's name)"
        if result.generic
        else _plural(len(result.rows), "workbook")
    )
    lines = [f"Wrote {what} and {result.manifest.name} to {result.out_dir} ({batch})."]
    if result.mode is Mode.REGENERATED:
        lines.append(
            f"The {_plural(result.earlier, 'workbook')} generated there before are no longer "
            "valid (every workbook has a new token): send the new ones, and ask anyone who "
            "has an old one not to fill it in."
        )
    if result.changed:
        lines.append(
            f"Left alone, because they changed since they were generated (they may hold "
            f"answers): {', '.join(result.changed)}."
        )
    return "\n".join(lines)
