"""Excel's limits hold in every kind of file xlsxkit writes, counted in UTF-16 units.

Each check is also shown to catch a violation, on a copy of a real file changed in one
place: a check that cannot fail proves nothing.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from tests.filling import rows_by_id
from tests.ooxml import limits
from tests.ooxml.kinds import KINDS, FileKind, Role, built, params
from tests.ooxml.limits import Check
from xlsxkit.workbook import layout as L


def _kind(name: str) -> FileKind:
    return next(k for k in KINDS if k.name == name)


CASES = [k.param(f"limits:{c}", c) for k in KINDS for c in Check]


@pytest.mark.parametrize(("kind", "check"), CASES)
def test_limit_holds(kind: FileKind, check: Check) -> None:
    report = limits.check(built(kind).path)
    assert not [str(v) for v in report.of(check)][:10]


@pytest.mark.parametrize("kind", params("limits"))
def test_every_kind_is_measured(kind: FileKind) -> None:
    """The checks saw the file's content, not an empty shell."""
    report = limits.check(built(kind).path)
    for check in (Check.SHEET_NAMES, Check.ACTIVE_TAB, Check.CELL_TEXT, Check.STYLE_INDICES):
        assert report.checked[check] > 0, check
    if kind.role == Role.WORKBOOK:
        for check in (Check.DV_PROMPT, Check.DV_ERROR, Check.DV_TITLES, Check.MERGES):
            assert report.checked[check] > 0, check
    elif kind.name.startswith("summary"):  # its Data sheets are Excel tables
        assert report.checked[Check.TABLE_HEADERS] > 0


@pytest.mark.parametrize("kind", params("writer-warnings"))
def test_writing_raises_no_warning(kind: FileKind) -> None:
    """XlsxWriter warns, and leaves the feature out, for a value over Excel's limits."""
    assert built(kind).warnings == ()


@pytest.mark.parametrize("kind", params("dropdowns", Role.WORKBOOK))
def test_every_input_cell_keeps_its_validation(kind: FileKind) -> None:
    made = built(kind)
    wb = openpyxl.load_workbook(made.path)
    covered: dict[str, set[str]] = {}
    for ws in wb.worksheets:
        cells = covered.setdefault(ws.title, set())
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                cells.update(
                    f"{L.col_letter(col - 1)}{row}"
                    for row in range(rng.min_row, rng.max_row + 1)
                    for col in range(rng.min_col, rng.max_col + 1)
                )
    ids = rows_by_id(made.path)
    missing = []
    item_ids = [c.id for c in made.framework.criteria] + [a.id for a in made.framework.actions]
    for item_id in item_ids:
        sheet, row = ids[item_id]
        ref = f"{L.col_letter(L.COL_INPUT)}{row}"
        if ref not in covered[sheet]:
            missing.append(f"{sheet}!{ref} ({item_id})")
    assert not missing[:10]


# -- the units -----------------------------------------------------------------------------


def test_lengths_are_counted_in_utf16_units() -> None:
    assert limits.utf16_len("abc") == 3
    assert limits.utf16_len("é東") == 2  # in the Basic Multilingual Plane: one unit each
    assert limits.utf16_len("🌱") == 2  # outside it: a surrogate pair
    assert limits.utf16_len("🌱" * 16) == 32


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("People", True),
        ("Équipe – 日本語", True),
        ("x" * 31, True),
        ("x" * 32, False),
        ("🌱" * 16, False),  # 16 characters, 32 units
        ("a/b", False),
        ("a[1]", False),
        ("what?", False),
        ("'quoted'", False),
        ("History", False),
        ("", False),
    ],
)
def test_sheet_names(name: str, ok: bool) -> None:
    assert (limits.sheet_name_problem(name) == "") is ok, name


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("xk_stages", True),
        ("_xlnm.Print_Titles", True),
        ("\\back", True),
        ("Stufe.1?", True),
        ("A1", False),
        ("XFD1048576", False),
        ("XFE1", True),  # beyond the last column: not a reference
        ("R1C1", False),
        ("r", False),
        ("1st", False),
        ("has space", False),
        ("x" * 256, False),
    ],
)
def test_defined_names(name: str, ok: bool) -> None:
    assert (limits.defined_name_problem(name) == "") is ok, name


@pytest.mark.parametrize(
    ("formula", "found"),
    [
        ("IFS(A1>1,1,TRUE,0)", ["IFS"]),
        ("_xlfn.IFS(A1>1,1,TRUE,0)", []),
        ("_xlfn._xlws.FILTER(A:A,B:B)", []),
        ("SUM(A1:A3)+xlookup(1,A:A,B:B)", ["xlookup"]),
        ('IF(A1="IFS(",1,0)', []),  # inside a string literal
        ("'TEXTJOIN(x'!A1", []),  # inside a quoted sheet name
        ("STDEV.S(A1:A9)", ["STDEV.S"]),
    ],
)
def test_future_functions(formula: str, found: list[str]) -> None:
    assert limits.future_functions_unprefixed(formula) == found


# -- each check catches a violation ----------------------------------------------------------

Edit = Callable[[str], str]


