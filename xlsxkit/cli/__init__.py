"""The ``xlsxkit`` command line. Each command lives in its own module and is thin: it parses
options and makes one library call.

Exit codes are decided here, in one place: a library :class:`~xlsxkit.errors.XlsxkitError`
becomes its message (``Error: ...`` on stderr, as click prints its own errors) and its
``exit_code``; a command that has printed its own verdict returns an exit code instead
(``validate``). Commands never catch library errors themselves.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import Any

import click

from xlsxkit import __version__
from xlsxkit.cli.demo import demo_cmd
from xlsxkit.cli.generate import generate_cmd
from xlsxkit.cli.import_ import import_cmd
from xlsxkit.cli.validate import validate_cmd
from xlsxkit.errors import XlsxkitError

EXIT_CODES_HELP = """
\b
Exit codes:
  0  success
  1  the input is invalid or the job could not be done (the message says why)
  2  usage error: an unknown option, a missing argument or a bad value
  130  interrupted (Ctrl-C); outputs are never left half-written
"""


class XlsxkitGroup(click.Group):
    """The command group that maps errors and returned exit codes to the process exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            rv = super().invoke(ctx)
        except XlsxkitError as exc:
            # As click prints its own errors (ClickException.show), with the error's code.
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        if isinstance(rv, int) and not isinstance(rv, bool) and rv != 0:
            ctx.exit(rv)
        return rv


@click.group(
    cls=XlsxkitGroup,
    help="Run a maturity self-assessment across partner organisations with Excel workbooks.\n"
    + EXIT_CODES_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="xlsxkit")
def cli() -> None:
    pass


cli.add_command(validate_cmd)
cli.add_command(generate_cmd)
cli.add_command(import_cmd)
cli.add_command(demo_cmd)


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM. Not a KeyboardInterrupt, which click would turn into "Aborted!"
    and exit 1; a BaseException, so that no ``except Exception`` swallows it while every
    ``finally`` on the way out still cleans up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interrupted(signum: int, frame: FrameType | None) -> None:
    # The first signal stops the run; later ones must not cut its clean-up short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Interrupted(signum)


def main() -> None:
    """Entry point: never lets a traceback reach the user."""
    signal.signal(signal.SIGINT, _interrupted)
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        cli.main(prog_name="xlsxkit", standalone_mode=True)
    except Interrupted as exc:
        click.echo("xlsxkit: interrupted; no output was left half-written", err=True)
        sys.exit(128 + exc.signum)
    except Exception as exc:  # pragma: no cover - a bug; say so plainly
        click.echo(
            f"xlsxkit: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in xlsxkit. Please report it with the command you ran.",
            err=True,
        )
        sys.exit(1)
