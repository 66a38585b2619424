"""``xlsxkit init``: a folder to work in, with editable copies of the bundled files."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

import click

from xlsxkit.app.campaign import init_campaign

_WHAT = {
    "framework.yaml": "the framework: edit the wording freely, keep the ids",
    "schema.json": "lets editors such as VS Code check framework.yaml as you type",
    "partners.csv": "the partner list: add one row per organisation under the header",
    "templates/instructions.txt": "the how-to text on each workbook's Start sheet",
    "templates/email.txt": "the email sent with each partner's workbook (xlsxkit send)",
    "templates/reminder.txt": "the reminder to partners yet to return (xlsxkit send --remind)",
    "templates/feedback.txt": "the email sent with each partner's feedback (send --feedback)",
    "xlsxkit.yaml": "the campaign settings: title, return address, default deadline",
    "xlsxkit.db": "the campaign's memory (rounds, workbooks, returns); never edit it",
}


def _command() -> str:
    """How to run xlsxkit again from any folder: plain ``xlsxkit`` when that is the one on
    PATH, else this one by its absolute path (a virtual environment not activated)."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "__main__.py":
        return f"{shlex.quote(sys.executable)} -m xlsxkit"
    if argv0.name != "xlsxkit":
        return "xlsxkit"
    on_path = shutil.which("xlsxkit")
    if on_path and Path(on_path).resolve() == argv0.resolve():
        return "xlsxkit"
    return shlex.quote(str(argv0.absolute()))


@click.command("init")
@click.argument(
    "directory",
    required=False,
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
)
def init_cmd(directory: Path) -> None:
    """Set up DIRECTORY (default: the current folder) to run an assessment from.

    Makes a campaign folder: framework.yaml (a copy of the bundled framework to edit),
    schema.json, templates/ (the how-to text on each workbook's Start sheet), partners.csv
    (the header id,name,contact,email, to fill in), the settings file xlsxkit.yaml and the
    campaign store xlsxkit.db. Run the other commands inside DIRECTORY (or with --campaign
    DIRECTORY) and they use these files. Never overwrites a file: if any of them exists,
    nothing is written.

    \b
    Exit codes: 0 written; 1 a file exists already or cannot be written; 2 usage error.
    """
    starter = init_campaign(directory)
    width = max(len(str(p)) for p in starter.files)
    lines = [f"Wrote {len(starter.files)} files to {starter.directory}:"]
    for rel in starter.files:
        what = _WHAT.get(rel.as_posix(), "a template of xlsxkit's wording")
        lines.append(f"  {rel.as_posix():<{width}}  {what}")
    xlsxkit = _command()
    lines.append("Next: fill in partners.csv, then run, in that folder:")
    if directory != Path("."):
        lines.append(f"  cd {shlex.quote(str(directory))}")
    lines += [
        f"  {xlsxkit} validate",
        f'  {xlsxkit} generate --round "2027 spring" --deadline 2027-06-30',
        f"  {xlsxkit} status",
    ]
    click.echo("\n".join(lines))
