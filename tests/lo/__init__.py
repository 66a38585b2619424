"""Drive a real, headless LibreOffice from pytest, "as a person would".

The ``uno`` bridge only exists for the system interpreter (``/usr/bin/python3``), so this
module never imports it: it writes a JSON job, runs ``tests/lo/driver.py`` under that
interpreter and reads the JSON result.  One LibreOffice start serves a whole :class:`Batch`
of jobs; the one-shot helpers (:func:`edit_and_save`, :func:`read_cells`, :func:`convert`)
each start one.

Edit kinds (:class:`Edit`):

``text``     literal text (``setString``); "TRUE" or "12" stay text.  Use it for what a user
             picks from a list dropdown or types as words.
``input``    the string as typed into the cell (``setFormula`` + the UI's number-format rule):
             "12" becomes a number, "TRUE" a boolean, "2024-01-31" a date, "=A1" a formula.
``number``   a number (``setValue``).
``boolean``  ticking/unticking: typing TRUE/FALSE.  The result is the value 1/0 with
             LibreOffice's BOOLEAN number format, which it saves as a real boolean (``t="b"``
             in xlsx, ``office:value-type="boolean"`` in ods, a BOOLERR record in xls).
``date``     a real date: the date's serial number (from the document's null date) is set as
             the value and the cell's existing number format is kept.
``clear``    the Delete key: the contents go, the formatting (and validation) stays.

Edits honour sheet protection like a user: editing a locked cell on a protected sheet makes
the job fail, unless ``protection="api"`` (UNO itself does not enforce protection).

Usage::

    from tests.lo import Edit, edit_and_save, read_cells, require_lo

    require_lo()
    out = edit_and_save(src, [Edit.boolean("Sheet", "B2", True)], {"xlsx": tmp / "o.xlsx"})
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest

__all__ = [
    "FORMATS",
    "Batch",
    "Cell",
    "Edit",
    "LOError",
    "RunResult",
    "convert",
    "convert_cli",
    "edit_and_save",
    "lo_available",
    "pdf_page_count",
    "pdf_to_pngs",
    "pids_with",
    "read_cells",
    "require_lo",
    "run_jobs",
]

DRIVER = Path(__file__).resolve().with_name("driver.py")
LO_PYTHON = os.environ.get("LO_PYTHON", "/usr/bin/python3")
FORMATS = ("xlsx", "ods", "xls", "pdf", "csv")
EditKind = Literal["text", "input", "number", "boolean", "date", "clear"]
Protection = Literal["respect", "api"]
CellRef = tuple[str, str]


class LOError(RuntimeError):
    """LibreOffice could not be started, or a job failed."""


# -- availability ------------------------------------------------------------------------


def _clean_env() -> dict[str, str]:
    """The environment for the system interpreter: none of pyenv's PYTHON* variables."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}


@functools.cache
def lo_available() -> tuple[bool, str]:
    """Whether soffice, a ``uno``-capable ``/usr/bin/python3`` and pdftoppm are here."""
    if shutil.which("soffice") is None:
        return False, "soffice (LibreOffice) is not on PATH"
    if not Path(LO_PYTHON).is_file():
        return False, f"{LO_PYTHON} does not exist (needed for the uno bridge)"
    try:
        proc = subprocess.run(
            [LO_PYTHON, "-c", "import uno"],
            capture_output=True,
            text=True,
            timeout=30,
            env=_clean_env(),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"{LO_PYTHON} -c 'import uno' failed: {exc}"
    if proc.returncode != 0:
        return False, f"{LO_PYTHON} cannot import uno (install python3-uno): {proc.stderr.strip()}"
    if shutil.which("pdftoppm") is None:
        return False, "pdftoppm (poppler-utils) is not on PATH"
    return True, ""


def require_lo() -> None:
    """Skip the calling test without LibreOffice; fail instead when ``CI`` is set."""
    ok, reason = lo_available()
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"LibreOffice is required under CI: {reason}", pytrace=False)
    pytest.skip(reason)


