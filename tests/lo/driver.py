#!/usr/bin/python3
"""Drive a private, headless LibreOffice through UNO for the test suite.

Runs under the *system* interpreter (``/usr/bin/python3``), the only one that can
``import uno``.  The pytest side (``tests/lo/__init__.py``) never imports this module; it
runs it as a subprocess::

    /usr/bin/python3 tests/lo/driver.py JOB.json RESULT.json
    /usr/bin/python3 tests/lo/driver.py < JOB.json > RESULT.json

Job (one LibreOffice start serves every job in the list)::

    {"workdir": "/tmp/xyz",            # optional; private profile and log go here
     "connect_timeout": 60,            # optional; seconds to wait for soffice
     "jobs": [
       {"op": "edit", "src": "/p/in.xlsx",
        "edits": [{"sheet": "S", "ref": "B3", "kind": "text", "value": "Zoë"}, ...],
        "outputs": {"xlsx": "/p/out.xlsx", "ods": "/p/out.ods", "pdf": "/p/out.pdf"},
        "recalc": true, "protection": "respect"},
       {"op": "read", "src": "/p/in.xlsx", "cells": [["S", "B3"], ...], "recalc": true},
       {"op": "convert", "src": "/p/in.xlsx", "outputs": {"pdf": "/p/out.pdf"}}
     ]}

Result::

    {"ok": true, "error": null, "startup_seconds": 1.9, "shutdown_seconds": 0.3,
     "soffice_version": "7.4.7.2", "results": [{"op": "edit", "ok": true, "error": null,
     "seconds": 0.4, "outputs": {...}, "edits": [...]}, ...]}

An edit/convert result has ``outputs`` (format -> path written) and, for edits, ``edits``
(each edited cell as LibreOffice sees it afterwards); a read result has ``cells`` (type,
string, value, formula, error, result_type, number_format, format_types, locked,
sheet_protected), ``sheets`` (name, visible, protected) and ``null_date``.

A failing job is reported in its own result (``ok: false`` and ``error``); the other jobs
still run.  Only a LibreOffice that cannot be started or that dies makes the whole run fail
(``ok: false`` at the top level).  soffice always runs in its own session (process group),
is asked to terminate, then killed, and its profile directory is removed.

Edit kinds (see ``tests/lo/__init__.py`` for the rationale):

``text``     ``cell.setString(value)``: literal text, never interpreted.
``input``    ``cell.setFormula(value)`` plus the UI's number-format rule (``type_like_user``):
             typed input, en-US: "12" is a number, "TRUE" a boolean, "=A1+1" a formula.
``number``   ``cell.setValue(value)``.
``boolean``  ``TRUE``/``FALSE`` typed as by ``input``: the value 1/0 with the BOOLEAN format.
``date``     ``cell.setValue(serial)`` for an ISO date/datetime string; the cell's existing
             number format is kept.
``clear``    the Delete key: contents (values, dates, text, formulas) go, formats stay.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

FILTERS: dict[str, str] = {
    "xlsx": "Calc MS Excel 2007 XML",
    "ods": "calc8",
    "xls": "MS Excel 97",
    "pdf": "calc_pdf_Export",
    "csv": "Text - txt - csv (StarCalc)",
}
EDIT_KINDS = ("text", "input", "number", "boolean", "date", "clear")
# com.sun.star.sheet.CellFlags: VALUE | DATETIME | STRING | FORMULA (what Delete removes).
CLEAR_FLAGS = 1 | 2 | 4 | 16
# com.sun.star.util.NumberFormat bits.
NUMBER_FORMAT_TYPES = {
    "DATE": 2,
    "TIME": 4,
    "CURRENCY": 8,
    "NUMBER": 16,
    "SCIENTIFIC": 32,
    "FRACTION": 64,
    "PERCENT": 128,
    "TEXT": 256,
    "LOGICAL": 1024,
}
LOGICAL = NUMBER_FORMAT_TYPES["LOGICAL"]
DATE_TYPE = NUMBER_FORMAT_TYPES["DATE"]
TIME_TYPE = NUMBER_FORMAT_TYPES["TIME"]
# com.sun.star.sheet.FormulaResult.
FORMULA_RESULT = {1: "VALUE", 2: "STRING", 4: "ERROR"}
NEVER_EXECUTE = 0  # com.sun.star.document.MacroExecMode.NEVER_EXECUTE
NO_UPDATE = 0  # com.sun.star.document.UpdateDocMode.NO_UPDATE
SOFFICE = os.environ.get("LO_SOFFICE") or shutil.which("soffice") or "soffice"


class DriverError(Exception):
    """A job cannot be done; reported in that job's result."""


