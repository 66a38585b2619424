"""Excel's limits, checked on the file as written: what Excel would repair or refuse.

Every length is counted in UTF-16 code units, as Excel (and XlsxWriter) count it: a
character outside the Basic Multilingual Plane, such as an emoji, counts 2. The limits come
from Microsoft's "Excel specifications and limits" and [MS-XLS]/[MS-XLSX]; see
/work/shared/notes/excel-facts.md and tests/ooxml/README.md.

The check reads the package itself (zip + XML, through the relationships, never assuming
part names), so it holds for any producer's file: ours, or one saved by another app.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from lxml import etree

SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_TABLE = R + "/table"
REL_SST = R + "/sharedStrings"
REL_STYLES = R + "/styles"
REL_WORKSHEET = R + "/worksheet"

MAX_DV_FORMULA = 255
MAX_DV_PROMPT = 255
MAX_DV_ERROR = 225  # Excel's own dialog limit ([MS-XLS] DValStrings); XlsxWriter allows 255
MAX_DV_TITLE = 32
MAX_HEADER_FOOTER = 255
MAX_SHEET_NAME = 31
MAX_CELL_TEXT = 32_767
MAX_FORMULA = 8_192
MAX_NAME = 255
MAX_ROW = 1_048_576
MAX_COL = 16_384
SHEET_NAME_FORBIDDEN = set("[]:*?/\\")
RESERVED_SHEET_NAMES = {"history"}  # Excel reserves it for change tracking


class Check(StrEnum):
    DV_FORMULA = "dv-formula"
    DV_PROMPT = "dv-prompt"
    DV_ERROR = "dv-error"
    DV_TITLES = "dv-titles"
    HEADER_FOOTER = "header-footer"
    SHEET_NAMES = "sheet-names"
    CELL_TEXT = "cell-text"
    FORMULA_LENGTH = "formula-length"
    DEFINED_NAMES = "defined-names"
    MERGES = "merges"
    STYLE_INDICES = "style-indices"
    FUTURE_FUNCTIONS = "future-functions"
    CACHED_VALUES = "cached-values"
    TABLE_HEADERS = "table-headers"
    ACTIVE_TAB = "active-tab"
    ORPHAN_STRINGS = "orphan-strings"


@dataclass(frozen=True, kw_only=True)
class Violation:
    check: Check
    where: str  # part and cell, range or attribute
    detail: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.where}: {self.detail}"


@dataclass(kw_only=True)
class Report:
    checked: Counter[Check] = field(default_factory=Counter)
    violations: list[Violation] = field(default_factory=list)

    def of(self, check: Check) -> list[Violation]:
        return [v for v in self.violations if v.check == check]

    def count(self, check: Check, n: int = 1) -> None:
        self.checked[check] += n

    def fail(self, check: Check, where: str, detail: str) -> None:
        self.violations.append(Violation(check=check, where=where, detail=detail))


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _q(tag: str, ns: str = SML) -> str:
    return f"{{{ns}}}{tag}"


# Functions added after Excel 2007: a file must store them with the _xlfn. prefix (and
# FILTER/SORT etc. with _xlfn._xlws.), or Excel 2010+ shows #NAME? ([MS-XLSX] 2.2.2).
_FUTURE = """
ACOT ACOTH AGGREGATE ARABIC BASE BETA.DIST BETA.INV BINOM.DIST BINOM.DIST.RANGE BINOM.INV
BITAND BITLSHIFT BITOR BITRSHIFT BITXOR CEILING.MATH CEILING.PRECISE CHISQ.DIST
CHISQ.DIST.RT CHISQ.INV CHISQ.INV.RT CHISQ.TEST COMBINA CONCAT CONFIDENCE.NORM CONFIDENCE.T
COT COTH COVARIANCE.P COVARIANCE.S CSC CSCH DAYS DECIMAL ERF.PRECISE ERFC.PRECISE EXPON.DIST
F.DIST F.DIST.RT F.INV F.INV.RT F.TEST FILTERXML FLOOR.MATH FLOOR.PRECISE FORECAST.ETS
FORECAST.ETS.CONFINT FORECAST.ETS.SEASONALITY FORECAST.ETS.STAT FORECAST.LINEAR FORMULATEXT
GAMMA GAMMA.DIST GAMMA.INV GAMMALN.PRECISE GAUSS HYPGEOM.DIST IFNA IFS IMCOSH IMCOT IMCSC
IMCSCH IMSEC IMSECH IMSINH IMTAN ISFORMULA ISOWEEKNUM LOGNORM.DIST LOGNORM.INV MAXIFS MINIFS
MODE.MULT MODE.SNGL MUNIT NEGBINOM.DIST NETWORKDAYS.INTL NORM.DIST NORM.INV NORM.S.DIST
NORM.S.INV NUMBERVALUE PDURATION PERCENTILE.EXC PERCENTILE.INC PERCENTRANK.EXC
PERCENTRANK.INC PERMUTATIONA PHI POISSON.DIST QUARTILE.EXC QUARTILE.INC QUERYSTRING RANK.AVG
RANK.EQ RRI SEC SECH SHEET SHEETS SKEW.P STDEV.P STDEV.S SWITCH T.DIST T.DIST.2T T.DIST.RT
T.INV T.INV.2T T.TEST TEXTJOIN UNICHAR UNICODE VAR.P VAR.S WEBSERVICE WEIBULL.DIST
WORKDAY.INTL XOR Z.TEST ANCHORARRAY ARRAYTOTEXT BYCOL BYROW CHOOSECOLS CHOOSEROWS DROP
EXPAND FILTER HSTACK IMAGE ISOMITTED LAMBDA LET MAKEARRAY MAP RANDARRAY REDUCE SCAN SEQUENCE
SINGLE SORT SORTBY TAKE TEXTAFTER TEXTBEFORE TEXTSPLIT TOCOL TOROW UNIQUE VALUETOTEXT VSTACK
WRAPCOLS WRAPROWS XLOOKUP XMATCH GROUPBY PIVOTBY PERCENTOF REGEXTEST REGEXEXTRACT
REGEXREPLACE TRIMRANGE
"""
FUTURE_FUNCTIONS = frozenset(_FUTURE.split())
_STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')
_QUOTED_SHEET = re.compile(r"'(?:[^']|'')*'")
_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*\(")
_CELL_REF = re.compile(r"^([A-Za-z]{1,3})(\d+)$")
_R1C1 = re.compile(r"^[Rr](\d*)[Cc](\d*)$|^[RrCc]$")
_RANGE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


def col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """(first row, first col, last row, last col), 1-based, of an A1 range or cell."""
    m = _RANGE.match(ref)
    if not m:
        raise ValueError(f"not an A1 range: {ref!r}")
    c1, r1, c2, r2 = m.groups()
    return int(r1), col_number(c1), int(r2 or r1), col_number(c2 or c1)


def future_functions_unprefixed(formula: str) -> list[str]:
    """Post-2007 functions called in FORMULA without their ``_xlfn.`` prefix."""
    code = _QUOTED_SHEET.sub("''", _STRING_LITERAL.sub('""', formula))
    return [name for name in _CALL.findall(code) if name.upper() in FUTURE_FUNCTIONS]


def defined_name_problem(name: str) -> str:
    """Why NAME is not a legal defined name, or ""."""
    if name.startswith("_xlnm."):
        return ""
    if not name or utf16_len(name) > MAX_NAME:
        return f"length {utf16_len(name)} is not 1..{MAX_NAME}"
    first = name[0]
    if not (first.isalpha() or first in "_\\"):
        return "must start with a letter, _ or \\"
    if any(not (ch.isalnum() or ch in "_.\\?") for ch in name):
        return "contains a character other than letters, digits, _ . \\ ?"
    m = _CELL_REF.match(name)
    if m and col_number(m.group(1)) <= MAX_COL and int(m.group(2)) <= MAX_ROW:
        return "looks like a cell reference"
    if _R1C1.match(name):
        return "looks like an R1C1 reference"
    return ""


def sheet_name_problem(name: str) -> str:
    if not 1 <= utf16_len(name) <= MAX_SHEET_NAME:
        return f"length {utf16_len(name)} is not 1..{MAX_SHEET_NAME}"
    bad = sorted(SHEET_NAME_FORBIDDEN & set(name))
    if bad:
        return f"contains {''.join(bad)}"
    if name.startswith("'") or name.endswith("'"):
        return "starts or ends with an apostrophe"
    if name.casefold() in RESERVED_SHEET_NAMES:
        return "is reserved by Excel"
    return ""


# -- the package ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Sheet:
    name: str
    state: str
    part: str
    xml: etree._Element
    tables: tuple[tuple[str, etree._Element], ...]


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


class Package:
    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path)
        self.names = set(self.zip.namelist())
        self.workbook_part = self._main_part()
        self.workbook = self.xml(self.workbook_part)
        self.workbook_rels = self.rels(self.workbook_part)
        self.sheets = list(self._sheets())

    def xml(self, part: str) -> etree._Element:
        return etree.fromstring(self.zip.read(part), _PARSER)

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """rId -> (type, target part) of PART's relationships."""
        folder, base = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        if rels_part not in self.names:
            return {}
        out = {}
        for rel in self.xml(rels_part).iter(_q("Relationship", PKG_RELS)):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            resolved = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            out[rel.get("Id", "")] = (rel.get("Type", ""), resolved)
        return out

    def _main_part(self) -> str:
        for _type, target in self.rels("").values():
            if _type.endswith("/officeDocument"):
                return target
        return "xl/workbook.xml"

    def related(self, rel_type: str) -> str | None:
        for _type, target in self.workbook_rels.values():
            if _type == rel_type and target in self.names:
                return target
        return None

    def _sheets(self) -> Iterator[Sheet]:
        for sheet in self.workbook.iter(_q("sheet")):
            _type, part = self.workbook_rels.get(sheet.get(_q("id", R), ""), ("", ""))
            if _type != REL_WORKSHEET or part not in self.names:
                continue  # chartsheets, dialog sheets: no cells to check
            tables = tuple(
                (target, self.xml(target))
                for t, target in self.rels(part).values()
                if t == REL_TABLE and target in self.names
            )
            yield Sheet(
                name=sheet.get("name", ""),
                state=sheet.get("state", "visible"),
                part=part,
                xml=self.xml(part),
                tables=tables,
            )

    def shared_strings(self) -> list[str]:
        part = self.related(REL_SST)
        if part is None:
            return []
        return [_text(si) for si in self.xml(part).iter(_q("si"))]