# -- jobs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """Set one cell, addressed by sheet name and A1 reference."""

    sheet: str
    ref: str
    kind: EditKind
    value: str | float | bool | dt.date | None = None

    def __post_init__(self) -> None:
        expected: dict[str, tuple[type, ...]] = {
            "text": (str,),
            "input": (str,),
            "number": (int, float),
            "boolean": (bool,),
            "date": (dt.date, str),
            "clear": (type(None),),
        }
        if self.kind not in expected:
            raise ValueError(f"unknown edit kind {self.kind!r}")
        ok = isinstance(self.value, expected[self.kind])
        if self.kind == "number" and isinstance(self.value, bool):
            ok = False
        if not ok:
            raise TypeError(
                f"{self.kind} edit of {self.sheet}!{self.ref}: bad value {self.value!r}"
            )

    @classmethod
    def text(cls, sheet: str, ref: str, value: str) -> Edit:
        return cls(sheet, ref, "text", value)

    @classmethod
    def input(cls, sheet: str, ref: str, value: str) -> Edit:
        return cls(sheet, ref, "input", value)

    @classmethod
    def number(cls, sheet: str, ref: str, value: float) -> Edit:
        return cls(sheet, ref, "number", value)

    @classmethod
    def boolean(cls, sheet: str, ref: str, value: bool) -> Edit:
        return cls(sheet, ref, "boolean", value)

    @classmethod
    def date(cls, sheet: str, ref: str, value: dt.date | str) -> Edit:
        return cls(sheet, ref, "date", value)

    @classmethod
    def clear(cls, sheet: str, ref: str) -> Edit:
        return cls(sheet, ref, "clear", None)

    def to_json(self) -> dict[str, Any]:
        value = self.value.isoformat() if isinstance(self.value, dt.date) else self.value
        return {"sheet": self.sheet, "ref": self.ref, "kind": self.kind, "value": value}


@dataclass(frozen=True)
class Cell:
    """One cell as LibreOffice sees it."""

    sheet: str
    ref: str
    type: Literal["EMPTY", "VALUE", "TEXT", "FORMULA"]
    string: str  # the displayed text, getString()
    value: float  # getValue(): 1.0/0.0 for booleans, the serial number for dates
    formula: str  # getFormula(): "=SUM(B4:B5)", or the content as one would type it
    error: int  # getError(): 0, or e.g. 503/504/519 for #NUM!/#VALUE!-style errors
    result_type: str | None  # formulas only: VALUE / STRING / ERROR
    number_format: str  # e.g. "General", "BOOLEAN", "YYYY-MM-DD"
    format_types: tuple[str, ...]  # e.g. ("LOGICAL",), ("DATE",)
    locked: bool
    sheet_protected: bool

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Cell:
        return cls(
            sheet=raw["sheet"],
            ref=raw["ref"],
            type=raw["type"],
            string=raw["string"],
            value=float(raw["value"]),
            formula=raw["formula"],
            error=int(raw["error"]),
            result_type=raw["result_type"],
            number_format=raw["number_format"],
            format_types=tuple(raw["format_types"]),
            locked=bool(raw["locked"]),
            sheet_protected=bool(raw["sheet_protected"]),
        )

    @property
    def is_boolean(self) -> bool:
        return "LOGICAL" in self.format_types and self.type in ("VALUE", "FORMULA")

    @property
    def is_date(self) -> bool:
        return "DATE" in self.format_types and self.type in ("VALUE", "FORMULA")


@dataclass
class RunResult:
    """What one driver run (one LibreOffice start) reported."""

    ok: bool
    error: str | None
    results: list[dict[str, Any]]
    startup_seconds: float | None
    jobs_seconds: float | None
    shutdown_seconds: float | None
    wall_seconds: float
    soffice_version: str | None
    workdir: str  # held the private profile; removed, and no process mentions it any more
    raw: dict[str, Any] = field(repr=False)

    def job(self, index: int) -> dict[str, Any]:
        """The result of job ``index``; raises :class:`LOError` when that job failed."""
        entry = self.results[index]
        if not entry.get("ok"):
            raise LOError(f"LibreOffice job {index} ({entry.get('op')}) failed: {entry['error']}")
        return entry

    def cells(self, index: int) -> dict[CellRef, Cell]:
        return {(c["sheet"], c["ref"]): Cell.from_json(c) for c in self.job(index)["cells"]}

    def outputs(self, index: int) -> dict[str, Path]:
        return {fmt: Path(p) for fmt, p in self.job(index)["outputs"].items()}


