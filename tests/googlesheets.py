"""Imitate what Google Sheets does to an xlsx it imports and exports again, on the zip/XML.

Google Sheets cannot run here, so a filled return is changed the way a round trip through it
changes a file, as far as that is known (issue 15; README "Compatibility" says which parts
are documented and where). Each change is one function, so a newly known behaviour is one
more function in :data:`CHANGES`:

- a *very hidden* sheet becomes merely *hidden* (Sheets has one hidden state);
- sheet and workbook protection are dropped, with their password hashes;
- the Excel 365 checkbox part is dropped, with its content type, relationship and style
  extension: the cells stay plain TRUE/FALSE booleans;
- the document properties (docProps/) are missing;
- data validations, including list validations pointing at another sheet, are kept.

Only the parts named are touched; everything else is copied byte for byte.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

Parts = dict[str, bytes]

CHECKBOX_PART = "xl/featurePropertyBag/featurePropertyBag.xml"


def _text(parts: Parts, name: str) -> str:
    return parts[name].decode("utf-8")


def _edit(parts: Parts, name: str, fn: Callable[[str], str]) -> None:
    if name in parts:
        parts[name] = fn(_text(parts, name)).encode("utf-8")


def very_hidden_becomes_hidden(parts: Parts) -> None:
    _edit(parts, "xl/workbook.xml", lambda t: t.replace('state="veryHidden"', 'state="hidden"'))


def protection_is_dropped(parts: Parts) -> None:
    for name in parts:
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            _edit(parts, name, lambda t: re.sub(r"<sheetProtection\b[^>]*/>", "", t))
    _edit(parts, "xl/workbook.xml", lambda t: re.sub(r"<workbookProtection\b[^>]*/>", "", t))


def checkbox_part_is_dropped(parts: Parts) -> None:
    parts.pop(CHECKBOX_PART, None)
    _edit(
        parts,
        "[Content_Types].xml",
        lambda t: re.sub(r'<Override PartName="/xl/featurePropertyBag/[^"]*"[^>]*/>', "", t),
    )
    _edit(
        parts,
        "xl/_rels/workbook.xml.rels",
        lambda t: re.sub(r'<Relationship [^>]*Target="featurePropertyBag/[^"]*"[^>]*/>', "", t),
    )
    # The style extension that makes a boolean cell a checkbox (MS-XLSX 2.3.9.4).
    _edit(
        parts,
        "xl/styles.xml",
        lambda t: re.sub(
            r"<extLst><ext uri=\"\{C7286773-470A-42A8-94C5-96B5CB345126\}\"[^>]*>"
            r"<xfpb:xfComplement [^>]*/></ext></extLst>",
            "",
            t,
        ),
    )


def document_properties_are_missing(parts: Parts) -> None:
    for name in [n for n in parts if n.startswith("docProps/")]:
        del parts[name]
    _edit(
        parts,
        "[Content_Types].xml",
        lambda t: re.sub(r'<Override PartName="/docProps/[^"]*"[^>]*/>', "", t),
    )
    _edit(
        parts,
        "_rels/.rels",
        lambda t: re.sub(r'<Relationship [^>]*Target="docProps/[^"]*"[^>]*/>', "", t),
    )


CHANGES: tuple[Callable[[Parts], None], ...] = (
    very_hidden_becomes_hidden,
    protection_is_dropped,
    checkbox_part_is_dropped,
    document_properties_are_missing,
)


def through_google_sheets(src: Path, dst: Path) -> Path:
    """Write DST: SRC as it comes back from Google Sheets (see the module docstring)."""
    with zipfile.ZipFile(src) as z:
        order = z.namelist()
        parts: Parts = {name: z.read(name) for name in order}
    for change in CHANGES:
        change(parts)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name in order:
            if name in parts:
                z.writestr(name, parts[name])
    return dst