def _text(element: etree._Element) -> str:
    """The text of a string item or inline string: its <t>, or its runs' <t>s (no phonetics)."""
    out = []
    for child in element:
        if child.tag == _q("t"):
            out.append(child.text or "")
        elif child.tag == _q("r"):
            out.extend(t.text or "" for t in child.iter(_q("t")))
    return "".join(out)


def cell_text(cell: etree._Element, sst: list[str]) -> str | None:
    kind = cell.get("t", "n")
    v = cell.find(_q("v"))
    if kind == "inlineStr":
        inline = cell.find(_q("is"))
        return _text(inline) if inline is not None else ""
    if v is None or v.text is None:
        return None
    if kind == "s":
        index = int(v.text)
        return sst[index] if 0 <= index < len(sst) else None
    return str(v.text)


# -- the checks ----------------------------------------------------------------------------


def check(path: Path) -> Report:
    report = Report()
    pkg = Package(path)
    sst = pkg.shared_strings()
    _workbook_level(pkg, report)
    used: set[int] = set()
    for sheet in pkg.sheets:
        _validations(sheet, report)
        _header_footer(sheet, report)
        _cells(sheet, sst, used, report)
        _merges(sheet, report)
        _tables(sheet, sst, report)
    _styles(pkg, report)
    report.count(Check.ORPHAN_STRINGS, len(sst))
    for index in sorted(set(range(len(sst))) - used):
        report.fail(
            Check.ORPHAN_STRINGS, f"sharedStrings #{index}", f"no cell uses {sst[index][:60]!r}"
        )
    return report