def _changed(src: Path, dst: Path, edits: dict[str, Edit]) -> Path:
    """A copy of the package SRC with each named part rewritten by its edit."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in edits:
                new = edits[info.filename](data.decode("utf-8"))
                assert new != data.decode("utf-8"), f"edit of {info.filename} changed nothing"
                data = new.encode("utf-8")
            zout.writestr(info, data)
    return dst


def _sub(pattern: str, repl: str) -> Edit:
    def edit(text: str) -> str:
        new, n = re.subn(pattern, lambda m: m.expand(repl), text, count=1, flags=re.S)
        assert n == 1, pattern
        return new

    return edit


SHEET = "xl/worksheets/sheet2.xml"
WB = "xl/workbook.xml"
SST = "xl/sharedStrings.xml"

NEGATIVE: dict[str, tuple[str, Check, dict[str, Edit]]] = {
    "error-226-units": (
        "bundled",
        Check.DV_ERROR,
        {SHEET: _sub(r' error="[^"]*"', ' error="' + "🌱" * 112 + 'ab"')},
    ),
    "prompt-256": (
        "bundled",
        Check.DV_PROMPT,
        {SHEET: _sub(r' prompt="[^"]*"', ' prompt="' + "p" * 256 + '"')},
    ),
    "title-33": (
        "bundled",
        Check.DV_TITLES,
        {SHEET: _sub(r' promptTitle="[^"]*"', ' promptTitle="' + "é" * 33 + '"')},
    ),
    "inline-list-256": (
        "bundled",
        Check.DV_FORMULA,
        {
            SHEET: _sub(
                r"<formula1>&quot;TRUE,FALSE&quot;|<formula1>\"TRUE,FALSE\"",
                '<formula1>"' + ",".join(["🌱ab"] * 64) + '"',
            )
        },
    ),
    "footer-256": (
        "bundled",
        Check.HEADER_FOOTER,
        {SHEET: _sub(r"<oddFooter>[^<]*</oddFooter>", "<oddFooter>" + "f" * 256 + "</oddFooter>")},
    ),
    "sheet-name-slash": (
        "bundled",
        Check.SHEET_NAMES,
        {WB: _sub(r'<sheet name="People"', '<sheet name="People/Partners"')},
    ),
    "sheet-name-twice": (
        "bundled",
        Check.SHEET_NAMES,
        {WB: _sub(r'<sheet name="Culture"', '<sheet name="PEOPLE"')},
    ),
    "cell-32768": (
        "bundled",
        Check.CELL_TEXT,
        {SST: _sub(r"<si><t>[^<]*</t></si>", "<si><t>" + "c" * 32_768 + "</t></si>")},
    ),
    "name-like-a-cell": (
        "bundled",
        Check.DEFINED_NAMES,
        {WB: _sub(r'<definedName name="xk_stages"', '<definedName name="AB12"')},
    ),
    "name-twice": (
        "bundled",
        Check.DEFINED_NAMES,
        {WB: _sub(r'<definedName name="xk_org_name"', '<definedName name="XK_STAGES"')},
    ),
    "merge-overlap": (
        "bundled",
        Check.MERGES,
        {SHEET: _sub(r'(<mergeCell ref="([A-Z]+\d+):[A-Z]+\d+"/>)', r'\1<mergeCell ref="\2:\2"/>')},
    ),
    "style-out-of-range": (
        "bundled",
        Check.STYLE_INDICES,
        {SHEET: _sub(r'<c r="D1" s="\d+"', '<c r="D1" s="9999"')},
    ),
    "future-function-bare": (
        "bundled",
        Check.FUTURE_FUNCTIONS,
        {SHEET: _sub(r"<f>([^<]*)</f>", r"<f>IFS(TRUE,\1)</f>")},
    ),
    "formula-without-value": (
        "bundled",
        Check.CACHED_VALUES,
        {SHEET: _sub(r"(<f>[^<]*</f>)<v>[^<]*</v>", r"\1")},
    ),
    "table-header-renamed": (
        "summary",
        Check.TABLE_HEADERS,
        {"xl/tables/table1.xml": _sub(r'name="stage_label"', 'name="Stage label"')},
    ),
    "active-tab-hidden": (
        "bundled",
        Check.ACTIVE_TAB,
        {WB: _sub(r"<workbookView ", '<workbookView activeTab="4" ')},
    ),
    "orphan-string": (
        "bundled",
        Check.ORPHAN_STRINGS,
        {SST: _sub(r"</sst>", "<si><t>nobody uses me</t></si></sst>")},
    ),
}


@pytest.mark.parametrize("case", sorted(NEGATIVE))
def test_each_check_catches_a_violation(case: str, tmp_path: Path) -> None:
    kind_name, check, edits = NEGATIVE[case]
    src = built(_kind(kind_name)).path
    before = limits.check(src)
    changed = _changed(src, tmp_path / "changed.xlsx", edits)
    after = limits.check(changed)
    assert len(after.of(check)) > len(before.of(check)), case
    others = {c for c in Check if c != check}
    for other in others:  # the one change shows up in its own check only
        if other in (Check.FORMULA_LENGTH, Check.CELL_TEXT):
            continue
        assert len(after.of(other)) == len(before.of(other)), (case, other)


def test_limits_read_through_relationships_not_part_names(tmp_path: Path) -> None:
    """A producer may name its parts as it likes; the check follows the relationships."""
    src = built(_kind("bundled")).path
    dst = tmp_path / "renamed.xlsx"
    shutil.copy(src, dst)
    rename = {SHEET: "xl/worksheets/form-people.xml"}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"worksheets/sheet2.xml", b"worksheets/form-people.xml")
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"/xl/worksheets/sheet2.xml", b"/xl/worksheets/form-people.xml")
            zout.writestr(rename.get(info.filename, info.filename), data)
    assert limits.check(dst).checked == limits.check(src).checked
