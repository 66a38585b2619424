"""Gnumeric round trip: a filled workbook, saved by Gnumeric, imports with every answer.

Each kind of partner workbook is filled in (tests/filling.py), opened in Gnumeric and saved
as .xlsx (both of Gnumeric's xlsx file types) and as .ods; the import must recover every
answer by id. The summary must open in Gnumeric and keep its sheets.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from python_calamine import CalamineWorkbook

from tests.filling import Answers, fill_with_openpyxl, random_answers
from tests.helpers import assert_answers_match, import_paths, only
from tests.ooxml.gnumeric import Exporter, convert, require_ssconvert
from tests.ooxml.kinds import KINDS, FileKind, Role, built
from xlsxkit.workbook import layout as L

pytestmark = pytest.mark.gnumeric


def _cases() -> list[Any]:
    out = []
    for kind in KINDS:
        if kind.role != Role.WORKBOOK:
            continue
        for exporter in Exporter:
            param = kind.param("gnumeric", exporter.name.lower())
            out.append(pytest.param(kind, exporter, id=param.id, marks=param.marks))
    return out


def filled_answers(kind: FileKind) -> Answers:
    made = built(kind)
    answers = random_answers(made.framework, seed=len(kind.name), blank_share=0.1)
    if kind.name == "generic":
        answers[(L.START_ORG_ROW_ID, "org_name")] = "Gnumeric Users Ünited"
    return answers


@pytest.mark.parametrize(("kind", "exporter"), _cases())
def test_answers_survive_a_gnumeric_save(
    kind: FileKind, exporter: Exporter, tmp_path: Path
) -> None:
    require_ssconvert()
    made = built(kind)
    answers = filled_answers(kind)
    filled = tmp_path / "filled.xlsx"
    fill_with_openpyxl(made.path, filled, answers)
    saved = tmp_path / f"saved-by-gnumeric{exporter.suffix}"
    convert(filled, saved, exporter, tmp_path / "home")
    result = import_paths(made.framework, saved)
    got = only(result)  # exactly one accepted return
    assert_answers_match(made.framework, got, answers)
    if kind.name == "generic":
        assert got.org_name == "Gnumeric Users Ünited"


def _ods_sheets(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("content.xml"))
    ns = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    return [t.get(f"{{{ns}}}name", "") for t in root.iter(f"{{{ns}}}table")]


REPORTS = [k for k in KINDS if k.role == Role.REPORT]


@pytest.mark.parametrize("exporter", list(Exporter), ids=[e.name.lower() for e in Exporter])
@pytest.mark.parametrize("kind", REPORTS, ids=[k.name for k in REPORTS])
def test_a_report_opens_in_gnumeric_and_keeps_its_sheets(
    kind: FileKind, exporter: Exporter, tmp_path: Path
) -> None:
    """The summary and a partner's feedback, as a coordinator or partner on Linux opens it."""
    require_ssconvert()
    src = built(kind).path
    expected = CalamineWorkbook.from_path(str(src)).sheet_names
    assert len(expected) >= 3
    saved = tmp_path / f"{kind.name}{exporter.suffix}"
    convert(src, saved, exporter, tmp_path / "home")
    if exporter is Exporter.ODS:
        assert _ods_sheets(saved) == expected
    else:
        book = CalamineWorkbook.from_path(str(saved))
        assert book.sheet_names == expected
        for name in expected:  # every sheet still has its content
            assert book.get_sheet_by_name(name).to_python(), name