def _workbook_level(pkg: Package, report: Report) -> None:
    seen: dict[str, str] = {}
    all_sheets = list(pkg.workbook.iter(_q("sheet")))
    for sheet in all_sheets:
        name = sheet.get("name", "")
        report.count(Check.SHEET_NAMES)
        if problem := sheet_name_problem(name):
            report.fail(Check.SHEET_NAMES, f"sheet {name!r}", problem)
        if name.casefold() in seen:
            report.fail(
                Check.SHEET_NAMES, f"sheet {name!r}", f"same name as {seen[name.casefold()]!r}"
            )
        seen[name.casefold()] = name
    names: set[tuple[str, str]] = set()
    for dn in pkg.workbook.iter(_q("definedName")):
        name, scope = dn.get("name", ""), dn.get("localSheetId", "")
        report.count(Check.DEFINED_NAMES)
        if problem := defined_name_problem(name):
            report.fail(Check.DEFINED_NAMES, f"name {name!r}", problem)
        key = (name.casefold(), scope)
        if key in names:
            report.fail(Check.DEFINED_NAMES, f"name {name!r}", "defined twice in the same scope")
        names.add(key)
        if scope and not 0 <= int(scope) < len(all_sheets):
            report.fail(Check.DEFINED_NAMES, f"name {name!r}", f"localSheetId {scope} out of range")
        _formula(f"workbook name {name!r}", dn.text or "", report)
    views = list(pkg.workbook.iter(_q("workbookView")))
    active = int(views[0].get("activeTab", "0")) if views else 0
    report.count(Check.ACTIVE_TAB)
    if not 0 <= active < len(all_sheets):
        report.fail(Check.ACTIVE_TAB, "workbookView", f"activeTab {active} is not a sheet")
    elif all_sheets[active].get("state", "visible") != "visible":
        report.fail(
            Check.ACTIVE_TAB,
            "workbookView",
            f"active tab {all_sheets[active].get('name')!r} is {all_sheets[active].get('state')}",
        )
    if not any(s.get("state", "visible") == "visible" for s in all_sheets):
        report.fail(Check.ACTIVE_TAB, "workbook", "no sheet is visible")
    for sheet in pkg.sheets:
        for view in sheet.xml.iter(_q("sheetView")):
            if view.get("tabSelected") in ("1", "true") and sheet.state != "visible":
                report.fail(Check.ACTIVE_TAB, sheet.part, f"{sheet.state} sheet is selected")