def props(**kwargs: Any) -> tuple[Any, ...]:
    out = []
    for name, value in kwargs.items():
        pv = PropertyValue()
        pv.Name = name
        pv.Value = value
        out.append(pv)
    return tuple(out)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pids_with(marker: str) -> list[int]:
    """Processes whose command line mentions ``marker`` (our unique profile path)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().decode("utf-8", "replace")
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker in cmdline and state != "Z":  # zombies are dead already
            found.append(int(entry))
    return found


class Office:
    """One private soffice: started by ``start``, always removed by ``stop``."""

    def __init__(self, workdir: Path, connect_timeout: float) -> None:
        self.workdir = workdir
        self.connect_timeout = connect_timeout
        self.profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=workdir))
        self.log_path = workdir / "soffice.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.desktop: Any = None
        self.ctx: Any = None
        self.version = ""

    def start(self) -> None:
        last = "not started"
        for _attempt in range(3):
            try:
                self._start_once()
                return
            except DriverError as exc:
                last = str(exc)
                self._kill()
        raise DriverError(f"LibreOffice did not start: {last}")

    def _start_once(self) -> None:
        port = free_port()
        args = [
            SOFFICE,
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={uno.systemPathToFileUrl(str(self.profile))}",
            f"--accept=socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext",
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        # en-US conventions whatever the machine's locale: "TRUE", "1.5", "2024-01-31".
        env.update(LC_ALL="C.UTF-8", LANG="C.UTF-8", LANGUAGE="")
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=env,
            )
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        url = f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + self.connect_timeout
        last = "not tried"
        while True:
            if self.proc.poll() is not None:
                # A fresh profile can make soffice.bin restart itself (oosplash stays);
                # if the launcher itself is gone, this attempt has failed.
                raise DriverError(f"soffice exited with code {self.proc.returncode}")
            try:
                self.ctx = resolver.resolve(url)
                desktop = self.ctx.ServiceManager.createInstanceWithContext(
                    "com.sun.star.frame.Desktop", self.ctx
                )
                if desktop is not None:
                    self.desktop = desktop
                    break
            except NoConnectException:
                last = "connection refused"
            except Exception as exc:  # e.g. the bridge drops during a first-start restart
                last = f"{type(exc).__name__}: {exc}"
            if time.monotonic() > deadline:
                raise DriverError(
                    f"no UNO connection on port {port} after {self.connect_timeout}s ({last})"
                )
            time.sleep(0.25)
        with contextlib.suppress(Exception):
            provider = self.ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.configuration.ConfigurationProvider", self.ctx
            )
            access = provider.createInstanceWithArguments(
                "com.sun.star.configuration.ConfigurationAccess",
                props(nodepath="/org.openoffice.Setup/Product"),
            )
            self.version = str(access.getByName("ooSetupVersionAboutBox"))

    def stop(self) -> None:
        try:
            if self.desktop is not None:
                with contextlib.suppress(Exception):
                    components = self.desktop.getComponents().createEnumeration()
                    while components.hasMoreElements():
                        with contextlib.suppress(Exception):
                            components.nextElement().close(True)
                # terminate() usually drops the bridge before it can answer: ignore that.
                with contextlib.suppress(Exception):
                    self.desktop.terminate()
                if self.proc is not None:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self.proc.wait(timeout=10)
        finally:
            self.desktop = None
            self.ctx = None
            self._kill()
            shutil.rmtree(self.profile, ignore_errors=True)

    def _kill(self) -> None:
        """Kill the soffice process group and anything else using our profile."""
        if self.proc is not None:
            if self.proc.poll() is None:
                for sig in (signal.SIGTERM, signal.SIGKILL):
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(self.proc.pid, sig)
                    try:
                        self.proc.wait(timeout=5)
                        break
                    except subprocess.TimeoutExpired:
                        continue
            # soffice.bin may outlive the launcher for a moment: kill the whole group anyway.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc = None
        # The directory names, not the paths: the command line holds a file URL, which
        # percent-encodes unusual characters in the temporary directory's path.
        marker = f"{self.workdir.name}/{self.profile.name}"
        for pid in pids_with(marker):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while pids_with(marker) and time.monotonic() < deadline:
            time.sleep(0.1)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- documents -------------------------------------------------------------------

    def load(self, src: str) -> Any:
        path = Path(src)
        if not path.is_file():
            raise DriverError(f"no such file: {src}")
        url = uno.systemPathToFileUrl(str(path.resolve()))
        doc = self.desktop.loadComponentFromURL(
            url,
            "_blank",
            0,
            props(
                Hidden=True,
                MacroExecutionMode=NEVER_EXECUTE,
                UpdateDocMode=NO_UPDATE,
                Silent=True,
            ),
        )
        if doc is None:
            raise DriverError(f"LibreOffice could not load {src}")
        if not hasattr(doc, "getSheets"):
            with contextlib.suppress(Exception):
                doc.close(True)
            raise DriverError(f"{src} did not open as a spreadsheet")
        return doc

    def store(
        self, doc: Any, outputs: dict[str, str], src: str, password: str | None = None
    ) -> dict[str, str]:
        src_resolved = Path(src).resolve()
        stored: dict[str, str] = {}
        for fmt, out in outputs.items():
            if fmt not in FILTERS:
                raise DriverError(f"unknown output format {fmt!r}; known: {sorted(FILTERS)}")
            target = Path(out).resolve()
            if target == src_resolved:
                raise DriverError(f"refusing to overwrite the source file {src}")
            target.parent.mkdir(parents=True, exist_ok=True)
            extra = {"Password": password} if password else {}
            doc.storeToURL(
                uno.systemPathToFileUrl(str(target)),
                props(FilterName=FILTERS[fmt], Overwrite=True, **extra),
            )
            if not target.is_file():
                raise DriverError(f"LibreOffice wrote no {fmt} file at {target}")
            stored[fmt] = str(target)
        return stored


# -- cells -------------------------------------------------------------------------------


def get_sheet(doc: Any, name: str) -> Any:
    sheets = doc.getSheets()
    if not sheets.hasByName(name):
        raise DriverError(f"no sheet {name!r}; sheets: {list(sheets.getElementNames())}")
    return sheets.getByName(name)


def get_cell(doc: Any, sheet_name: str, ref: str) -> tuple[Any, Any]:
    sheet = get_sheet(doc, sheet_name)
    try:
        rng = sheet.getCellRangeByName(ref)
    except Exception as exc:
        raise DriverError(f"bad cell reference {sheet_name}!{ref}: {exc}") from exc
    return sheet, rng.getCellByPosition(0, 0)


def null_date(doc: Any) -> dt.date:
    nd = doc.NullDate
    return dt.date(nd.Year, nd.Month, nd.Day)


def date_serial(doc: Any, value: str) -> float:
    try:
        when = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise DriverError(f"date edits need an ISO date string, got {value!r}") from exc
    base = dt.datetime.combine(null_date(doc), dt.time())
    delta = when - base
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6


def number_format(doc: Any, cell: Any) -> tuple[str, list[str]]:
    key = cell.NumberFormat
    try:
        fmt = doc.getNumberFormats().getByKey(key)
    except Exception:
        return "", []
    bits = int(fmt.Type)
    types = [name for name, bit in NUMBER_FORMAT_TYPES.items() if bits & bit]
    return str(fmt.FormatString), types


def describe_cell(doc: Any, sheet_name: str, ref: str) -> dict[str, Any]:
    sheet, cell = get_cell(doc, sheet_name, ref)
    fmt, fmt_types = number_format(doc, cell)
    ctype = cell.getType().value  # EMPTY / VALUE / TEXT / FORMULA
    out: dict[str, Any] = {
        "sheet": sheet_name,
        "ref": ref,
        "type": ctype,
        "string": cell.getString(),
        "value": cell.getValue(),
        "formula": cell.getFormula(),
        "error": cell.getError(),
        "result_type": None,
        "number_format": fmt,
        "format_types": fmt_types,
        "locked": bool(cell.CellProtection.IsLocked),
        "sheet_protected": bool(sheet.isProtected()),
    }
    if ctype == "FORMULA":
        out["result_type"] = FORMULA_RESULT.get(int(cell.FormulaResultType2), "UNKNOWN")
    return out


def sheet_info(doc: Any) -> list[dict[str, Any]]:
    sheets = doc.getSheets()
    return [
        {
            "name": name,
            "visible": bool(sheets.getByName(name).IsVisible),
            "protected": bool(sheets.getByName(name).isProtected()),
        }
        for name in sheets.getElementNames()
    ]


def type_like_user(doc: Any, formatter: Any, cell: Any, text: str) -> None:
    """Enter ``text`` as if typed into the cell (and confirmed with Enter).

    ``setFormula`` interprets the input with en-US conventions ("TRUE" -> 1, "2024-01-31" ->
    45322, "=A1" -> a formula) but, unlike the UI, never changes the cell's number format, so
    TRUE typed into a "General" cell would show as 1.  The UI (ScColumn::ParseString, #i22345#)
    applies the detected format when the old one is the default format of the NUMBER, DATE,
    TIME or LOGICAL type, and always when a boolean was detected; the same rule is applied
    here.
    """
    cell.setFormula(text)
    if cell.getType().value != "VALUE":
        return
    formats = doc.getNumberFormats()
    old_key = int(cell.NumberFormat)
    try:
        old = formats.getByKey(old_key)
        new_key = int(formatter.detectNumberFormat(old_key, text))
        new_type = int(formats.getByKey(new_key).Type) & ~1  # drop the DEFINED bit
    except Exception:  # not recognisable as a formatted number: keep the format
        return
    if new_key == old_key:
        return
    old_type = int(old.Type) & ~1
    overwrite = new_type == LOGICAL
    if old_type in (NUMBER_FORMAT_TYPES["NUMBER"], DATE_TYPE, TIME_TYPE, LOGICAL):
        overwrite = overwrite or old_key == formats.getStandardFormat(old_type, old.Locale)
    if overwrite:
        cell.NumberFormat = new_key


def apply_edit(doc: Any, formatter: Any, edit: dict[str, Any], protection: str) -> dict[str, Any]:
    kind = edit.get("kind")
    if kind not in EDIT_KINDS:
        raise DriverError(f"unknown edit kind {kind!r}; known: {list(EDIT_KINDS)}")
    sheet_name, ref, value = edit.get("sheet"), edit.get("ref"), edit.get("value")
    if not isinstance(sheet_name, str) or not isinstance(ref, str):
        raise DriverError(f"an edit needs 'sheet' and 'ref' strings: {edit!r}")
    sheet, cell = get_cell(doc, sheet_name, ref)
    if protection == "respect" and sheet.isProtected() and cell.CellProtection.IsLocked:
        raise DriverError(f"{sheet_name}!{ref} is locked on a protected sheet")
    if kind == "text":
        cell.setString(str(value))
    elif kind == "input":
        type_like_user(doc, formatter, cell, str(value))
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise DriverError(f"number edits need a number, got {value!r}")
        cell.setValue(float(value))
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise DriverError(f"boolean edits need true/false, got {value!r}")
        type_like_user(doc, formatter, cell, "TRUE" if value else "FALSE")
    elif kind == "date":
        cell.setValue(date_serial(doc, str(value)))
    else:  # clear
        sheet.getCellRangeByName(ref).clearContents(CLEAR_FLAGS)
    return describe_cell(doc, sheet_name, ref)


# -- jobs --------------------------------------------------------------------------------


def run_job(office: Office, job: dict[str, Any]) -> dict[str, Any]:
    op = job.get("op")
    src = job.get("src")
    if op not in ("edit", "read", "convert"):
        raise DriverError(f"unknown op {op!r}")
    if not isinstance(src, str):
        raise DriverError("a job needs a 'src' path")
    protection = job.get("protection", "respect")
    if protection not in ("respect", "api"):
        raise DriverError(f"protection must be 'respect' or 'api', not {protection!r}")
    result: dict[str, Any] = {}
    doc = office.load(src)
    try:
        if op == "edit":
            formatter = office.ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.util.NumberFormatter", office.ctx
            )
            formatter.attachNumberFormatsSupplier(doc)
            applied = [apply_edit(doc, formatter, e, protection) for e in job.get("edits", [])]
            result["edits"] = applied
        if job.get("recalc", True):
            doc.calculateAll()
        if op == "read":
            result["cells"] = [describe_cell(doc, s, r) for s, r in job.get("cells", [])]
            result["sheets"] = sheet_info(doc)
            result["null_date"] = null_date(doc).isoformat()
        else:
            result["outputs"] = office.store(
                doc, job.get("outputs", {}), src, password=job.get("password")
            )
    finally:
        with contextlib.suppress(Exception):
            doc.close(True)
    return result


def run(request: dict[str, Any]) -> dict[str, Any]:
    own_workdir = request.get("workdir") is None
    workdir = Path(request.get("workdir") or tempfile.mkdtemp(prefix="lo-driver-"))
    workdir.mkdir(parents=True, exist_ok=True)
    response: dict[str, Any] = {
        "ok": False,
        "error": None,
        "startup_seconds": None,
        "jobs_seconds": None,
        "shutdown_seconds": None,
        "soffice_version": None,
        "results": [],
    }
    office = Office(workdir, float(request.get("connect_timeout", 60)))
    try:
        t0 = time.monotonic()
        office.start()
        response["startup_seconds"] = round(time.monotonic() - t0, 3)
        response["soffice_version"] = office.version
        t1 = time.monotonic()
        for job in request.get("jobs", []):
            t = time.monotonic()
            entry: dict[str, Any] = {"op": job.get("op"), "ok": False, "error": None}
            try:
                entry.update(run_job(office, job))
                entry["ok"] = True
            except DriverError as exc:
                entry["error"] = str(exc)
            except Exception as exc:  # UNO exceptions: report per job, keep going
                entry["error"] = f"{type(exc).__name__}: {exc}"
                entry["traceback"] = traceback.format_exc()
            entry["seconds"] = round(time.monotonic() - t, 3)
            response["results"].append(entry)
            if not office.alive():
                raise DriverError("soffice died while running the jobs")
        response["jobs_seconds"] = round(time.monotonic() - t1, 3)
        response["ok"] = True
    except DriverError as exc:
        response["error"] = str(exc)
    except Exception as exc:
        response["error"] = f"{type(exc).__name__}: {exc}"
        response["traceback"] = traceback.format_exc()
    finally:
        # A second SIGTERM must not cut the clean-up short.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGHUP})
        t2 = time.monotonic()
        office.stop()
        response["shutdown_seconds"] = round(time.monotonic() - t2, 3)
        if not response["ok"] and office.log_path.is_file():
            response["soffice_log"] = office.log_path.read_text("utf-8", "replace")[-4000:]
        if own_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return response


def _on_signal(signum: int, _frame: Any) -> None:
    # Turn SIGTERM/SIGHUP into an exception so that ``finally`` kills soffice.
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    if len(argv) not in (1, 3):
        print(f"usage: {argv[0]} [JOB.json RESULT.json]  (else stdin -> stdout)", file=sys.stderr)
        return 2
    raw = Path(argv[1]).read_text("utf-8") if len(argv) == 3 else sys.stdin.read()
    try:
        request = json.loads(raw)
    except json.JSONDecodeError as exc:
        response: dict[str, Any] = {"ok": False, "error": f"bad job JSON: {exc}", "results": []}
    else:
        response = run(request)
    text = json.dumps(response, ensure_ascii=False, indent=1)
    if len(argv) == 3:
        Path(argv[2]).write_text(text, "utf-8")
    else:
        sys.stdout.write(text)
    return 0 if response["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
