"""The campaign's title (``title`` in xlsxkit.yaml) is what the workbooks and the summary
show as their title; without one, the framework's title, as outside a campaign."""

from __future__ import annotations

import os
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from tests.filling import fill_with_openpyxl
from xlsxkit.cli import cli
from xlsxkit.framework.load import require_framework

TITLE = "North & West maturity review 2027"


def run(*args: str | Path, cwd: Path) -> Result:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, [str(a) for a in args])
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


def texts(path: Path, sheet: str) -> list[str]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


@pytest.mark.parametrize("title", [TITLE, ""], ids=["campaign-title", "no-title"])
def test_the_campaign_title_heads_the_workbooks_and_the_summary(tmp_path: Path, title: str) -> None:
    folder = tmp_path / "c"
    assert run("init", folder, cwd=tmp_path).exit_code == 0
    settings = folder / "xlsxkit.yaml"
    text = settings.read_text("utf-8")
    settings.write_text(
        re.sub(r"^title:.*$", f'title: "{title}"' if title else "title:", text, flags=re.M),
        "utf-8",
    )
    with (folder / "partners.csv").open("a", encoding="utf-8") as fh:
        fh.write("north,North Trust,,\n")
    framework = require_framework(folder / "framework.yaml")
    shown = title or framework.title

    assert run("generate", "--round", "R1", cwd=folder).exit_code == 0
    sent = folder / "rounds" / "r1" / "outbox" / "north-trust.xlsx"
    book = openpyxl.load_workbook(sent)
    assert book.properties.title == f"{shown}: self-assessment"
    start = texts(sent, "Start")
    assert shown in start  # the heading
    if title:
        assert framework.title not in start
    first_dimension = framework.dimensions[0].name
    heading = texts(sent, book.sheetnames[1])[0]  # e.g. "People – <title>"
    assert heading.startswith(first_dimension) and heading.endswith(shown)

    fill_with_openpyxl(
        sent,
        folder / "rounds" / "r1" / "inbox" / "north.xlsx",
        {(framework.criteria[0].id, "stage"): framework.stages[0].label},
    )
    imported = run("import", cwd=folder)
    assert imported.exit_code == 0, imported.output
    summary = openpyxl.load_workbook(folder / "rounds" / "r1" / "summary.xlsx")
    assert summary.properties.title == f"{shown}: progress summary"
    assert any(
        shown in t for t in texts(folder / "rounds" / "r1" / "summary.xlsx", summary.sheetnames[0])
    )
