"""The ``xlsxkit`` command line. Each command lives in its own module and is thin: it parses
options and makes one library call.

Exit codes are decided here, in one place: a library :class:`~xlsxkit.errors.XlsxkitError`
becomes its message (``Error: ...`` on stderr, as click prints its own errors) and its
``exit_code``; a command that has printed its own verdict returns an exit code instead
(``validate``). Commands never catch library errors themselves.

The commands are imported only when one runs (or asks for its own ``--help``): ``xlsxkit
--help`` and ``xlsxkit --version`` load no command module, so none of the heavy
dependencies. That is why the group lists each command's one-line help here; a test checks
it against the command's docstring.
"""

from __future__ import annotations

import os
import signal
import sys
from importlib import import_module
from types import FrameType
from typing import Any

import click

from xlsxkit import __version__
from xlsxkit.errors import XlsxkitError

EXIT_CODES_HELP = """
\b
Exit codes:
  0  success
  1  the input is invalid or the job could not be done (the message says why)
  2  usage error: an unknown option, a missing argument or a bad value
  130  interrupted (Ctrl-C); outputs are never left half-written
"""


#: command name -> ("module:attribute", the first paragraph of the command's help)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": (
        "xlsxkit.cli.init:init_cmd",
        "Set up DIRECTORY (default: the current folder) to run an assessment from.",
    ),
    "validate": (
        "xlsxkit.cli.validate:validate_cmd",
        "Check a framework file against the schema and the rules a schema cannot express.",
    ),
    "generate": (
        "xlsxkit.cli.generate:generate_cmd",
        "Generate the assessment workbook for every partner organisation.",
    ),
    "import": (
        "xlsxkit.cli.import_:import_cmd",
        "Import returned workbooks and write the consolidated progress summary.",
    ),
    "collect": (
        "xlsxkit.cli.collect:collect_cmd",
        "Save the spreadsheets partners sent back by email into the round's inbox.",
    ),
    "feedback": (
        "xlsxkit.cli.feedback:feedback_cmd",
        "Write a feedback workbook for every partner with an accepted return.",
    ),
    "send": (
        "xlsxkit.cli.send:send_cmd",
        "Email every partner its workbook: as drafts, or through SMTP.",
    ),
    "status": (
        "xlsxkit.cli.status:status_cmd",
        "Show, for every partner of a round, when its workbook was sent and returned.",
    ),
    "demo": (
        "xlsxkit.cli.demo:demo_cmd",
        "Run the whole job on sample data, in DIRECTORY (default ./xlsxkit-demo).",
    ),
}


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``, without importing shutil (and with it bz2,
    lzma and zlib: about 5 ms of ``xlsxkit --help``)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class XlsxkitContext(click.Context):
    """click's context, with the help formatter's width found as click finds it."""

    def make_formatter(self) -> click.HelpFormatter:
        width = self.terminal_width
        if width is None:
            width = click.formatting.FORCED_WIDTH
        if width is None:  # as click.HelpFormatter does when given no width
            width = max(min(_terminal_columns(), self.max_content_width or 80) - 2, 50)
        return self.formatter_class(width=width, max_width=self.max_content_width)


class XlsxkitGroup(click.Group):
    """The command group that maps errors and returned exit codes to the process exit code,
    and imports a command of ``lazy`` (name -> (module:attribute, short help)) on first use."""

    context_class = XlsxkitContext

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, _, attr = self.lazy[cmd_name][0].partition(":")
            command = getattr(import_module(module), attr)
            assert isinstance(command, click.Command), self.lazy[cmd_name]
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's, but from the short help listed for a command not imported yet."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            if name in self.commands:
                rows.append((name, self.commands[name].get_short_help_str(limit)))
            else:
                placeholder = click.Command(name, help=self.lazy[name][1])
                rows.append((name, placeholder.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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


cli.lazy.update(COMMANDS)


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
