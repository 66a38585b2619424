"""A text shaped like XlsxWriter's own rich strings (``<r>…</r>``) is written as the text
it is, escaped, everywhere xlsxkit writes a workbook: XlsxWriter alone would put it into the
file's XML verbatim, so a partner's comment could add a formula cell to the summary.

Checked at the worksheet (both XlsxWriter modes, every way a string is written) and through
the whole job: a partner's comment and notes in that shape, imported into the summary,
pre-filled into the next round's workbook and echoed in the partner's feedback."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from tests.filling import fill_with_openpyxl
from xlsxkit.cli import cli
from xlsxkit.framework.load import require_framework
from xlsxkit.workbook.write.plaintext import PlainTextWorksheet, looks_rich

#: Closes the cell XlsxWriter would open, adds a formula cell, and reopens one.
INJECTION = (
    '<r><t>see</t></r></is></c><c r="Z1"><f>HYPERLINK("http://evil.example","x")</f>'
    '<v>x</v></c><c r="Z2" t="inlineStr"><is><r><t>end</t></r>'
)
TEXTS = (INJECTION, "<r></r>", "<r>plain & <b>bold</b></r>", " <r>\t</r>", "<r>")


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "\n".join(
            z.read(n).decode("utf-8")
            for n in z.namelist()
            if n.startswith("xl/worksheets/") or n == "xl/sharedStrings.xml"
        )


@pytest.mark.parametrize("constant_memory", [False, True])
def test_rich_shaped_texts_are_written_escaped_and_read_back_as_typed(
    tmp_path: Path, constant_memory: bool
) -> None:
    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    ws = wb.add_worksheet(worksheet_class=PlainTextWorksheet)
    bold = wb.add_format({"bold": True})
    for row, text in enumerate(TEXTS):
        assert ws.write_string(row, 0, text, bold) == 0
        assert ws.write(row, 1, text) == 0
    ws.merge_range(len(TEXTS), 0, len(TEXTS), 2, INJECTION, bold)
    wb.close()
    xml = _sheet_xml(path)
    assert "<f>" not in xml and '<c r="Z1"' not in xml and '<c r="Z2"' not in xml
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    for row, text in enumerate(TEXTS):
        assert grid[row][:2] == [text, text]
    assert grid[len(TEXTS)][0] == INJECTION
    ws2 = openpyxl.load_workbook(path).active
    assert ws2.cell(1, 1).value == INJECTION and ws2.cell(1, 1).font.b


def test_only_the_shape_xlsxwriter_leaves_unescaped_is_rewritten() -> None:
    assert looks_rich(INJECTION) and looks_rich("<r></r>")
    assert not looks_rich(" <r></r>") and not looks_rich("<r>") and not looks_rich("<r></r> ")


def _run(*args: str) -> str:
    got = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert got.exit_code == 0, got.output
    return got.output


def _formula_count(path: Path) -> int:
    return len(re.findall(r"<f[ >]", _sheet_xml(path)))


def _values(path: Path) -> list[object]:
    grid = CalamineWorkbook.from_path(str(path))
    return [
        v
        for name in grid.sheet_names
        for row in grid.get_sheet_by_name(name).to_python()
        for v in row
    ]


def test_a_partners_rich_shaped_comment_stays_text_in_summary_next_round_and_feedback(
    tmp_path: Path,
) -> None:
    root = tmp_path / "camp"
    _run("init", str(root))
    with (root / "partners.csv").open("a", encoding="utf-8") as fh:
        fh.write(
            "p1,First Partner,Contact,p1@example.org\np2,Second Partner,Contact,p2@example.org\n"
        )
    fw = require_framework(root / "framework.yaml")
    crit, action = fw.criteria[0], fw.criteria[0].actions[0]
    _run("generate", "--campaign", str(root), "--round", "one")
    outbox = sorted((root / "rounds" / "one" / "outbox").glob("*.xlsx"))
    formulas_blank = _formula_count(outbox[0])
    answers = {
        (crit.id, "stage"): fw.stages[1].label,
        (crit.id, "comment"): INJECTION,
        (action.id, "notes"): INJECTION,
        (action.id, "done"): False,
        (action.id, "lead"): INJECTION,
    }
    fill_with_openpyxl(outbox[0], root / "rounds" / "one" / "inbox" / "back.xlsx", answers)
    _run("import", "--campaign", str(root))
    summary = root / "rounds" / "one" / "summary.xlsx"
    assert _formula_count(summary) == 0  # the summary holds no formula at all
    assert _values(summary).count(INJECTION) >= 2  # the comment and the notes, as typed
    _run("feedback", "--campaign", str(root))
    [feedback] = (root / "rounds" / "one" / "feedback").glob("*-feedback.xlsx")
    assert _formula_count(feedback) == 0
    assert any(isinstance(v, str) and INJECTION in v for v in _values(feedback))
    _run("generate", "--campaign", str(root), "--round", "two")
    [again] = [
        p for p in (root / "rounds" / "two" / "outbox").glob("*.xlsx") if p.name == outbox[0].name
    ]
    assert _formula_count(again) == formulas_blank  # no cell was added
    assert '<c r="Z1"' not in _sheet_xml(again)
    assert _values(again).count(INJECTION) == 3  # pre-filled, as typed