def _formula(where: str, text: str, report: Report) -> None:
    report.count(Check.FUTURE_FUNCTIONS)
    for name in future_functions_unprefixed(text):
        report.fail(Check.FUTURE_FUNCTIONS, where, f"{name}() without the _xlfn. prefix")
    report.count(Check.FORMULA_LENGTH)
    if utf16_len(text) > MAX_FORMULA:
        report.fail(Check.FORMULA_LENGTH, where, f"{utf16_len(text)} > {MAX_FORMULA}")


def _limit(report: Report, check_: Check, where: str, text: str, limit: int) -> None:
    report.count(check_)
    if utf16_len(text) > limit:
        report.fail(check_, where, f"{utf16_len(text)} UTF-16 units > {limit}: {text[:50]!r}…")


def _validations(sheet: Sheet, report: Report) -> None:
    for dv in sheet.xml.iter(_q("dataValidation"), _q("dataValidation", X14)):
        where = f"{sheet.part} dataValidation {dv.get('sqref') or _sqref_x14(dv)}"
        for tag in ("formula1", "formula2"):
            for formula in (dv.find(_q(tag)), dv.find(f"{_q(tag, X14)}/{_q('f', XM)}")):
                if formula is None:
                    continue
                text = formula.text or ""
                if dv.get("type") == "list" and text.startswith('"') and text.endswith('"'):
                    text = text[1:-1].replace('""', '"')  # the inline list itself
                else:
                    _formula(where, text, report)
                _limit(report, Check.DV_FORMULA, f"{where} {tag}", text, MAX_DV_FORMULA)
        _limit(report, Check.DV_PROMPT, f"{where} prompt", dv.get("prompt", ""), MAX_DV_PROMPT)
        _limit(report, Check.DV_ERROR, f"{where} error", dv.get("error", ""), MAX_DV_ERROR)
        for attr in ("promptTitle", "errorTitle"):
            _limit(report, Check.DV_TITLES, f"{where} {attr}", dv.get(attr, ""), MAX_DV_TITLE)


