"""Read a coordinator's input file (framework, organisation list, manifest, template) within a
size bound.

Every input is a small text or spreadsheet file, but the path is typed by a person and can be
anything: a 2 GB export, a device such as /dev/zero, a named pipe that never ends or blocks
forever on open. :func:`read_bounded` is the one way xlsxkit reads such a file. It refuses
anything that is not a regular file before reading a byte (a FIFO is opened non-blocking so
that even the check cannot hang), and reads at most ``limit + 1`` bytes, so that no input can
cost more memory than its limit, whatever its declared size says.
"""

from __future__ import annotations

import errno
import os
import stat
from enum import StrEnum
from pathlib import Path
from typing import Final

from xlsxkit.errors import XlsxkitError

#: The bounds, documented in the README. Each is far above any real file of its kind and
#: far below what would hurt: the bundled framework is 11 KB, a manifest row about 250 bytes.
MAX_FRAMEWORK_BYTES: Final = 1024 * 1024
MAX_ORG_LIST_BYTES: Final = 5 * 1024 * 1024
MAX_MANIFEST_BYTES: Final = 5 * 1024 * 1024
MAX_TEMPLATE_BYTES: Final = 64 * 1024

_CHUNK: Final = 1024 * 1024


class InputProblem(StrEnum):
    """Why an input file could not be read."""

    NOT_FOUND = "not-found"
    NOT_A_FILE = "not-a-file"  # a folder, device, pipe or socket
    TOO_LARGE = "too-large"
    UNREADABLE = "unreadable"  # permissions, I/O error


class InputFileError(XlsxkitError):
    """An input file cannot be read; the message names the file, says why and what to do."""

    def __init__(self, problem: InputProblem, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.problem = problem
        self.path = path
        #: The message without the path, for reports that locate it themselves.
        self.reason = message


def describe_size(n: int) -> str:
    """A byte count as a person reads it: 64 KB, 5 MB, 1.5 MB."""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value.is_integer() else f"{value:.1f} {unit}"
    return f"{n} bytes"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _not_a_file(path: Path, mode: int, what: str) -> InputFileError:
    return InputFileError(
        InputProblem.NOT_A_FILE,
        path,
        f"this is {_kind(mode)}, not a file; give the path of the {what} file",
    )


def _too_large(path: Path, limit: int, what: str, size: int | None) -> InputFileError:
    found = f"{size:,} bytes" if size is not None else "larger"
    bound = describe_size(limit)
    if not bound.endswith(" bytes"):
        bound += f" ({limit:,} bytes)"
    return InputFileError(
        InputProblem.TOO_LARGE,
        path,
        f"the {what} may be at most {bound} and this file is {found}; check that it is the "
        f"right file (the {what} is normally a few KB)",
    )


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """The bytes of the regular file PATH, at most LIMIT of them. WHAT names the kind of file
    in messages ("framework", "organisation list"). Raises :class:`InputFileError`."""
    try:
        before = os.stat(path)
    except FileNotFoundError:
        raise InputFileError(
            InputProblem.NOT_FOUND, path, f"no such file; check the path of the {what}"
        ) from None
    except OSError as exc:
        raise InputFileError(
            InputProblem.UNREADABLE, path, f"cannot read the {what}: {exc.strerror or exc}"
        ) from None
    if not stat.S_ISREG(before.st_mode):
        raise _not_a_file(path, before.st_mode, what)
    if before.st_size > limit:
        raise _too_large(path, limit, what, before.st_size)
    try:
        # O_NONBLOCK: should the path have been swapped for a FIFO since the check, opening it
        # returns at once instead of waiting for a writer; fstat below then refuses it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise InputFileError(
                InputProblem.NOT_FOUND, path, f"no such file; check the path of the {what}"
            ) from None
        raise InputFileError(
            InputProblem.UNREADABLE, path, f"cannot read the {what}: {exc.strerror or exc}"
        ) from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise _not_a_file(path, opened.st_mode, what)
        chunks: list[bytes] = []
        total = 0
        # A file can grow after the check, or (like /proc files) declare a size of 0: the
        # bound is on what is read, never on what is declared.
        while total <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise InputFileError(
            InputProblem.UNREADABLE, path, f"cannot read the {what}: {exc.strerror or exc}"
        ) from None
    finally:
        os.close(fd)
    if total > limit:
        raise _too_large(path, limit, what, None)
    return b"".join(chunks)
