"""A workbook rendered to PDF by LibreOffice, headless: the one place xlsxkit makes PDFs.

Why it works like this:

- *LibreOffice, not a PDF library.* The PDF is how the workbook prints: the page set-up,
  fit-to-page, repeated headings and page breaks written into the xlsx are what a reader
  would get from File > Print. Rendering through a spreadsheet application keeps one
  source of truth for the layout, and no PDF dependency is added.
- *A private profile per run* (``-env:UserInstallation`` in a fresh temporary folder).
  soffice started with the user's own profile hands the job to a LibreOffice that is
  already open (and fails or waits when the profile is locked); two runs at once would
  share one profile. A private profile makes each run independent; it is removed after.
- *A timeout,* after which soffice and every process it started (its own session) are
  killed: a hung conversion never hangs the command.
- *Atomic replace.* soffice writes into a private folder beside the target; the finished
  PDF is renamed over the target, so a reader never sees a half-written PDF and a failed
  run leaves the earlier PDF as it was.
- *Not installed is not a crash.* :class:`~xlsxkit.errors.PdfUnavailable` says what to
  install; callers write their xlsx outputs first, so nothing else is lost.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Final

from xlsxkit.errors import PdfError, PdfUnavailable
from xlsxkit.outfiles import RUN_DIR_PREFIX

__all__ = [
    "DEFAULT_TIMEOUT",
    "NEEDS_LIBREOFFICE",
    "PdfError",
    "PdfUnavailable",
    "find_soffice",
    "is_xlsxkit_pdf",
    "render_pdf",
]

NEEDS_LIBREOFFICE: Final = (
    "PDF needs LibreOffice: install it (Debian/Ubuntu: apt install libreoffice-calc-nogui; "
    "macOS/Windows: libreoffice.org) — the xlsx outputs were written"
)
#: Seconds a conversion may take before soffice is stopped. A 60-organisation summary of a
#: 12-area framework is some 700 pages: 2 minutes of CPU, 8 on a busy machine.
DEFAULT_TIMEOUT: Final = 900.0
#: Where LibreOffice installs itself when it is not on PATH (macOS, Windows).
_KNOWN_PLACES: Final = {
    "darwin": ("/Applications/LibreOffice.app/Contents/MacOS/soffice",),
    "win32": (
        r"C:\Program Files\LibreOffice\program\soffice.exe",
        r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    ),
}
#: The most of soffice's own messages quoted in an error.
_MESSAGE_MAX = 600
#: The end of a PDF read to find its document information (LibreOffice writes it last).
_TAIL_BYTES = 64 * 1024
#: The document author xlsxkit sets on its workbooks, as LibreOffice writes it in a PDF.
_AUTHOR_MARK: Final = b"/Author<" + ("FEFF" + "xlsxkit".encode("utf-16-be").hex()).encode()


def find_soffice() -> str | None:
    """The LibreOffice program to run: ``soffice`` (or ``libreoffice``) on PATH, else where
    its installer puts it on macOS and Windows; None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found is not None:
            return found
    for place in _KNOWN_PLACES.get(sys.platform, ()):
        if os.access(place, os.X_OK):
            return place
    return None


def is_xlsxkit_pdf(path: Path) -> bool:
    """Whether PATH is a PDF rendered from an xlsxkit workbook (its document author is
    xlsxkit), so that a later run may replace it. Reads only the end of the file."""
    try:
        with path.open("rb") as fh:
            head = fh.read(5)
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - _TAIL_BYTES))
            tail = fh.read(_TAIL_BYTES)
    except OSError:
        return False
    return head == b"%PDF-" and _AUTHOR_MARK.lower() in tail.lower()


def render_pdf(
    source: Path,
    target: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    shown_as: Path | None = None,
    shown_target: Path | None = None,
    soffice: str | None = None,
) -> Path:
    """Render the workbook SOURCE to the PDF TARGET (replaced atomically) and return TARGET.

    SHOWN_AS and SHOWN_TARGET are the names to give SOURCE and TARGET in messages (the
    files as the user will find them, when these are still temporary names). Raises
    :class:`PdfUnavailable` when LibreOffice is not installed, :class:`PdfError` when it
    fails or takes longer than TIMEOUT seconds; TARGET is then left as it was."""
    program = soffice or find_soffice()
    if program is None:
        raise PdfUnavailable(NEEDS_LIBREOFFICE)
    shown = shown_as or source
    where = shown_target or target
    private = target.parent / f"{RUN_DIR_PREFIX}pdf-{os.getpid()}-{secrets.token_hex(4)}"
    profile = Path(tempfile.mkdtemp(prefix="xlsxkit-lo-profile-"))
    try:
        try:
            private.mkdir(mode=0o700)
        except OSError as exc:
            raise PdfError(
                f"{where}: cannot write the PDF here ({exc.strerror}); the xlsx outputs "
                "were written. Check that the folder is writable, then run the command again"
            ) from None
        message, said = _convert(program, source.absolute(), private, profile, timeout)
        produced = private / f"{source.stem}.pdf"
        if message is None and not (produced.is_file() and produced.stat().st_size > 0):
            message = "finished without writing a PDF" + (f" ({said})" if said else "")
        if message is not None:
            raise PdfError(
                f"{where}: the PDF of {shown} could not be made: LibreOffice {message}. "
                f"The xlsx outputs were written; open {shown} in LibreOffice or Excel and "
                "export it as PDF, or run the command again"
            )
        try:
            os.replace(produced, target)
        except OSError as exc:
            raise PdfError(
                f"{where}: cannot replace the PDF ({exc.strerror}); if it is open in a "
                "PDF viewer, close it, then run the command again. The xlsx outputs were "
                "written"
            ) from None
        return target
    finally:
        shutil.rmtree(private, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)


def _convert(
    program: str, source: Path, outdir: Path, profile: Path, timeout: float
) -> tuple[str | None, str]:
    """Run soffice's PDF conversion of SOURCE into OUTDIR: (None on success, else what went
    wrong in words that follow "LibreOffice"; what soffice itself said)."""
    command = [
        program,
        "--headless",
        "--invisible",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        "pdf:calc_pdf_Export",
        "--outdir",
        str(outdir),
        str(source),
    ]
    posix = os.name == "posix"
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=posix,
        )
    except OSError as exc:
        return f"could not be started ({program}: {exc.strerror})", ""
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"took longer than {timeout:g} s and was stopped", ""
    finally:
        _stop(proc, posix)
    said = _said(output)
    if proc.returncode != 0:
        return f"stopped with exit code {proc.returncode}" + (f" ({said})" if said else ""), said
    return None, said


def _stop(proc: subprocess.Popen[bytes], posix: bool) -> None:
    """Kill soffice and whatever it started (its session), and reap it."""
    if posix:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    elif proc.poll() is None:  # pragma: no cover - not POSIX
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def _said(output: bytes | None) -> str:
    """soffice's own last words, on one line and short (its warnings about Java are noise)."""
    text = (output or b"").decode("utf-8", "replace")
    lines = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and "javaldx" not in line and not line.startswith("convert ")
    ]
    said = "; ".join(lines)
    return said if len(said) <= _MESSAGE_MAX else said[: _MESSAGE_MAX - 1] + "…"
