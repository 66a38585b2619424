"""Every XML part of every kind of file xlsxkit writes is valid against ISO/IEC 29500.

Transitional schemas (29500-4, and 29500-2 for the package parts), after Markup
Compatibility is applied as an older consumer applies it. Negative controls show that the
validator catches what it must: a wrong element order, a bad attribute value, an extension
attribute that is not declared ignorable.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.ooxml import mce, schema
from tests.ooxml.data import schema_dir
from tests.ooxml.kinds import KINDS, FileKind, built, params


@pytest.fixture(scope="module")
def schemas() -> schema.SchemaSet:
    return schema.load()


@pytest.mark.parametrize("kind", params("schema"))
def test_every_part_is_valid(kind: FileKind, schemas: schema.SchemaSet) -> None:
    results = schema.validate_package(built(kind).path)
    assert len(results) >= 10  # the package parts, workbook, styles, sheets, properties
    invalid = {r.part: r.errors[:5] for r in results if r.errors}
    assert not invalid
    # A part no ISO schema covers is named, never passed silently.
    uncovered = {r.part for r in results if r.not_covered}
    assert uncovered <= {"xl/featurePropertyBag/featurePropertyBag.xml"}


def _sheet(kind_name: str = "bundled") -> tuple[str, bytes]:
    kind = next(k for k in KINDS if k.name == kind_name)
    with zipfile.ZipFile(built(kind).path) as z:
        return "xl/worksheets/sheet2.xml", z.read("xl/worksheets/sheet2.xml")


def test_a_real_worksheet_is_valid_as_written(schemas: schema.SchemaSet) -> None:
    """The base of the negative controls below: unchanged, the part passes."""
    part, data = _sheet()
    assert schema.validate_xml(part, data, schemas).valid


def test_wrong_element_order_is_caught(schemas: schema.SchemaSet) -> None:
    part, data = _sheet()
    text = data.decode()
    views = re.search(r"<sheetViews>.*?</sheetViews>", text, flags=re.S)
    assert views
    moved = text.replace(views.group(0), "", 1).replace(
        "</worksheet>", views.group(0) + "</worksheet>"
    )
    result = schema.validate_xml(part, moved.encode(), schemas)
    assert result.errors and any("sheetViews" in e for e in result.errors)


@pytest.mark.parametrize(
    ("pattern", "bad"),
    [
        (r'(<c r="[A-Z]+\d+"[^>]*) t="s"', r'\1 t="checkbox"'),  # not an ST_CellType
        (r'<pageMargins left="[^"]*"', '<pageMargins left="wide"'),  # not a double
        (r'<dataValidation type="list"', '<dataValidation type="dropdown"'),  # not an enum value
    ],
    ids=["cell-type", "margin", "validation-type"],
)
def test_bad_attribute_value_is_caught(pattern: str, bad: str, schemas: schema.SchemaSet) -> None:
    part, data = _sheet()
    changed, n = re.subn(pattern, bad, data.decode(), count=1)
    assert n == 1, pattern
    result = schema.validate_xml(part, changed.encode(), schemas)
    assert result.errors, bad


def test_unknown_element_in_the_main_namespace_is_caught(schemas: schema.SchemaSet) -> None:
    part, data = _sheet()
    changed = data.decode().replace("<sheetData>", "<sheetData><checkbox/>", 1)
    assert not schema.validate_xml(part, changed.encode(), schemas).valid


def test_markup_compatibility_is_what_admits_the_extension_attributes(
    schemas: schema.SchemaSet, tmp_path: Path
) -> None:
    """XlsxWriter's x14ac:dyDescent is valid only because x14ac is declared ignorable.

    XlsxWriter writes it in a sheet with an Excel 2010 feature (a data bar); no xlsxkit
    output has one any more, so the sheet is written here."""
    import xlsxwriter

    path = tmp_path / "databar.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_number(0, 0, 0.5)
    ws.conditional_format(0, 0, 0, 0, {"type": "data_bar", "bar_solid": True})
    wb.close()
    with zipfile.ZipFile(path) as z:
        part, data = "xl/worksheets/sheet1.xml", z.read("xl/worksheets/sheet1.xml")
    assert b"x14ac:dyDescent" in data
    undeclared = data.replace(b'mc:Ignorable="x14ac', b'mc:Ignorable="', 1)
    result = schema.validate_xml(part, undeclared, schemas)
    assert result.errors and any("dyDescent" in e for e in result.errors)


def test_alternate_content_takes_the_fallback_and_must_understand_fails(
    schemas: schema.SchemaSet,
) -> None:
    head = f'<worksheet xmlns="{schema.SML}" xmlns:mc="{mce.MC}" xmlns:x99="urn:example:future" '
    fallback = (
        head + '><mc:AlternateContent><mc:Choice Requires="x99"><x99:sheetData/></mc:Choice>'
        "<mc:Fallback><sheetData/></mc:Fallback></mc:AlternateContent></worksheet>"
    )
    assert schema.validate_xml("sheet.xml", fallback.encode(), schemas).valid
    no_fallback = head + '><mc:AlternateContent><mc:Choice Requires="x99"><sheetData/>'
    no_fallback += "</mc:Choice></mc:AlternateContent></worksheet>"
    # Without the Choice (not understood) and no Fallback, sheetData is missing: invalid.
    assert not schema.validate_xml("sheet.xml", no_fallback.encode(), schemas).valid
    must = head + 'mc:MustUnderstand="x99"><sheetData/></worksheet>'
    result = schema.validate_xml("sheet.xml", must.encode(), schemas)
    assert result.errors and "MustUnderstand" in result.errors[0]


SST = (
    f'<sst xmlns="{schema.SML}" count="1" uniqueCount="1">'
    '<si><t xml:space="{space}"> padded </t></si></sst>'
)


def test_xml_space_on_text_is_the_one_allowance(schemas: schema.SchemaSet) -> None:
    """The published schema rejects Excel's own ``<t xml:space="preserve">``; ours admits
    exactly that attribute, with its two legal values."""
    assert schemas.t_patched == 3  # <t> of a string item, a rich-text run, a phonetic run
    assert schema.validate_xml("sst.xml", SST.format(space="preserve").encode(), schemas).valid
    assert not schema.validate_xml("sst.xml", SST.format(space="keep").encode(), schemas).valid
    published = etree.XMLSchema(etree.parse(str(schema_dir() / "sml.xsd")))
    doc = etree.fromstring(SST.format(space="preserve").encode())
    assert not published.validate(doc)
    assert "space" in str(published.error_log)


def test_a_part_of_an_unknown_namespace_is_an_error(schemas: schema.SchemaSet) -> None:
    result = schema.validate_xml("xl/odd.xml", b'<odd xmlns="urn:example:odd"/>', schemas)
    assert result.errors and not result.valid


def test_kinds_cover_every_file_xlsxkit_writes_today() -> None:
    """The list the checks run over: partner workbooks of each shape, the summary and a
    partner's feedback."""
    assert {k.name for k in KINDS} >= {
        "bundled",
        "generic",
        "password",
        "unicode-7x12",
        "emoji-stages",
        "round2-prefilled",
        "summary",
        "summary-two-rounds",
        "feedback",
    }
    assert all(Path(built(k).path).stat().st_size > 0 for k in KINDS)


def test_process_content_keeps_the_children_of_an_ignored_wrapper(
    schemas: schema.SchemaSet,
) -> None:
    head = (
        f'<worksheet xmlns="{schema.SML}" xmlns:mc="{mce.MC}" '
        'xmlns:x99="urn:example:future" mc:Ignorable="x99"'
    )
    body = "><x99:wrap><sheetData/></x99:wrap></worksheet>"
    kept = head + ' mc:ProcessContent="x99:wrap"' + body
    assert schema.validate_xml("sheet.xml", kept.encode(), schemas).valid
    # Without ProcessContent the wrapper goes with its content, and sheetData is missing.
    assert not schema.validate_xml("sheet.xml", (head + body).encode(), schemas).valid
