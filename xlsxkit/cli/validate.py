"""``xlsxkit validate``: check a framework file and report every problem with its line."""

from __future__ import annotations

from pathlib import Path

import click

from xlsxkit.app import campaign as cmp
from xlsxkit.cli.options import campaign_option, framework_option
from xlsxkit.errors import EXIT_FAILED, EXIT_OK
from xlsxkit.framework.load import load_framework


@click.command("validate")
@click.argument(
    "framework", required=False, type=click.Path(dir_okay=True, path_type=Path), default=None
)
@campaign_option
@framework_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def validate_cmd(
    framework: Path | None, campaign_dir: Path | None, framework_path: Path | None, as_json: bool
) -> int:
    """Check a framework file against the schema and the rules a schema cannot express.

    The file is FRAMEWORK or --framework F, as for every other command; the default is
    the campaign's framework.yaml in a campaign folder, else ./framework.yaml if there is
    one, else the bundled framework.
    Prints one line of counts when the file is valid (exit 0), and every problem as
    FILE:LINE:COL: PATH: MESSAGE when it is not (exit 1). Warnings do not fail it.
    """
    if framework is not None and framework_path is not None and framework != framework_path:
        raise click.UsageError(
            f"two frameworks given ({framework} and --framework {framework_path}); give one"
        )
    path = cmp.framework_path(cmp.locate(campaign_dir), framework or framework_path)
    result = load_framework(path, display=str(path))
    fw = result.framework
    if as_json:
        click.echo(
            result.report.to_json(
                file=result.file,
                valid=result.ok,
                counts=fw.counts if fw is not None else None,
                framework=(
                    {"id": fw.id, "version": fw.version, "content_hash": fw.content_hash}
                    if fw is not None
                    else None
                ),
            )
        )
    elif fw is not None and result.ok:
        click.echo(f"{result.file}: valid: {fw.describe_counts()}")
        for problem in result.report.sorted():
            click.echo(problem.render())
    else:
        n = len(result.report.errors)
        click.echo(result.report.render_text())
        click.echo(f"{result.file}: not valid: {n} problem{'s' * (n != 1)}")
    return EXIT_OK if result.ok else EXIT_FAILED
