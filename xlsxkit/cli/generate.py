"""``xlsxkit generate``: one workbook per partner organisation, plus manifest.csv."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import click

from xlsxkit.app import campaign as cmp
from xlsxkit.app import campaign_round as rnd_gen
from xlsxkit.cli.options import (
    campaign_option,
    email_address,
    fit_jobs,
    framework_option,
    jobs_option,
    load_framework_or_fail,
    progress_bar,
    written_date,
)
from xlsxkit.errors import JobFailed
from xlsxkit.framework.model import Framework, Organisation
from xlsxkit.inbound.orgs import org_problems_text, read_org_list
from xlsxkit.outbound.generate import GenerateRequest, GenerateResult, Mode, generate
from xlsxkit.workbook.instructions import InstructionsTemplate, load_template


def _warn_if_past(deadline: dt.date | None, today: dt.date) -> None:
    if deadline is not None and deadline < today:
        click.echo(
            f"warning: the deadline {deadline.isoformat()} is already past (today is "
            f"{today.isoformat()}); the workbooks show it as given. If that is a mistake, run "
            "again with a later --deadline and --force",
            err=True,
        )


@click.command("generate")
@campaign_option
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
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the workbooks and manifest.csv: a new or empty one, or one that "
    "holds this batch (then only organisations not yet in its manifest get a workbook). In "
    "a campaign, leave it out: the round's workbooks go to rounds/<round>/outbox/.",
)
@click.option(
    "--round",
    "round_label",
    default=None,
    metavar="NAME",
    help="Round, e.g. '2027 spring'. In a campaign without --out: the round to generate "
    "(made if new; default the latest), for every partner that has no workbook in it yet.",
)
@click.option(
    "--deadline",
    callback=written_date,
    metavar="DATE",
    help="Date to return the workbook by: 2026-11-20, 20 November 2026, or 20/11/2026 when "
    "only one reading is a date (03/04/2027 is refused as ambiguous).",
)
@click.option(
    "--return-to",
    callback=email_address,
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
    campaign_dir: Path | None,
    framework_path: Path | None,
    orgs_path: Path | None,
    org_names: tuple[str, ...],
    out_dir: Path,
    round_label: str | None,
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

    In a campaign folder, without --out: generates the round --round (made if new) into
    rounds/<round>/outbox/ for every partner in partners.csv that has no workbook in that
    round yet, each pre-filled with its latest accepted answers from an earlier round.
    Workbooks written before are never touched. The framework, templates, return address,
    deadline and jobs default to the campaign's.

    \b
    Exit codes: 0 written (or nothing to add); 1 bad framework, organisation list or
    folder, or another run is writing into the folder (nothing is written); 2 usage
    error, or manifest.csv in the folder is not one xlsxkit wrote; 130 interrupted
    (Ctrl-C): the folder holds the earlier batch or the new one, never a mix.
    """
    campaign = cmp.locate(campaign_dir)
    if out_dir is None and campaign is None:
        raise click.UsageError(
            "give --out DIR, the folder for the workbooks (or run in a campaign folder made "
            "by 'xlsxkit init', where the workbooks go to rounds/<round>/outbox/)"
        )
    deadline = cmp.deadline(campaign, deadline)
    _warn_if_past(deadline, dt.date.today())
    framework_file = cmp.framework_path(campaign, framework_path)
    framework = load_framework_or_fail(framework_file)
    if campaign is not None:
        framework = campaign.settings.titled(framework)
    template = load_template(cmp.instructions_path(campaign, instructions_path))
    if out_dir is None:
        assert campaign is not None
        orgs_path = cmp.orgs_path(campaign, orgs_path)
    orgs = read_org_list(orgs_path, extra_names=org_names)
    if not orgs.report.ok:
        n = len(orgs.report.errors)
        raise JobFailed(
            f"the organisation list has {n} problem{'s' * (n != 1)}; nothing was written:\n"
            + org_problems_text(orgs.report.errors)
        )
    for problem in orgs.report.warnings:
        click.echo(problem.render(), err=True)
    return_to = cmp.return_to(campaign, return_to)
    jobs = cmp.jobs(campaign, jobs)
    if out_dir is None:
        assert campaign is not None
        _generate_round(
            campaign,
            framework,
            orgs.organisations,
            round_label,
            template=template,
            deadline=deadline,
            return_to=return_to,
            password=password,
            force=force,
            jobs=jobs,
            framework_file=framework_file,
        )
        return
    request = GenerateRequest(
        framework=framework,
        organisations=orgs.organisations,
        out_dir=out_dir,
        instructions=template,
        round=(round_label or "").strip(),
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


def _generate_round(
    campaign: cmp.Campaign,
    framework: Framework,
    organisations: Sequence[Organisation],
    round_label: str | None,
    *,
    template: InstructionsTemplate,
    deadline: dt.date | None,
    return_to: str,
    password: str | None,
    force: bool,
    jobs: int | None,
    framework_file: Path,
) -> None:
    if force:
        raise click.UsageError(
            "--force does not apply to a campaign round: the workbooks of a round may have "
            "been sent already, so they are never replaced. Give --out DIR to write a batch "
            "elsewhere"
        )
    if not organisations:
        raise JobFailed(
            f"{campaign.folder.partners}: lists no organisations; add one row per partner "
            "under the header id,name,contact,email, then run generate again"
        )
    if round_label is None or not round_label.strip():
        with campaign.open_store() as store:
            latest = store.latest_round()
        if latest is None:
            raise click.UsageError(
                "this campaign has no round yet: name the first one, e.g. "
                '--round "2027 spring" --deadline 2027-06-30'
            )
        round_label = latest.name
    request = rnd_gen.RoundRequest(
        campaign=campaign,
        framework=framework,
        organisations=organisations,
        round_name=round_label.strip(),
        instructions=template,
        deadline=deadline,
        return_to=return_to,
        password=password or None,
        jobs=fit_jobs(jobs, batch=len(organisations)),
        framework_file=framework_file,
    )
    with progress_bar(len(organisations), "Writing workbooks") as advance:
        result = rnd_gen.generate_round(request, progress=advance)
    click.echo(_round_report(result, campaign))


def _round_report(result: rnd_gen.RoundResult, campaign: cmp.Campaign) -> str:
    rnd = result.round
    n = len(result.written)
    due = f", due {rnd.deadline.isoformat()}" if rnd.deadline else ""
    head = f"Round '{rnd.name}'{due}" + (" (new)" if result.new_round else "")
    shown = _shown(result.outbox, campaign)
    if n == 0:
        lines = [
            f"{head}: every partner has a workbook already ({result.already}); nothing was "
            f"written. Add a partner to partners.csv and run again to generate theirs."
        ]
    else:
        kept = f"; {result.already} written before left as they were" if result.already else ""
        lines = [f"{head}: wrote {n} workbook{'s' * (n != 1)} to {shown}/{kept}."]
    changes = {c.since_round: c for c in result.changes}
    for revision in result.changes:
        lines.extend(_change_lines(revision))
    for c in result.carried:
        line = f"  {c.org_name}: pre-filled from '{c.previous_round}' ({c.answers} answers)"
        change = changes.get(c.previous_round)
        # What the framework block above says already is not repeated for every partner.
        if c.dropped and (change is None or c.dropped != change.removed):
            line += f"; dropped {len(c.dropped)} no longer in the framework: " + ", ".join(
                c.dropped
            )
        if c.added and (change is None or c.added != change.added):
            line += f"; {len(c.added)} new since start blank: " + ", ".join(c.added)
        if c.cleared:
            line += "; stages no longer on the ladder cleared: " + ", ".join(c.cleared)
        lines.append(line)
    unknown = sorted({c.previous_round for c in result.carried if not c.wording_known})
    for name in unknown:
        lines.append(
            f"  The framework has changed since '{name}', whose copy of the framework was not "
            f"kept (rounds/<round>/framework.yaml, written from this version on): items "
            f"reworded since cannot be listed; check the wording of the items you changed."
        )
    if result.carried and result.blank:
        lines.append(f"  Blank (no earlier accepted return): {', '.join(result.blank)}")
    lines.append(f"Manifest: {_shown(result.manifest, campaign)}")
    return "\n".join(lines)


def _change_lines(change: rnd_gen.FrameworkChange) -> list[str]:
    versions = (
        f" ({change.before} then, {change.after} now)" if change.before != change.after else ""
    )
    lines = [f"Framework changes since '{change.since_round}'{versions}:"]
    if change.added:
        lines.append(f"  added, starting blank: {', '.join(change.added)}")
    if change.removed:
        lines.append(f"  removed, dropped from the pre-fill: {', '.join(change.removed)}")
    if change.reworded:
        lines.append(
            f"  reworded, answers kept (ask partners to re-read them): {', '.join(change.reworded)}"
        )
    if change.stages_added:
        lines.append(f"  stages added: {', '.join(change.stages_added)}")
    if change.stages_removed:
        lines.append(
            f"  stages removed (answers with them cleared): {', '.join(change.stages_removed)}"
        )
    if len(lines) == 1:
        lines.append("  no item added, removed or reworded (other text changed)")
    return lines


def _shown(path: Path, campaign: cmp.Campaign) -> str:
    try:
        return path.relative_to(campaign.folder.root).as_posix()
    except ValueError:
        return str(path)
