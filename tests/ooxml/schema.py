"""Validate every XML part of a package against the ISO/IEC 29500 transitional schemas.

The schemas themselves are third-party data (see tests/ooxml/data.py and the README); this
module loads them with three documented, minimal changes, each made in memory:

1. **``xml:space`` on ``<t>``.** The published SpreadsheetML schema types the text element
   ``<t>`` of a shared string, rich-text run and phonetic run as a bare ``ST_Xstring``, so it
   admits no attribute at all, yet Excel itself writes ``<t xml:space="preserve">`` for text
   with leading or trailing spaces, and every other producer follows. It is the one known
   gap of the published schema. We give those three ``<t>`` elements a type that extends
   ``ST_Xstring`` with the single attribute ``xml:space`` and nothing else.
2. **Dublin Core.** The core-properties schema imports the Dublin Core schemas from the web.
   Offline, they are replaced by stand-ins written here: every ``dc:``/``dcterms:`` element the
   core-properties schema refers to, of any content, plus the ``dcterms:W3CDTF`` date type
   that 29500-2 §11 requires on ``dcterms:created``/``modified``. So core properties are
   checked for element names, order and the OPC rules, and dates for their W3CDTF form.
3. **The ``xml`` namespace** (``xml:lang``, ``xml:space``) is a stand-in too, the two
   attributes as the XML specification defines them.

Markup Compatibility is applied first (:mod:`tests.ooxml.mce`). Parts of a namespace that
no ISO schema covers (the Excel 365 checkbox part) are reported as not covered, never as
valid: the checkbox part is compared with Excel's own file instead (test_checkbox_golden.py).
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tests.ooxml import mce
from tests.ooxml.data import SCHEMA_FILES, schema_dir

XSD = "http://www.w3.org/2001/XMLSchema"
XML_NS = "http://www.w3.org/XML/1998/namespace"
SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes"

#: The Excel 365 checkbox part (MS-XLSX 2.3.9.4): no ISO schema; compared with Excel's file.
NOT_IN_ISO = {
    "http://schemas.microsoft.com/office/spreadsheetml/2022/featurepropertybag": (
        "an MS-XLSX extension part, not in ISO/IEC 29500; see test_checkbox_golden.py"
    ),
}

_XML_STANDIN = f"""<?xml version="1.0"?>
<xs:schema xmlns:xs="{XSD}" targetNamespace="{XML_NS}" xml:lang="en">
  <xs:attribute name="lang" type="xs:language"/>
  <xs:attribute name="space">
    <xs:simpleType>
      <xs:restriction base="xs:NCName">
        <xs:enumeration value="default"/>
        <xs:enumeration value="preserve"/>
      </xs:restriction>
    </xs:simpleType>
  </xs:attribute>
</xs:schema>
"""

_DC_STANDIN = f"""<?xml version="1.0"?>
<xs:schema xmlns:xs="{XSD}" targetNamespace="http://purl.org/dc/elements/1.1/"
    elementFormDefault="qualified">
  {
    "".join(
        f'<xs:element name="{n}"/>'
        for n in ("creator", "description", "identifier", "language", "subject", "title")
    )
}
</xs:schema>
"""

_DCTERMS_STANDIN = f"""<?xml version="1.0"?>
<xs:schema xmlns:xs="{XSD}" targetNamespace="http://purl.org/dc/terms/"
    elementFormDefault="qualified">
  <xs:simpleType name="W3CDTF">
    <xs:union memberTypes="xs:gYear xs:gYearMonth xs:date xs:dateTime"/>
  </xs:simpleType>
  <xs:element name="created"/>
  <xs:element name="modified"/>
