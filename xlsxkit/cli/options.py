"""Options shared by several commands, as decorators.

Every command imports this module, so it imports only click and what every command needs:
the framework loader, the consistency rule and the date parser are imported by the option
or helper that uses them (``xlsxkit validate`` needs none of the last two).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from xlsxkit import resources
from xlsxkit.errors import LimitError

if TYPE_CHECKING:
    from xlsxkit.framework.model import Framework
    from xlsxkit.results.consistency import ConsistencyRule

F = TypeVar("F", bound=Callable[..., Any])


def email_address(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """Click callback of an option that takes one email address (or nothing)."""
    if value:
        # The partner list's check; imported here so that start-up does not load it.
        from xlsxkit.inbound.orgs import is_valid_email

        if not is_valid_email(value):
            raise click.BadParameter(f"{value!r} is not an email address, e.g. name@example.org")
    return value or ""


def written_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """Click callback of a date written without ambiguity: 2026-11-20, 20 November 2026,
    20/11/2026."""
    if value is None:
        return None
    from xlsxkit.dates import DateError, parse_written_date

    try:
        return parse_written_date(value)
    except DateError as exc:
        raise click.BadParameter(str(exc)) from None


def framework_option(func: F) -> F:
    """``--framework F``: the framework file; default ./framework.yaml, else the bundled one."""
    return click.option(
        "--framework",
        "framework_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Framework file. Default: ./framework.yaml if there is one, else the bundled "
        "IP 'Engaging people' framework.",
    )(func)


def round_option(help: str, *, metavar: str = "ROUND") -> Callable[[F], F]:
    """``--round NAME`` (as ``round_name``): a round of the campaign, HELP saying which."""

    def decorate(func: F) -> F:
        return click.option("--round", "round_name", default=None, metavar=metavar, help=help)(func)

    return decorate


def campaign_option(func: F) -> F:
    """``--campaign DIR``: the campaign folder; default the one the current folder is in."""
    return click.option(
        "--campaign",
        "campaign_dir",
        type=click.Path(path_type=Path),
        default=None,
        metavar="DIR",
        help="The campaign folder (made by 'xlsxkit init'). Default: the folder the command "
        "is run in, or the first one above it holding xlsxkit.yaml or xlsxkit.db.",
    )(func)


def _share(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    from xlsxkit.results.consistency import parse_share

    share = parse_share(value)
    if share is None:
        raise click.BadParameter(
            f"{value!r}: give a share of the actions from 0 to 1 (e.g. 0.5) or a percentage "
            "(e.g. 50%); 0 switches the consistency flags off"
        )
    return share


def consistency_option(func: F) -> F:
    """``--consistency-threshold SHARE``: the consistency flags' threshold."""
    from xlsxkit.results.consistency import DEFAULT_THRESHOLD

    return click.option(
        "--consistency-threshold",
        "consistency_threshold",
        default=None,
        metavar="SHARE",
        callback=_share,
        help="Flag a claimed stage when fewer than this share of the suggested actions at or "
        f"below it are ticked (default {DEFAULT_THRESHOLD}, or the campaign's "
        "consistency: threshold; e.g. 0.5 or 50%; 0: no flags). The answer always stands.",
    )(func)


def consistency_rule(base: ConsistencyRule | None, threshold: float | None) -> ConsistencyRule:
    """BASE (the campaign's rule, else the default) with THRESHOLD when one was given."""
    from xlsxkit.results.consistency import ConsistencyRule

    rule = base if base is not None else ConsistencyRule()
    return rule if threshold is None else dataclasses.replace(rule, threshold=threshold)


def jobs_option(func: F) -> F:
    """``--jobs N``: processes to use; default all cores."""
    return click.option(
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help="Processes to use (files are read or written in parallel). Default: all cores.",
    )(func)


#: Open files each worker process costs the main process: its pipe and its exit sentinel,
#: plus a share of a process pool's queues (measured: 3 for the import's readers, 2.6 for
#: the generate pool), rounded up.
FDS_PER_WORKER = 4
#: Open files kept free for the main process's own work: the outputs it writes, the
#: manifest, temporary files, the interpreter's own.
FDS_RESERVED = 16


def _open_files_limit() -> int | None:
    """The soft RLIMIT_NOFILE, or None when there is none (or no way to know)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return None
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else soft


def _open_files() -> int:
    for folder in ("/proc/self/fd", "/dev/fd"):
        try:
            return len(os.listdir(folder))
        except OSError:
            continue
    return 3  # pragma: no cover - stdin, stdout, stderr


def fit_jobs(requested: int | None, batch: int | None = None) -> int:
    """The processes to use: REQUESTED (default all cores), no more than the BATCH has items
    and than the open-files limit allows. Too low a limit to run at all is exit 1."""
    wanted = max(1, requested or os.cpu_count() or 1)
    if batch is not None:
        wanted = max(1, min(wanted, batch))
    soft = _open_files_limit()
    if soft is None:
        return wanted
    in_use = _open_files()
    spare = soft - in_use - FDS_RESERVED
    if spare < FDS_PER_WORKER:
        raise LimitError(
            f"the limit on open files is {soft} (see 'ulimit -n'), too low for xlsxkit, which "
            f"needs at least {in_use + FDS_RESERVED + FDS_PER_WORKER}; raise it, e.g. with "
            "'ulimit -n 1024', and run the command again"
        )
    allowed = spare // FDS_PER_WORKER
    if wanted <= allowed:
        return wanted
    if requested is not None:
        click.echo(
            f"note: using {allowed} process{'es' * (allowed != 1)}, not {requested}: the limit "
            f"on open files ({soft}, see 'ulimit -n') allows no more",
            err=True,
        )
    return allowed


def resolve_framework_path(path: Path | None) -> Path:
    return path if path is not None else resources.default_framework()


def load_framework_or_fail(path: Path | None) -> Framework:
    """Load the framework for a command; an invalid one raises FrameworkError (exit 1, with
    every problem)."""
    from xlsxkit.framework.load import require_framework

    return require_framework(resolve_framework_path(path))


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for batches of more than one item; None otherwise."""
    if total <= 1:
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update
