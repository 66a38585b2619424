"""Writing outputs without ever losing a file: locks, ownership checks and atomic sets.

Every command that writes files (``import``: the summary and the CSVs; ``generate``: the
workbooks and the manifest) writes them the same way, for four reasons:

- *Another run*: two runs writing the same folder would interleave their files. Each run
  holds an advisory lock (``flock``) on every folder it writes into, for its whole length;
  a second run finds it held and stops at once. The lock is on the folder itself, so there
  is no lock file to leave behind, and the operating system releases it when the process
  ends, however it ends: there are no stale locks.
- *An interruption* (Ctrl-C, an error, a full disk): files are written under unique names
  in a private, hidden folder beside their destination (``.xlsxkit-run-*``; never in
  ``$TMPDIR``, so nothing holding partner text is left where nobody looks). Only when all
  of them are complete are they renamed into place, one after the other, with Ctrl-C and
  SIGTERM held back until the last rename is done. The private folder is removed in every
  case; one left by a run that was killed outright is removed by the next run that takes
  the lock.
- *Someone else's file*: a destination that exists is replaced only when xlsxkit wrote it
  (the caller says how to tell); anything else is refused, never overwritten.
- *Output failures* (a read-only folder, a full disk): reported as an :class:`OutputError`
  naming the path and what to do, never as a crash.

This module is shared by ``outbound`` and ``app``; it is part of the base and imports
only :mod:`xlsxkit.errors` and :mod:`xlsxkit.codes`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Final

from xlsxkit.codes import Code
from xlsxkit.errors import EXIT_USAGE, OutputError

#: Prefix of the private folder a run writes its files in before renaming them into place.
RUN_DIR_PREFIX = ".xlsxkit-run-"

#: Test hook: the name of a checkpoint at which to pause (see :func:`checkpoint`).
PAUSE_ENV = "XLSXKIT_TEST_PAUSE_AT"
#: Test hook: the file to create when pausing; the run goes on when FILE.go appears.
PAUSE_FLAG_ENV = "XLSXKIT_TEST_PAUSE_FLAG"
#: Longest a checkpoint pauses, so that a broken test can never hang a run for ever.
PAUSE_MAX_SECONDS = 60.0


class OutputRefused(OutputError):
    """An output would replace a file that is an input or that xlsxkit did not write: a
    usage error (exit 2); nothing was written."""

    exit_code: ClassVar[int] = EXIT_USAGE


class OutputBusy(OutputError):
    """Another xlsxkit run is writing the same outputs."""


# --------------------------------------------------------------------------------------
# failures


_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_NO_PERMISSION = {errno.EACCES, errno.EPERM, errno.EROFS}


def write_failure(
    path: Path, what: str, exc: BaseException, *, folder: Path | None = None
) -> OutputError:
    """An :class:`OutputError` for an OSError (or an XlsxWriter error wrapping one) met
    while writing WHAT to PATH (in FOLDER, by default PATH's)."""
    folder = folder if folder is not None else path.parent
    cause: BaseException = exc
    while not isinstance(cause, OSError) and cause.args and isinstance(cause.args[0], OSError):
        cause = cause.args[0]  # XlsxWriter's FileCreateError(OSError)
    reason = str(exc)
    code: int | None = None
    if isinstance(cause, OSError):
        code = cause.errno
        reason = cause.strerror or str(cause)
    if code in _DISK_FULL:
        advice = (
            "the disk is full, or a size limit was reached; free some space (or raise the "
            "limit) and run the command again"
        )
    elif code in _NO_PERMISSION:
        advice = (
            f"you cannot write in {folder}; choose a folder you can write to, or ask "
            "for write permission"
        )
    elif code in (errno.ENOTDIR, errno.ENOENT):
        advice = f"a part of {folder} is missing or is a file, not a folder; give a folder"
    else:
        advice = "if it is open in another program, close it, then run the command again"
    return OutputError(f"{path}: cannot write {what} ({reason}); {advice}. Nothing was replaced")


# --------------------------------------------------------------------------------------
# locks


def _lock_folder(folder: Path) -> int | None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, the rest still holds
        return None
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise write_failure(folder, "into this folder", exc, folder=folder) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise OutputBusy(
            f"{folder}: another xlsxkit run is writing into this folder right now; wait for "
            "it to finish (or stop it), then run this command again. Nothing was written"
        ) from None
    except OSError:  # pragma: no cover - a file system without locks: go on unlocked
        os.close(fd)
        return None
    return fd


def _remove_stale_run_dirs(folder: Path) -> None:
    """Private folders of runs that were killed outright; safe because we hold the lock."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.startswith(RUN_DIR_PREFIX) and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)


def create_folder(folder: Path, what: str) -> None:
    """Create FOLDER (and parents); an OutputError saying why if it cannot be."""
    if folder.exists() and not folder.is_dir():
        raise OutputRefused(f"{folder}: is a file, not a folder; give a folder for {what}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_failure(folder, what, exc, folder=folder) from None


@contextlib.contextmanager
def locked(paths: Iterable[Path], *, what: str = "the outputs") -> Iterator[None]:
    """Create the folders PATHS if need be, and hold the write lock on each while the block
    runs. Raises :class:`OutputBusy` at once if another run holds one of them.

    When the block fails or is interrupted, the folders this run created (parents too) are
    removed again if still empty, while the locks are still held: a run that could not
    take a lock removes nothing, so it never pulls a folder from under the run that has it.
    """
    wanted = list(dict.fromkeys(paths))
    created: list[Path] = []
    fds: list[int] = []
    holding = done = False
    try:
        for folder in wanted:
            missing: list[Path] = []
            p = folder
            while not p.exists() and not p.is_symlink() and p != p.parent:
                missing.append(p)
                p = p.parent
            create_folder(folder, what)
            created += missing  # deepest first
        checkpoint("folders-made")
        for folder in sorted({_real(f) for f in wanted}):
            fd = _lock_folder(folder)
            if fd is not None:
                fds.append(fd)
            _remove_stale_run_dirs(folder)
        holding = True
        checkpoint("locked")
        yield
        done = True
    finally:
        if holding and not done:
            for p in created:
                with contextlib.suppress(OSError):
                    p.rmdir()
        for fd in fds:
            os.close(fd)


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


# --------------------------------------------------------------------------------------
# signals


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM while the block runs; they arrive right after it."""
    held = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def quiet_child() -> None:
    """In a child process: Ctrl-C is for the parent, which stops the child and cleans up
    after it, so the child never prints a traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def checkpoint(name: str) -> None:
    """Test hook: pause here when ``$XLSXKIT_TEST_PAUSE_AT`` is NAME.

    Creates ``$XLSXKIT_TEST_PAUSE_FLAG`` and waits until FLAG.go exists (or at most
    PAUSE_MAX_SECONDS), so a test can signal or race a real run at a precise point.
    Costs one environment look-up otherwise."""
    if os.environ.get(PAUSE_ENV) != name:
        return
    flag = Path(os.environ.get(PAUSE_FLAG_ENV, "xlsxkit-pause"))
    flag.write_text(f"{os.getpid()}\n")
    go = flag.with_name(flag.name + ".go")
    deadline = time.monotonic() + PAUSE_MAX_SECONDS
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.02)


# --------------------------------------------------------------------------------------
# the set of outputs


class OutputSet:
    """Files written under temporary names, then renamed into place together.

    Use as a context manager inside :func:`locked`: ``temp(target)`` gives the name to
    write TARGET under, ``commit()`` renames every written file into place, and leaving
    the block removes every temporary file, committed or not.
    """

    def __init__(
        self,
        targets: Sequence[Path],
        *,
        may_replace: Callable[[Path], str | None] | None = None,
    ) -> None:
        """MAY_REPLACE(path) says why an existing PATH must not be replaced (None: it may)."""
        self.targets = list(targets)
        self.may_replace = may_replace
        self.run = f"{RUN_DIR_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        self.dirs: dict[Path, Path] = {}
        self.committed = False

    def __enter__(self) -> OutputSet:
        try:
            for target in self.targets:
                folder = target.parent
                if folder not in self.dirs:
                    private = folder / self.run
                    try:
                        private.mkdir(mode=0o700)
                    except OSError as exc:
                        raise write_failure(target, "the output", exc) from None
                    self.dirs[folder] = private
        except BaseException:
            self._clean()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with signals_held():
            self._clean()

    def _clean(self) -> None:
        for private in self.dirs.values():
            shutil.rmtree(private, ignore_errors=True)

    def temp(self, target: Path) -> Path:
        """Where to write TARGET until :meth:`commit`."""
        return self.dirs[target.parent] / target.name

    def scratch(self, target: Path) -> Path:
        """A private folder beside TARGET for a library's own temporary files."""
        folder = self.dirs[target.parent] / f"scratch-{target.name}"
        folder.mkdir(exist_ok=True)
        return folder

    def commit(self) -> None:
        """Rename every written file into place, in the order given, with Ctrl-C held back."""
        written = [t for t in self.targets if self.temp(t).is_file()]
        if self.may_replace is not None:
            for target in written:
                if target.exists() or target.is_symlink():
                    why = self.may_replace(target)
                    if why is not None:
                        raise OutputRefused(why)
        with signals_held():
            for i, target in enumerate(written):
                try:
                    os.replace(self.temp(target), target)
                except OSError as exc:
                    raise write_failure(target, "the output", exc) from None
                if i == 0:
                    checkpoint("commit")
            self.committed = True


# --------------------------------------------------------------------------------------
# what xlsxkit wrote

#: The custom document property that marks a file as an xlsxkit output; its value is the
#: kind. Named after the verdict such a file gets among the sources (a stable code).
MARKER_PROPERTY: Final = Code.XLSXKIT_OUTPUT.value
#: Parts of a workbook read to find the marker, at most this big.
_PROPS_MAX_BYTES = 256 * 1024


def xlsx_marker(path: Path) -> str | None:
    """The kind of xlsxkit output PATH is ("summary", ...), from its document properties;
    None when it is not one (or cannot be read). Reads two small parts, nothing else.

    Summaries written before the marker existed are recognised by their core properties
    (author xlsxkit, title "...: progress summary")."""
    import re
    import zipfile

    def part(z: zipfile.ZipFile, name: str) -> str:
        try:
            info = z.getinfo(name)
        except KeyError:
            return ""
        if info.file_size > _PROPS_MAX_BYTES:
            return ""
        with z.open(info) as fh:
            return fh.read(_PROPS_MAX_BYTES).decode("utf-8", "replace")

    try:
        with zipfile.ZipFile(path) as z:
            custom = part(z, "docProps/custom.xml")
            found = re.search(
                rf'name="{MARKER_PROPERTY}"[^>]*>\s*<vt:lpwstr>([a-z-]+)</vt:lpwstr>', custom
            )
            if found:
                return found.group(1)
            core = part(z, "docProps/core.xml")
    except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, EOFError):
        return None
    if "<dc:creator>xlsxkit</dc:creator>" in core and re.search(
        r"<dc:title>[^<]*: progress summary</dc:title>", core
    ):
        return "summary"
    return None


def csv_header_is(path: Path, header: Sequence[str]) -> bool:
    """Whether PATH starts with exactly the header line xlsxkit writes for HEADER."""
    expected = ("\ufeff" + ",".join(header) + "\r\n").encode("utf-8")
    try:
        with path.open("rb") as fh:
            return fh.read(len(expected)) == expected
    except OSError:
        return False


def same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


__all__ = [
    "MARKER_PROPERTY",
    "OutputBusy",
    "OutputError",
    "OutputRefused",
    "OutputSet",
    "checkpoint",
    "create_folder",
    "csv_header_is",
    "locked",
    "quiet_child",
    "same_file",
    "signals_held",
    "write_failure",
    "xlsx_marker",
]