</xs:schema>
"""

_T_WITH_SPACE = "CT_XstringWithSpace"  # the patched type's name, ours


def _patch_sml(doc: etree._ElementTree) -> int:
    """Change 1 of the module docstring; returns how many ``<t>`` declarations it changed."""
    root = doc.getroot()
    q = f"{{{XSD}}}"
    imp = etree.Element(f"{q}import", namespace=XML_NS, schemaLocation="xml.xsd")
    root.insert(0, imp)
    ctype = etree.SubElement(root, f"{q}complexType", name=_T_WITH_SPACE)
    ext = etree.SubElement(
        etree.SubElement(ctype, f"{q}simpleContent"), f"{q}extension", base="s:ST_Xstring"
    )
    etree.SubElement(ext, f"{q}attribute", ref="xml:space", use="optional")
    changed = 0
    for element in root.iter(f"{q}element"):
        if element.get("name") == "t" and element.get("type") == "s:ST_Xstring":
            element.set("type", _T_WITH_SPACE)
            changed += 1
    return changed


def _patch_core(doc: etree._ElementTree) -> None:
    """Changes 2 and 3: local stand-ins for Dublin Core and the xml namespace."""
    for imp in doc.getroot().iter(f"{{{XSD}}}import"):
        ns = imp.get("namespace")
        local = {
            "http://purl.org/dc/elements/1.1/": "dc-standin.xsd",
            "http://purl.org/dc/terms/": "dcterms-standin.xsd",
            XML_NS: "xml.xsd",
        }.get(ns or "")
        if local:
            imp.set("schemaLocation", local)


@dataclass(frozen=True, kw_only=True)
class SchemaSet:
    schema: etree.XMLSchema
    namespaces: frozenset[str]  # target namespaces with a schema: what a consumer understands
    t_patched: int


@functools.cache
def load() -> SchemaSet:
    """The compiled schema set (cached for the session)."""
    src = schema_dir()
    work = Path(tempfile.mkdtemp(prefix="xlsxkit-xsd-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    namespaces: set[str] = {XML_NS}
    t_patched = 0
    for name in SCHEMA_FILES:
        doc = etree.parse(str(src / name))
        if name == "sml.xsd":
            t_patched = _patch_sml(doc)
        if name == "opc-coreProperties.xsd":
            _patch_core(doc)
        namespaces.add(doc.getroot().get("targetNamespace") or "")
        doc.write(str(work / name), xml_declaration=True, encoding="utf-8")
    (work / "xml.xsd").write_text(_XML_STANDIN, encoding="utf-8")
    (work / "dc-standin.xsd").write_text(_DC_STANDIN, encoding="utf-8")
    (work / "dcterms-standin.xsd").write_text(_DCTERMS_STANDIN, encoding="utf-8")
    namespaces |= {"http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/"}
    driver = [f'<xs:schema xmlns:xs="{XSD}" targetNamespace="urn:xlsxkit:all">']
    seen: set[str] = set()
    for name in SCHEMA_FILES:
        ns = etree.parse(str(work / name)).getroot().get("targetNamespace") or ""
        if ns not in seen:
            seen.add(ns)
            driver.append(f'<xs:import namespace="{ns}" schemaLocation="{name}"/>')
    driver.append("</xs:schema>")
    (work / "all.xsd").write_text("\n".join(driver), encoding="utf-8")
    schema = etree.XMLSchema(etree.parse(str(work / "all.xsd")))
    return SchemaSet(schema=schema, namespaces=frozenset(namespaces), t_patched=t_patched)


@dataclass(frozen=True, kw_only=True)
class PartResult:
    part: str
    namespace: str
    errors: tuple[str, ...] = ()
    not_covered: str = ""  # why no ISO schema applies, for a part that is not validated

    @property
    def valid(self) -> bool:
        return not self.errors and not self.not_covered


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def validate_xml(part: str, data: bytes, schemas: SchemaSet | None = None) -> PartResult:
    """Validate one part's bytes: Markup Compatibility first, then the schema set."""
    schemas = schemas or load()
    root = etree.fromstring(data, _PARSER)
    ns = etree.QName(root).namespace or ""
    if ns in NOT_IN_ISO:
        return PartResult(part=part, namespace=ns, not_covered=NOT_IN_ISO[ns])
    if ns not in schemas.namespaces:
        return PartResult(part=part, namespace=ns, errors=(f"no schema for namespace {ns}",))
    try:
        mce.apply(root, schemas.namespaces)
    except mce.MustUnderstandError as exc:
        return PartResult(part=part, namespace=ns, errors=(str(exc),))
    validator = schemas.schema
    if validator.validate(etree.ElementTree(root)):
        return PartResult(part=part, namespace=ns)
    errors = tuple(f"line {e.line}: {e.message}" for e in validator.error_log)
    return PartResult(part=part, namespace=ns, errors=errors)


def xml_parts(path: Path) -> list[tuple[str, bytes]]:
    """Every XML part of the package at PATH (including .rels and [Content_Types].xml)."""
    with zipfile.ZipFile(path) as z:
        return [
            (name, z.read(name))
            for name in z.namelist()
            if name.endswith((".xml", ".rels", ".vml")) and not name.endswith("/")
        ]


def validate_package(path: Path) -> list[PartResult]:
    schemas = load()
    return [validate_xml(name, data, schemas) for name, data in xml_parts(path)]