def _sqref_x14(dv: etree._Element) -> str:
    ref = dv.find(_q("sqref", XM))
    return ref.text or "" if ref is not None else ""


def _header_footer(sheet: Sheet, report: Report) -> None:
    for hf in sheet.xml.iter(_q("headerFooter")):
        for part in hf:
            if isinstance(part.tag, str):
                name = etree.QName(part).localname
                _limit(
                    report,
                    Check.HEADER_FOOTER,
                    f"{sheet.part} {name}",
                    part.text or "",
                    MAX_HEADER_FOOTER,
                )


def _cells(sheet: Sheet, sst: list[str], used: set[int], report: Report) -> None:
    for cell in sheet.xml.iter(_q("c")):
        ref = f"{sheet.name}!{cell.get('r', '?')}"
        kind = cell.get("t", "n")
        v = cell.find(_q("v"))
        if kind == "s" and v is not None and v.text is not None:
            index = int(v.text)
            used.add(index)
            report.count(Check.ORPHAN_STRINGS)
            if not 0 <= index < len(sst):
                report.fail(Check.ORPHAN_STRINGS, ref, f"shared string #{index} does not exist")
        text = cell_text(cell, sst)
        if text is not None and kind in ("s", "str", "inlineStr"):
            _limit(report, Check.CELL_TEXT, ref, text, MAX_CELL_TEXT)
        f = cell.find(_q("f"))
        if f is not None:
            _formula(ref, f.text or "", report)
            report.count(Check.CACHED_VALUES)
            if v is None and kind != "inlineStr":
                report.fail(Check.CACHED_VALUES, ref, f"formula {f.text!r} has no cached value")
    for rule in sheet.xml.iter(_q("cfRule")):
        for formula in rule.iter(_q("formula")):
            _formula(
                f"{sheet.part} conditional format {rule.getparent().get('sqref')}",
                formula.text or "",
                report,
            )


def _merges(sheet: Sheet, report: Report) -> None:
    ranges: list[tuple[str, tuple[int, int, int, int]]] = []
    for merge in sheet.xml.iter(_q("mergeCell")):
        ref = merge.get("ref", "")
        report.count(Check.MERGES)
        try:
            r1, c1, r2, c2 = parse_range(ref)
        except ValueError as exc:
            report.fail(Check.MERGES, f"{sheet.name}!{ref}", str(exc))
            continue
        if (r1, c1) == (r2, c2) or r1 > r2 or c1 > c2:
            report.fail(Check.MERGES, f"{sheet.name}!{ref}", "not a range of two or more cells")
        for other, (s1, d1, s2, d2) in ranges:
            if r1 <= s2 and s1 <= r2 and c1 <= d2 and d1 <= c2:
                report.fail(Check.MERGES, f"{sheet.name}!{ref}", f"overlaps {other}")
        ranges.append((ref, (r1, c1, r2, c2)))


