"""Options shared by several commands, as decorators."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from xlsxkit import resources
from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Framework

F = TypeVar("F", bound=Callable[..., Any])


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


def jobs_option(func: F) -> F:
    """``--jobs N``: processes to use; default all cores."""
    return click.option(
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help="Processes to use (files are read or written in parallel). Default: all cores.",
    )(func)


def resolve_framework_path(path: Path | None) -> Path:
    return path if path is not None else resources.default_framework()


def load_framework_or_fail(path: Path | None) -> Framework:
    """Load the framework for a command; an invalid one raises FrameworkError (exit 1, with
    every problem)."""
    return require_framework(resolve_framework_path(path))


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for batches of more than one item; None otherwise."""
    if total <= 1:
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update
