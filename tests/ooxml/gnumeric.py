"""Gnumeric's ``ssconvert``: a third real application, the way a partner on Linux saves.

``ssconvert IN OUT -T EXPORTER`` opens IN as Gnumeric opens a file and saves it with the
exporter a user picks in Save As. Like the LibreOffice tests, these skip where Gnumeric is
not installed and fail under CI, where .ci/run installs it (Debian package ``gnumeric``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from enum import StrEnum
from pathlib import Path

import pytest

TIMEOUT_S = 180


class Exporter(StrEnum):
    """Gnumeric's Save As file types for the formats partners send back."""

    XLSX_2007 = "Gnumeric_Excel:xlsx"  # "ECMA 376 1st edition (2006); [MS Excel 2007]"
    XLSX_2010 = "Gnumeric_Excel:xlsx2"  # "ISO/IEC 29500:2008 & ECMA 376 2nd edition (2008)"
    ODS = "Gnumeric_OpenCalc:odf"  # "ODF 1.2 extended conformance (*.ods)"

    @property
    def suffix(self) -> str:
        return ".ods" if self is Exporter.ODS else ".xlsx"


def require_ssconvert() -> str:
    """The ssconvert path; skips the calling test without it, fails instead under CI."""
    path = shutil.which("ssconvert")
    if path:
        return path
    reason = "Gnumeric's ssconvert is not on PATH (Debian package gnumeric)"
    if os.environ.get("CI"):
        pytest.fail(f"Gnumeric is required under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def convert(src: Path, dst: Path, exporter: Exporter, home: Path) -> None:
    """Open SRC in Gnumeric and save it as DST with EXPORTER; raises with its output."""
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HOME": str(home), "LC_ALL": "C.UTF-8"}  # no user settings
    proc = subprocess.run(
        [require_ssconvert(), "-T", str(exporter), str(src), str(dst)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env=env,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0 or not dst.is_file():
        raise AssertionError(
            f"ssconvert {exporter} failed ({proc.returncode}) on {src.name}: "
            f"{(proc.stderr or proc.stdout).strip()[-2000:]}"
        )
