"""The summary's fast row writer (render/xlsx/streaming.RowStream) writes exactly what
XlsxWriter itself writes for the same cells: the sheet's XML is compared byte for byte,
over texts with every character class that needs escaping, numbers, ticks, blanks, formats
and row heights, with XlsxWriter writing before and after the streamed rows."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from xlsxkit.render.xlsx.streaming import (
    ROW_STREAM_ATTRIBUTES,
    RowStream,
    StreamingWorksheet,
    inline_text,
)
from xlsxkit.workbook.write.plaintext import looks_rich

PIECE = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(
        [
            "_x0041_",
            "_x00",
            "&",
            "<",
            ">",
            '"',
            "\n",
            "\t",
            " ",
            "\x1f",
            "\x00",
            "\ufffe",
            "\uffff",
            "<r>",
            "</r>",
            "\u00a0",
            "\u2028",
        ]
    ),
)
TEXT = st.lists(PIECE, max_size=12).map("".join)
VALUE = st.one_of(
    TEXT,
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
ROW = st.tuples(
    st.lists(st.tuples(st.integers(0, 12), VALUE, st.integers(0, 2)), max_size=6),
    st.one_of(st.none(), st.sampled_from([15.0, 30.0, 17.25, 409.0, 0.5])),
)


def _write(
    path: Path, rows: list[tuple[list[tuple[int, object, int]], float | None]], fast: bool
) -> bytes:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("s", worksheet_class=StreamingWorksheet)
    formats = [None, wb.add_format({"bold": True}), wb.add_format({"text_wrap": True})]
    ws.set_column(3, 3, 30, formats[2])  # a column format: used by cells without their own
    ws.write_string(0, 1, "title")
    stream = RowStream(ws)
    for offset, (cells, height) in enumerate(rows):
        row = 2 + offset
        by_col = {col: (value, formats[f]) for col, value, f in cells}  # one value a cell
        ordered = sorted(by_col.items())
        if fast:
            stream.row(row, [(col, v, f) for col, (v, f) in ordered], height)
            continue
        if height is not None and any(v is not None or f for _, (v, f) in ordered):
            ws.set_row(row, height)  # (the writers set a height only on a row with cells)
        for col, (value, fmt) in ordered:
            if isinstance(value, bool):
                ws.write_boolean(row, col, value, fmt)
            elif isinstance(value, str):
                ws.write_string(row, col, value, fmt)
            elif value is None:
                ws.write_blank(row, col, None, fmt)
            else:
                ws.write_number(row, col, value, fmt)
    ws.write_string(3 + len(rows), 0, "after", formats[1])
    wb.close()
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml")


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, max_size=8))
def test_streamed_rows_are_byte_for_byte_what_xlsxwriter_writes(tmp_path: Path, rows: list) -> None:
    # A text shaped like a rich string XlsxWriter writes as three runs (workbook.write.plaintext),
    # the stream as one: the same text, other bytes (read back in the next test).
    assume(not any(isinstance(v, str) and looks_rich(v) for cells, _ in rows for _, v, _ in cells))
    assert _write(tmp_path / "fast.xlsx", rows, True) == _write(tmp_path / "slow.xlsx", rows, False)


def test_every_text_reads_back_as_written_and_none_is_taken_for_xml(tmp_path: Path) -> None:
    texts = [
        '<r><t>x</t></r></is></c><c r="Z1"><f>1+1</f></c><c><is><r>',
        "a_x0041_b",
        "tab\there",
        " lead",
        "trail ",
        "ctl\x01\x1f",
        "amp & lt < gt >",
        "é ✓ 😀",
    ]
    rows = [([(0, t, 0)], None) for t in texts]
    xml = _write(tmp_path / "fast.xlsx", rows, True)
    assert b"<f>" not in xml and b'<c r="Z1"' not in xml
    grid = CalamineWorkbook.from_path(str(tmp_path / "fast.xlsx")).get_sheet_by_index(0).to_python()
    assert [grid[2 + i][0] for i in range(len(texts))] == texts


def test_rows_must_come_below_what_xlsxwriter_holds(tmp_path: Path) -> None:
    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"), {"constant_memory": True})
    ws = wb.add_worksheet("s", worksheet_class=StreamingWorksheet)
    ws.write_string(5, 0, "held")
    stream = RowStream(ws)
    with pytest.raises(ValueError):
        stream.row(4, [(0, "above", None)])
    with pytest.raises(ValueError):
        stream.row(5, [(1, "same row", None)])
    stream.row(6, [(0, "below", None)])
    with pytest.raises(ValueError):
        stream.row(7, [(16_384, "beyond the last column", None)])
    wb.close()
    ws2 = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert ws2["A6"].value == "held" and ws2["A7"].value == "below"


def test_a_sheet_not_in_constant_memory_mode_is_refused(tmp_path: Path) -> None:
    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    with pytest.raises(ValueError):
        RowStream(wb.add_worksheet())
    wb.close()


def test_inline_text_escapes_as_xlsxwriter_does() -> None:
    assert inline_text("plain") == "plain"
    assert inline_text("_x0041_") == "_x005F_x0041_"
    assert inline_text("\x01<&>") == "_x0001_&lt;&amp;&gt;"


def test_xlsxwriter_still_has_the_internals_the_row_stream_relies_on(tmp_path: Path) -> None:
    """If this fails, XlsxWriter changed: review RowStream before upgrading."""
    wb = xlsxwriter.Workbook(str(tmp_path / "probe.xlsx"), {"constant_memory": True})
    ws = wb.add_worksheet("plain")
    for name in ROW_STREAM_ATTRIBUTES:
        assert hasattr(ws, name), f"Worksheet.{name} is gone in {xlsxwriter.__version__}"
    wb.close()


def test_xlsxwriter_cannot_write_a_second_row_of_a_streamed_rows_number(tmp_path: Path) -> None:
    """Writing into a streamed row through XlsxWriter is refused, never a duplicate
    <row> that would corrupt the file; the row below stays writable."""
    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"), {"constant_memory": True})
    ws = wb.add_worksheet("s", worksheet_class=StreamingWorksheet)
    RowStream(ws).row(3, [(0, "streamed", None)])
    assert ws.write_string(3, 1, "same row") < 0  # refused
    assert ws.write_string(4, 0, "below") == 0
    wb.close()
    with zipfile.ZipFile(tmp_path / "x.xlsx") as z:
        assert z.read("xl/worksheets/sheet1.xml").count(b'<row r="4"') == 1
    ws2 = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert ws2["A4"].value == "streamed" and ws2["A5"].value == "below"
