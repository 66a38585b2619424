"""Every kind of file xlsxkit writes passes the Open XML SDK's validation, as Excel 2016 and
Microsoft 365 would see it.

The SDK's validator is what Microsoft's own tools use to say whether Office will open a file
or repair it. It is .NET; ``openxml-audit`` (PyPI, MIT) is a pure-Python port of its schema
and semantic checks, carrying the SDK's schema data, so it runs in CI from the package
registry alone, unlike the ISO/IEC 29500 XSDs of tests/test_ooxml_schema.py, which cannot be
committed here. Negative controls show it catches what it must.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openxml_audit import FileFormat, OpenXmlValidator, ValidationSeverity

from tests.ooxml.kinds import KINDS, FileKind, built, params

FORMATS = {"excel-2016": FileFormat.OFFICE_2016, "excel-365": FileFormat.MICROSOFT_365}

#: Warnings (never errors) accepted, each for a reason:
#: - Excel_InlineStrCells: the summary is written in XlsxWriter's constant-memory mode, whose
#:   strings are inline (``t="inlineStr"``, ISO/IEC 29500-1 §18.3.1.53, valid in every Excel).
#:   Excel opens them as they are and moves them to a shared-strings table only if the
#:   coordinator saves the summary. The partners' workbooks use shared strings.
ACCEPTED_WARNINGS = {"Excel_InlineStrCells"}


def _findings(path: Path, fmt: FileFormat) -> list[str]:
    result = OpenXmlValidator(file_format=fmt, max_errors=0).validate(str(path))
    return [
        f"{e.severity.value} {e.id} {e.part_uri} {e.path}: {e.description}"
        for e in result.errors
        if e.severity is not ValidationSeverity.WARNING or e.id not in ACCEPTED_WARNINGS
    ]


@pytest.mark.parametrize("fmt", list(FORMATS.values()), ids=list(FORMATS))
@pytest.mark.parametrize("kind", params("sdk"))
def test_every_kind_is_valid_for_excel(kind: FileKind, fmt: FileFormat) -> None:
    assert _findings(built(kind).path, fmt) == []


def _mutated(tmp_path: Path, pattern: str, replacement: str) -> Path:
    source = built(next(k for k in KINDS if k.name == "bundled")).path
    out = tmp_path / "mutated.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                text, n = re.subn(pattern, replacement, data.decode(), count=1, flags=re.S)
                assert n == 1, pattern
                data = text.encode()
            dst.writestr(info, data)
    return out


@pytest.mark.parametrize(
    ("pattern", "replacement"),
    [
        # the sheet's views moved after its data: a wrong element order
        (r"(<sheetViews>.*?</sheetViews>)(.*)(</worksheet>)", r"\2\1\3"),
        (r'(<c r="[A-Z]+\d+"[^>]*) t="s"', r'\1 t="checkbox"'),  # not an ST_CellType
        (r'<pageMargins left="[^"]*"', '<pageMargins left="wide"'),  # not a double
        (r'<dataValidation type="list"', '<dataValidation type="dropdown"'),  # not an enum
    ],
    ids=["element-order", "cell-type", "margin", "validation-type"],
)
def test_the_validator_catches_a_broken_sheet(
    pattern: str, replacement: str, tmp_path: Path
) -> None:
    found = _findings(_mutated(tmp_path, pattern, replacement), FileFormat.OFFICE_2016)
    assert any(f.startswith("error ") for f in found), found
