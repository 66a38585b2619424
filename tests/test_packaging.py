"""The package a new user installs carries its data, and the README's commands are CI's."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]


def test_readme_opens_with_run_and_test_commands() -> None:
    run, test = readme_commands()
    assert run.startswith("python3 -m venv .venv && .venv/bin/pip install")
    assert ".venv/bin/xlsxkit " in run
    assert "'.[test]'" in test and "pytest" in test


def test_ci_runs_the_readme_test_command() -> None:
    _, test = readme_commands()
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert test in ci
    for gate in ("ruff check", "ruff format --check", "mypy xlsxkit"):
        assert gate in ci


def test_wheel_carries_framework_schema_and_templates(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    [wheel] = tmp_path.glob("xlsxkit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "xlsxkit/_data/framework.yaml" in names
    assert "xlsxkit/_data/schema.json" in names
    assert any(n.startswith("xlsxkit/_data/templates/") for n in names)
    assert "xlsxkit/cli/__init__.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "xlsxkit = xlsxkit.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
