"""A small return cannot make the main process pay for one giant text many times.

The attack: a genuine generated workbook whose shared-strings part holds one huge string,
referenced from every input cell. The file stays tiny (the string deflates to almost
nothing), but a reader that keeps each cell's text keeps the string once per cell. Each
text is cut at Excel's 32,767 characters with a warning that says where, and the text of
a whole return is bounded with every cell counted, so the return is refused as too large.
(benchmarks/bench_amplification.py measures the main process on eight such returns.)
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from tests.fwtools import minimal, write
from tests.helpers import import_paths, one_answer, orgs, write_filled
from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Framework
from xlsxkit.names import utf16_len
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.instructions import load_template
from xlsxkit.workbook.plan import plan_workbook
from xlsxkit.workbook.read import MAX_RETURN_TEXT, read_return
from xlsxkit.workbook.write import WorkbookSpec, write_workbook

MARKER = "XK-AMPLIFY-MARKER"


def amplified_return(
    framework: Framework, path: Path, size: int, *, fill: str = "A", org: str = "Amplify Trust"
) -> Path:
    """A genuine workbook of ORG for FRAMEWORK whose every input cell holds one shared
    string of SIZE characters."""
    typed = {
        (item_id, field.name): MARKER
        for item_id, where in plan_workbook(framework).items.items()
        if where.kind != L.KIND_ORG_NAME
        for field in L.FIELDS_BY_KIND[where.kind]
    }
    buffer = io.BytesIO()
    write_workbook(
        WorkbookSpec(
            framework=framework,
            organisation=orgs(org)[0],
            instructions=load_template(),
            token="tok",
            typed=typed,
            generated_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        ),
        buffer,
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/sharedStrings.xml":
                assert data.count(MARKER.encode()) == 1  # one string, shared by every cell
                data = data.replace(MARKER.encode(), (fill * size).encode())
            dst.writestr(info.filename, data)
    path.write_bytes(out.getvalue())
    return path


def test_one_giant_string_in_every_cell_is_refused_as_too_large(
    framework: Framework, tmp_path: Path
) -> None:
    (tmp_path / "inbox").mkdir()
    path = amplified_return(framework, tmp_path / "inbox" / "amplified.xlsx", 1_000_000)
    assert path.stat().st_size < 60_000
    write_filled(
        framework, tmp_path / "inbox" / "good.xlsx", orgs("Good Trust")[0], one_answer(framework)
    )
    result = import_paths(framework, tmp_path / "inbox")
    verdicts = {Path(r.source).name: r for r in result.returns}
    bad = verdicts["amplified.xlsx"]
    assert (bad.status, bad.code) == ("rejected", "too-large")
    assert f"{MAX_RETURN_TEXT:,} characters" in bad.reason
    assert bad.answers == () and len(bad.reason) < 500
    assert verdicts["good.xlsx"].status == "accepted"


def test_a_text_longer_than_a_cell_is_cut_with_a_warning_naming_the_cell(
    tmp_path: Path,
) -> None:
    fw = require_framework(write(tmp_path, minimal()))
    path = amplified_return(fw, tmp_path / "long.xlsx", 40_000, fill="😀")
    r = read_return(path, fw, display="long.xlsx")
    assert r.status == "accepted", r.reason
    plan = plan_workbook(fw)
    cut = {(p.location.sheet, p.location.cell) for p in r.problems if p.code == "text-truncated"}
    expected = set()
    for answer in r.answers:
        for field in L.FIELDS_BY_KIND[plan.items[answer.item_id].kind]:
            if field.type is L.FieldType.TEXT:
                text = getattr(answer, str(field.answer_attr))
                assert text == "😀" * (L.MAX_CELL_TEXT // 2)  # never half a surrogate pair
                assert utf16_len(text) <= L.MAX_CELL_TEXT
                sheet, row, col = plan.cell(answer.item_id, field)
                expected.add((sheet, L.cell_ref(row, col)))
    assert cut == expected
    problem = next(p for p in r.problems if p.code == "text-truncated")
    assert problem.location.file == "long.xlsx"
    assert "80,000 characters" in problem.message and "32,767" in problem.message
    # The stage, tick and date cells hold the same text: unreadable, said so, not kept.
    assert {p.code for p in r.problems} == {
        "text-truncated",
        "unreadable-stage",
        "unreadable-tick",
        "unreadable-date",
    }
