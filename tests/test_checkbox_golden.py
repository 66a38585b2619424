"""The Excel 365 checkbox xlsxkit writes is the one Excel itself writes.

The golden file is ``checkbox03.xlsx`` from XlsxWriter's comparison tests: a file saved by
Excel 365 with in-cell checkboxes (BSD-2-Clause; where it lives and its notice are in
tests/ooxml/README.md). Compared, canonically (C14N 2.0): the feature property bag part, its
content-type override, its workbook relationship, and the style extension that turns a
boolean cell into a checkbox (MS-XLSX 2.3.9.4).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.filling import rows_by_id
from tests.ooxml.data import checkbox_golden
from tests.ooxml.kinds import KINDS, FileKind, Role, built
from tests.ooxml.limits import PKG_RELS, SML, Package
from xlsxkit.workbook import layout as L

PART = "xl/featurePropertyBag/featurePropertyBag.xml"
XFPB = "http://schemas.microsoft.com/office/spreadsheetml/2022/featurepropertybag"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_TYPE = "http://schemas.microsoft.com/office/2022/11/relationships/FeaturePropertyBag"
WORKBOOKS = [k for k in KINDS if k.role == Role.WORKBOOK]


def canonical(element: etree._Element) -> str:
    return str(etree.tostring(element, method="c14n2", strip_text=True).decode())


def override(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("[Content_Types].xml"))
    return {o.get("PartName", ""): o.get("ContentType", "") for o in root.iter(f"{{{CT}}}Override")}


def relationships(path: Path) -> set[tuple[str, str]]:
    """(type, target) of the workbook's relationships, whatever their ids."""
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    return {
        (r.get("Type", ""), r.get("Target", "")) for r in root.iter(f"{{{PKG_RELS}}}Relationship")
    }


def checkbox_extensions(path: Path) -> dict[int, str]:
    """cellXfs index -> the canonical form of its checkbox extension, for each xf with one."""
    with zipfile.ZipFile(path) as z:
        styles = etree.fromstring(z.read("xl/styles.xml"))
    xfs = styles.find(f"{{{SML}}}cellXfs")
    assert xfs is not None
    out = {}
    for i, xf in enumerate(xfs):
        ext_list = xf.find(f"{{{SML}}}extLst")
        if ext_list is not None and ext_list.find(f".//{{{XFPB}}}xfComplement") is not None:
            assert xf[-1] is ext_list, "extLst must be the xf's last child"
            out[i] = canonical(ext_list)
    return out


def checkbox_cells(path: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(sheet, cell) -> (type, value) of every cell whose style is a checkbox style."""
    styles = set(checkbox_extensions(path))
    pkg = Package(path)
    out = {}
    for sheet in pkg.sheets:
        for c in sheet.xml.iter(f"{{{SML}}}c"):
            if int(c.get("s", "0")) in styles:
                v = c.find(f"{{{SML}}}v")
                out[(sheet.name, c.get("r", ""))] = (
                    c.get("t", "n"),
                    v.text if v is not None else "",
                )
    return out


@pytest.mark.parametrize("kind", [k.param("checkbox") for k in WORKBOOKS])
def test_every_tick_box_is_a_boolean_checkbox_cell(kind: FileKind) -> None:
    """Structure, checked everywhere: each action's 'done' cell is a checkbox, and the part,
    its override and its relationship are all present."""
    made = built(kind)
    path = made.path
    cells = checkbox_cells(path)
    ids = rows_by_id(path)
    for action in made.framework.actions:
        sheet, row = ids[action.id]
        ref = f"{L.col_letter(L.COL_INPUT)}{row}"
        assert cells.get((sheet, ref), ("", ""))[0] == "b", (action.id, sheet, ref)
        assert cells[(sheet, ref)][1] in ("0", "1")
    assert len(cells) == len(made.framework.actions)
    assert override(path).get("/" + PART) == "application/vnd.ms-excel.featurepropertybag+xml"
    assert (REL_TYPE, "featurePropertyBag/featurePropertyBag.xml") in relationships(path)


@pytest.fixture(scope="module")
def golden() -> Path:
    return checkbox_golden()


def test_the_golden_file_is_excel_checkbox_file(golden: Path) -> None:
    """The reference itself: an Excel-made file with checkbox cells."""
    with zipfile.ZipFile(golden) as z:
        assert PART in z.namelist()
        app = z.read("docProps/app.xml").decode()
    assert "<Application>Microsoft Excel</Application>" in app
    assert checkbox_cells(golden)


@pytest.mark.parametrize("kind", [k.param("checkbox") for k in WORKBOOKS])
def test_checkbox_part_equals_excels(kind: FileKind, golden: Path) -> None:
    ours = built(kind).path
    with zipfile.ZipFile(ours) as a, zipfile.ZipFile(golden) as b:
        assert canonical(etree.fromstring(a.read(PART))) == canonical(
            etree.fromstring(b.read(PART))
        )
    assert override(ours)["/" + PART] == override(golden)["/" + PART]
    [excel_rel] = [r for r in relationships(golden) if r[0] == REL_TYPE]
    assert excel_rel in relationships(ours)
    excel_ext = set(checkbox_extensions(golden).values())
    assert len(excel_ext) == 1
    assert set(checkbox_extensions(ours).values()) == excel_ext
    # Excel's checkbox cells are booleans of a checkbox style; so are ours.
    assert {t for t, _v in checkbox_cells(golden).values()} == {"b"}
    assert {t for t, _v in checkbox_cells(ours).values()} == {"b"}
