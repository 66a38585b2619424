"""Excel's limits are counted in UTF-16 units: an emoji counts 2. Whatever the framework,
organisation or round holds, every criterion keeps its stage dropdown, every sheet its
footer, and no message is cut by Excel or dropped by XlsxWriter."""

from __future__ import annotations

import datetime as dt
import html
import re
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.frameworks_st import EMOJI, framework_docs, load_doc
from tests.fwtools import big_framework, minimal
from xlsxkit.framework.model import Framework, Organisation
from xlsxkit.names import utf16_len
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.instructions import load_template
from xlsxkit.workbook.plan import plan_workbook
from xlsxkit.workbook.styles import fit
from xlsxkit.workbook.write import WorkbookLimitError, WorkbookSpec, write_workbook

emoji_text = st.text(st.sampled_from(EMOJI + "ab &"), min_size=1, max_size=96)


def _write(fw: Framework, path: Path, org_name: str | None, round_label: str = "") -> None:
    write_workbook(
        WorkbookSpec(
            framework=fw,
            organisation=Organisation(id="org", name=org_name) if org_name else None,
            instructions=load_template(),
            token="t",
            round=round_label,
            generated_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        ),
        path,
    )


def _assert_complete(fw: Framework, path: Path) -> None:
    """Every criterion has its dropdown, every visible sheet its footer, every text fits."""
    plan = plan_workbook(fw)
    wb = openpyxl.load_workbook(path)
    with zipfile.ZipFile(path) as z:
        footers = re.findall(
            r"<oddFooter>([^<]*)</oddFooter>",
            " ".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")),
        )
    # One footer per sheet but the hidden identity sheet, each within Excel's limit.
    assert len(footers) == len(wb.sheetnames) - 1
    for text in footers:
        assert text.endswith("&amp;RPage &amp;P of &amp;N")
        assert utf16_len(html.unescape(text)) <= L.MAX_HEADER_FOOTER
    for name in wb.sheetnames:
        ws = wb[name]
        for dv in ws.data_validations.dataValidation:
            assert utf16_len(dv.promptTitle or "") <= L.MAX_VALIDATION_TITLE
            assert utf16_len(dv.errorTitle or "") <= L.MAX_VALIDATION_TITLE
            assert utf16_len(dv.prompt or "") <= L.MAX_VALIDATION_INPUT
            assert utf16_len(dv.error or "") <= L.MAX_VALIDATION_ERROR
    stage_col = L.FIELD[L.FieldName.STAGE].col
    for criterion in fw.criteria:
        sheet, row, col = plan.cell(criterion.id, L.FIELD[L.FieldName.STAGE])
        assert col == stage_col
        ref = L.cell_ref(row, col)
        lists = [
            dv
            for dv in wb[sheet].data_validations.dataValidation
            if dv.type == "list" and ref in str(dv.sqref).split()
        ]
        assert [dv.formula1 for dv in lists] == [plan.stage_range], (
            f"criterion {criterion.id} lost its dropdown"
        )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    doc=framework_docs(labels=emoji_text),
    org=st.one_of(st.none(), emoji_text.map(lambda t: t * 3)),
    round_label=st.text(st.sampled_from(EMOJI + "Q4 "), max_size=80),
)
def test_astral_plane_text_never_costs_a_dropdown_or_a_footer(
    doc: dict[str, object], org: str | None, round_label: str
) -> None:
    fw = load_doc(doc)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w.xlsx"
        _write(fw, path, org, round_label)
        _assert_complete(fw, path)


def test_emoji_stage_labels_keep_their_dropdowns(tmp_path: Path) -> None:
    words = ("Not started", "Planning", "Some progress", "Half way", "Nearly there", "Done")
    marks = "🔴🟠🟡🟢🔵✅"
    stages = [
        {"id": f"s{i}", "label": f"{m} {w}: nothing in place"[:31]}
        for i, (m, w) in enumerate(zip(marks, words, strict=True), start=1)
    ]
    doc = minimal(stages=stages)
    doc["dimensions"][0]["criteria"][0]["actions"] = {"s1": [{"id": "a1", "text": "Do it"}]}
    fw = load_doc(doc)
    path = tmp_path / "w.xlsx"
    _write(fw, path, "North Trust")
    _assert_complete(fw, path)


def test_an_organisation_of_125_emoji_keeps_every_footer(
    framework: Framework, tmp_path: Path
) -> None:
    path = tmp_path / "w.xlsx"
    _write(framework, path, "😀" * 125, "2026 autumn")
    _assert_complete(framework, path)
    left = openpyxl.load_workbook(path)["People"].oddFooter.left.text
    assert left.startswith("😀") and left.endswith("…")
    assert openpyxl.load_workbook(path)["Start"].oddFooter.left.text.startswith("😀")


def test_validation_error_messages_stay_within_excels_225(tmp_path: Path) -> None:
    fw = load_doc(big_framework(stages=7, dimensions=1))
    assert len(", ".join(s.label for s in fw.stages)) > 225
    path = tmp_path / "w.xlsx"
    _write(fw, path, "Org")
    _assert_complete(fw, path)


def test_fit_counts_as_excel_does_and_never_splits_a_pair() -> None:
    assert fit("😀" * 10, 11) == "😀" * 5 + "…"
    assert utf16_len(fit("😀" * 10, 11)) == 11
    assert fit("abc", 3) == "abc"
    for limit in range(1, 12):
        out = fit("a😀" * 6, limit)
        assert utf16_len(out) <= limit
        assert "\ud83d" not in out.encode("utf-16-le", "surrogatepass").decode(
            "utf-16-le", "surrogatepass"
        ).replace("😀", "")


def test_a_part_xlsxwriter_would_drop_is_an_error_not_a_missing_feature(
    framework: Framework, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlsxkit.workbook.write import dimension

    monkeypatch.setattr(dimension, "fit", lambda text, limit: text * 40)  # far too long
    path = tmp_path / "w.xlsx"
    with pytest.raises(WorkbookLimitError, match="data_validation"):
        _write(framework, path, "North Trust")
    assert not path.exists()
