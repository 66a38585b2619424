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
    assert "shutil" not in modules  # the help's width is found without it


@pytest.mark.parametrize("columns", ["", "20", "52", "79", "80", "100", "103", "250", "x", "-5"])
def test_the_help_is_as_wide_as_clicks_own_formatter_makes_it(
    columns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # xlsxkit finds the terminal's width itself (so that --help does not import shutil);
    # the help must still be laid out exactly as click would lay it out.
    import click

    from xlsxkit.cli import XlsxkitContext, cli

    if columns:
        monkeypatch.setenv("COLUMNS", columns)
    else:
        monkeypatch.delenv("COLUMNS", raising=False)
    ctx = XlsxkitContext(cli, max_content_width=100)
    assert ctx.make_formatter().width == click.HelpFormatter(max_width=100).width
    assert XlsxkitContext(cli).make_formatter().width == click.HelpFormatter().width


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


def test_validating_a_valid_framework_loads_no_jsonschema_store_or_settings(
    tmp_path: Path,
) -> None:
    # A valid framework is recognised by the fast schema check (framework/schema_fast.py);
    # outside a campaign nothing of the campaign's state is needed either.
    (tmp_path / "framework.yaml").write_bytes((ROOT / "framework.yaml").read_bytes())
    _, modules = loaded("validate", "framework.yaml", cwd=tmp_path)
    assert "xlsxkit.framework.schema_fast" in modules
    assert _roots(modules) & {"jsonschema", "referencing", "jsonschema_specifications"} == set()
    assert _roots(modules) & {"sqlite3", "multiprocessing", "concurrent"} == set()
    assert not {
        m
        for m in modules
        if m.startswith(
            (
                "xlsxkit.campaign.store",
                "xlsxkit.campaign.settings",
                "xlsxkit.campaign.records",
                "xlsxkit.results",
                "xlsxkit.workbook",
                "xlsxkit.app.starter",
                "xlsxkit.dates",
            )
        )
    }


def test_validating_a_broken_framework_still_asks_jsonschema_for_the_messages(
    tmp_path: Path,
) -> None:
    text = (ROOT / "framework.yaml").read_text(encoding="utf-8")
    (tmp_path / "framework.yaml").write_text(text.replace("title:", "titel:", 1), "utf-8")
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(["validate", "framework.yaml"])],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    modules = set(json.loads(out.stderr.strip().splitlines()[-1]))
    assert "jsonschema" in modules
    assert "unknown field 'titel'" in out.stdout


def test_validate_in_a_campaign_reads_its_settings_but_opens_no_store(tmp_path: Path) -> None:
    (tmp_path / "framework.yaml").write_bytes((ROOT / "framework.yaml").read_bytes())
    (tmp_path / "xlsxkit.yaml").write_text("title: Spring review\n", encoding="utf-8")
    _, modules = loaded("validate", cwd=tmp_path)
    assert "xlsxkit.campaign.settings" in modules  # a broken settings file still fails it
    assert "sqlite3" not in _roots(modules)
    assert "xlsxkit.campaign.store" not in modules


def test_a_command_help_loads_only_that_command() -> None:
    _, modules = loaded("import", "--help", cwd=ROOT)
    commands = {m for m in modules if m.startswith("xlsxkit.cli.") and m != "xlsxkit.cli.options"}
    assert commands == {"xlsxkit.cli.import_"}
