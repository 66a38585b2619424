"""Commands load only what they use: `xlsxkit --help` no library beyond click, and
`xlsxkit validate` none of the readers, writers or worker pools (start-up time is measured
in benchmarks/bench_startup.py; here, which modules a fresh interpreter has loaded)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, sys
sys.argv = ["xlsxkit", *json.loads(sys.argv[1])]
from xlsxkit.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""

HEAVY = ("xlsxwriter", "python_calamine", "openpyxl", "multiprocessing", "concurrent")


def loaded(*args: str, cwd: Path) -> tuple[int, set[str]]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(list(args))],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    modules = set(json.loads(out.stderr.strip().splitlines()[-1]))
    return out.returncode, modules


def _roots(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


@pytest.mark.parametrize("args", [("--help",), ("--version",), ()])
def test_the_command_list_loads_no_command_and_no_library_but_click(args: tuple[str, ...]) -> None:
    _, modules = loaded(*args, cwd=ROOT)
    assert _roots(modules) & {*HEAVY, "sqlite3", "jsonschema", "yaml", "referencing"} == set()
    assert {m for m in modules if m.startswith("xlsxkit")} == {
        "xlsxkit",
        "xlsxkit.cli",
        "xlsxkit.errors",
    }


def test_validate_loads_the_framework_checks_but_no_reader_writer_or_pool(tmp_path: Path) -> None:
    (tmp_path / "framework.yaml").write_bytes((ROOT / "framework.yaml").read_bytes())
    _, modules = loaded("validate", "framework.yaml", cwd=tmp_path)
    assert "xlsxkit.framework.schema_pass" in modules  # it did validate
    assert _roots(modules) & set(HEAVY) == set()
    assert not {
        m
        for m in modules
        if m.startswith(("xlsxkit.workbook.read", "xlsxkit.inbound", "xlsxkit.render"))
    }


def test_a_command_help_loads_only_that_command() -> None:
    _, modules = loaded("import", "--help", cwd=ROOT)
    commands = {m for m in modules if m.startswith("xlsxkit.cli.") and m != "xlsxkit.cli.options"}
    assert commands == {"xlsxkit.cli.import_"}