def pids_with(marker: str) -> list[int]:
    """Live processes whose command line contains ``marker``."""
    found = []
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().decode("utf-8", "replace")
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker in cmdline and state != "Z":
            found.append(int(entry))
    return found


def _kill_marked(marker: str) -> None:
    for pid in pids_with(marker):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while pids_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


def run_jobs(
    jobs: Sequence[Mapping[str, Any]],
    *,
    timeout: float | None = None,
    connect_timeout: float = 60,
) -> RunResult:
    """Run ``jobs`` with one private LibreOffice; see ``driver.py`` for the protocol.

    Raises :class:`LOError` when LibreOffice could not be run at all; a failed job is only
    reported in its result (use :meth:`RunResult.job` to raise).
    """
    if timeout is None:
        timeout = connect_timeout + 60 + 30 * len(jobs)
    workdir = Path(tempfile.mkdtemp(prefix="xlsxkit-lo-"))
    job_path, result_path = workdir / "job.json", workdir / "result.json"
    request = {"workdir": str(workdir), "connect_timeout": connect_timeout, "jobs": list(jobs)}
    job_path.write_text(json.dumps(request, ensure_ascii=False), "utf-8")
    started = time.monotonic()
    stderr = b""
    try:
        proc = subprocess.Popen(
            [LO_PYTHON, str(DRIVER), str(job_path), str(result_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env=_clean_env(),
        )
        try:
            _out, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # SIGTERM first: the driver turns it into SystemExit and shuts soffice down.
            _kill_group(proc)
            raise LOError(f"the LibreOffice driver took longer than {timeout:.0f}s") from None
        if not result_path.is_file():
            raise LOError(
                f"the LibreOffice driver exited with {proc.returncode} and no result:\n"
                + stderr.decode("utf-8", "replace")[-4000:]
            )
        raw: dict[str, Any] = json.loads(result_path.read_text("utf-8"))
    finally:
        # soffice runs in its own session: anything still using our profile goes now.  The
        # marker is the directory's name: soffice's command line holds it as a file URL.
        _kill_marked(workdir.name)
        shutil.rmtree(workdir, ignore_errors=True)
    result = RunResult(
        ok=bool(raw.get("ok")),
        error=raw.get("error"),
        results=list(raw.get("results", [])),
        startup_seconds=raw.get("startup_seconds"),
        jobs_seconds=raw.get("jobs_seconds"),
        shutdown_seconds=raw.get("shutdown_seconds"),
        wall_seconds=round(time.monotonic() - started, 3),
        soffice_version=raw.get("soffice_version"),
        workdir=str(workdir),
        raw=raw,
    )
    if not result.ok:
        log = raw.get("soffice_log") or ""
        raise LOError(f"LibreOffice run failed: {result.error}\n{raw.get('traceback', '')}{log}")
    return result


def _outputs_json(outputs: Mapping[str, Path]) -> dict[str, str]:
    for fmt in outputs:
        if fmt not in FORMATS:
            raise ValueError(f"unknown output format {fmt!r}; known: {FORMATS}")
    return {fmt: str(Path(p).resolve()) for fmt, p in outputs.items()}


class Batch:
    """Collect jobs, then run them all with one LibreOffice start.

    Each method returns the job's index in :attr:`RunResult.results`.
    """

    def __init__(self) -> None:
        self.jobs: list[dict[str, Any]] = []

    def _add(self, job: dict[str, Any]) -> int:
        self.jobs.append(job)
        return len(self.jobs) - 1

    def edit(
        self,
        src: Path,
        edits: Iterable[Edit],
        outputs: Mapping[str, Path],
        *,
        recalc: bool = True,
        protection: Protection = "respect",
        password: str | None = None,
    ) -> int:
        """Edit SRC and save it as each of OUTPUTS (encrypted with PASSWORD if given)."""
        job: dict[str, Any] = {
            "op": "edit",
            "src": str(Path(src).resolve()),
            "edits": [e.to_json() for e in edits],
            "outputs": _outputs_json(outputs),
            "recalc": recalc,
            "protection": protection,
        }
        if password:
            job["password"] = password
        return self._add(job)

    def read(self, src: Path, cells: Iterable[CellRef], *, recalc: bool = True) -> int:
        return self._add(
            {
                "op": "read",
                "src": str(Path(src).resolve()),
                "cells": [[sheet, ref] for sheet, ref in cells],
                "recalc": recalc,
            }
        )

    def convert(self, src: Path, fmt: str, outdir: Path, *, recalc: bool = False) -> int:
        target = Path(outdir) / f"{Path(src).stem}.{fmt}"
        return self._add(
            {
                "op": "convert",
                "src": str(Path(src).resolve()),
                "outputs": _outputs_json({fmt: target}),
                "recalc": recalc,
            }
        )

    def run(self, *, timeout: float | None = None, connect_timeout: float = 60) -> RunResult:
        return run_jobs(self.jobs, timeout=timeout, connect_timeout=connect_timeout)


# -- one-shot helpers (one LibreOffice start each) ----------------------------------------


def edit_and_save(
    src: Path,
    edits: Sequence[Edit],
    outputs: Mapping[str, Path],
    recalc: bool = True,
    *,
    protection: Protection = "respect",
) -> dict[str, Path]:
    """Open ``src``, apply ``edits``, save a copy per format in ``outputs`` (fmt -> path).

    ``src`` itself is never written (``storeToURL`` only).  Returns the written files.
    """
    batch = Batch()
    index = batch.edit(src, edits, outputs, recalc=recalc, protection=protection)
    return batch.run().outputs(index)


def read_cells(src: Path, cells: Sequence[CellRef], recalc: bool = True) -> dict[CellRef, Cell]:
    """How LibreOffice sees ``cells`` of ``src``, after ``calculateAll()`` when ``recalc``."""
    batch = Batch()
    index = batch.read(src, cells, recalc=recalc)
    return batch.run().cells(index)


def convert(src: Path, fmt: str, outdir: Path) -> Path:
    """Save ``src`` as ``outdir/<stem>.<fmt>`` through UNO (no recalculation)."""
    batch = Batch()
    index = batch.convert(src, fmt, outdir)
    return batch.run().outputs(index)[fmt]


def convert_cli(src: Path, fmt: str, outdir: Path, *, timeout: float = 120) -> Path:
    """``soffice --headless --convert-to`` with a private profile, without UNO."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="xlsxkit-lo-cli-"))
    args = [
        "soffice",
        "--headless",
        "--invisible",
        "--nologo",
        "--norestore",
        "--nolockcheck",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        fmt,
        "--outdir",
        str(outdir),
        str(Path(src).resolve()),
    ]
    env = {**_clean_env(), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "LANGUAGE": ""}
    try:
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise LOError(f"soffice --convert-to took longer than {timeout:.0f}s") from None
        # soffice.bin can outlive the launcher briefly; no orphan survives this.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    finally:
        _kill_marked(profile.name)
        shutil.rmtree(profile, ignore_errors=True)
    target = outdir / f"{Path(src).stem}.{fmt}"
    if proc.returncode != 0 or not target.is_file():
        text = out.decode("utf-8", "replace")
        raise LOError(f"soffice --convert-to {fmt} failed ({proc.returncode}): {text}")
    return target


# -- PDF -----------------------------------------------------------------------------------


def pdf_to_pngs(pdf: Path, outdir: Path, dpi: int = 60, *, timeout: float = 120) -> list[Path]:
    """Render every page of ``pdf`` to ``outdir/<stem>-<n>.png``, in page order."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    prefix = outdir / Path(pdf).stem
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(prefix)],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    pattern = re.compile(re.escape(prefix.name) + r"-(\d+)\.png")
    pages = []
    for png in outdir.iterdir():
        match = pattern.fullmatch(png.name)
        if match:
            pages.append((int(match.group(1)), png))
    return [png for _n, png in sorted(pages)]


def pdf_page_count(pdf: Path, *, timeout: float = 60) -> int:
    """The number of pages of ``pdf`` (pdfinfo; pdftoppm when pdfinfo is missing)."""
    if shutil.which("pdfinfo"):
        proc = subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=timeout, check=True
        )
        match = re.search(r"^Pages:\s+(\d+)", proc.stdout, re.MULTILINE)
        if match:
            return int(match.group(1))
    with tempfile.TemporaryDirectory(prefix="xlsxkit-pdf-") as tmp:
        return len(pdf_to_pngs(pdf, Path(tmp), dpi=10, timeout=timeout))
