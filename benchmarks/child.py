"""Run a benchmark's measuring code in a fresh interpreter whose working directory is the
checkout measured (so ``--against DIR`` imports the xlsxkit found there)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_child(code: Path, script: str, *args: str) -> str:
    """SCRIPT run with ARGS in CODE: what it printed, or stop with what it said."""
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=code,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:] + out.stdout[-3000:])
    return out.stdout