def _tables(sheet: Sheet, sst: list[str], report: Report) -> None:
    cells = {c.get("r", ""): c for c in sheet.xml.iter(_q("c"))}
    for part, table in sheet.tables:
        report.count(Check.TABLE_HEADERS)
        r1, c1, _r2, c2 = parse_range(table.get("ref", ""))
        columns = [tc.get("name", "") for tc in table.iter(_q("tableColumn"))]
        if len(columns) != c2 - c1 + 1:
            report.fail(
                Check.TABLE_HEADERS, part, f"{len(columns)} columns for ref {table.get('ref')}"
            )
        folded = [c.casefold() for c in columns]
        for dup in sorted({c for c in folded if folded.count(c) > 1}):
            report.fail(Check.TABLE_HEADERS, part, f"column name {dup!r} used twice")
        if table.get("headerRowCount", "1") == "0":
            continue
        for offset, name in enumerate(columns):
            ref = f"{_letters(c1 + offset)}{r1}"
            cell = cells.get(ref)
            header = cell_text(cell, sst) if cell is not None else None
            if cell is not None and cell.get("t") not in ("s", "str", "inlineStr"):
                header = None  # a table header must be text
            if header != name:
                report.fail(
                    Check.TABLE_HEADERS, f"{part} {ref}", f"header {header!r} != column {name!r}"
                )


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


BUILTIN_NUMFMTS = frozenset(range(0, 164))  # ids below 164 are Excel's own


def _styles(pkg: Package, report: Report) -> None:
    part = pkg.related(REL_STYLES)
    if part is None:
        return
    styles = pkg.xml(part)

    def count_of(tag: str) -> int:
        element = styles.find(_q(tag))
        return 0 if element is None else len([c for c in element if isinstance(c.tag, str)])

    n_xf = count_of("cellXfs")
    n_style_xf = count_of("cellStyleXfs")
    n_dxf = count_of("dxfs")
    limits = {
        "fontId": count_of("fonts"),
        "fillId": count_of("fills"),
        "borderId": count_of("borders"),
    }
    formats = {int(n.get("numFmtId", "-1")) for n in styles.iter(_q("numFmt"))}
    for group, bound_xf in (("cellXfs", n_style_xf), ("cellStyleXfs", None)):
        container = styles.find(_q(group))
        for i, xf in enumerate(container if container is not None else []):
            where = f"{part} {group}[{i}]"
            for attr, bound in limits.items():
                report.count(Check.STYLE_INDICES)
                if int(xf.get(attr, "0")) >= bound:
                    report.fail(Check.STYLE_INDICES, where, f"{attr} {xf.get(attr)} >= {bound}")
            fmt = int(xf.get("numFmtId", "0"))
            report.count(Check.STYLE_INDICES)
            if fmt not in BUILTIN_NUMFMTS and fmt not in formats:
                report.fail(Check.STYLE_INDICES, where, f"numFmtId {fmt} is not defined")
            if bound_xf is not None and xf.get("xfId") is not None:
                report.count(Check.STYLE_INDICES)
                if int(xf.get("xfId", "0")) >= bound_xf:
                    report.fail(Check.STYLE_INDICES, where, f"xfId {xf.get('xfId')} >= {bound_xf}")
    for sheet in pkg.sheets:
        for tag, attr in (("c", "s"), ("row", "s"), ("col", "style")):
            for element in sheet.xml.iter(_q(tag)):
                if element.get(attr) is None:
                    continue
                report.count(Check.STYLE_INDICES)
                if int(element.get(attr, "0")) >= n_xf:
                    where = f"{sheet.name} {tag} {element.get('r') or element.get('min') or ''}"
                    report.fail(
                        Check.STYLE_INDICES, where, f"style {element.get(attr)} >= {n_xf} cellXfs"
                    )
        for rule in sheet.xml.iter(_q("cfRule")):
            if rule.get("dxfId") is not None:
                report.count(Check.STYLE_INDICES)
                if int(rule.get("dxfId", "0")) >= n_dxf:
                    report.fail(
                        Check.STYLE_INDICES, sheet.part, f"dxfId {rule.get('dxfId')} >= {n_dxf}"
                    )
