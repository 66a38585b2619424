"""A return that went through Google Sheets imports whole: imitated (tests/googlesheets.py),
and, for any genuine file someone contributes to tests/fixtures/, for real."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from tests.filling import Answers, random_answers
from tests.googlesheets import CHECKBOX_PART, through_google_sheets
from tests.helpers import assert_answers_match, by_id, import_paths, only, orgs, write_filled
from tests.ooxml import limits
from tests.ooxml.kinds import FileKind, Role, built, bundled, params
from xlsxkit.framework.load import require_framework
from xlsxkit.workbook import layout as L


def filled_return(kind: FileKind, tmp: Path) -> tuple[Path, Answers]:
    """KIND's workbook as a partner returns it: written with answers, native checkboxes kept."""
    made = built(kind)
    answers = random_answers(made.framework, seed=11)
    org = None
    if kind.name == "generic":
        answers[(L.START_ORG_ROW_ID, "org_name")] = "Sheets Users Ltd"
    else:
        [org] = orgs("North Trust")
    path = write_filled(made.framework, tmp / "filled.xlsx", org, answers)
    return path, answers


@pytest.mark.parametrize("kind", params("google", Role.WORKBOOK))
def test_answers_survive_google_sheets(kind: FileKind, tmp_path: Path) -> None:
    made = built(kind)
    src, answers = filled_return(kind, tmp_path)
    dst = through_google_sheets(src, tmp_path / "from-sheets.xlsx")
    result = import_paths(made.framework, dst)
    assert_answers_match(made.framework, only(result), answers)


def test_the_imitation_makes_each_documented_change(tmp_path: Path) -> None:
    """Each change really happens, so the test above imports a changed file."""
    from tests.ooxml.kinds import KINDS

    kind = next(k for k in KINDS if k.name == "password")
    src, _answers = filled_return(kind, tmp_path)
    dst = through_google_sheets(src, tmp_path / "from-sheets.xlsx")
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst) as b:
        before, after = set(a.namelist()), set(b.namelist())
        wb_before, wb_after = a.read("xl/workbook.xml"), b.read("xl/workbook.xml")
        sheets_before = b"".join(a.read(n) for n in before if n.startswith("xl/worksheets/s"))
        sheets_after = b"".join(b.read(n) for n in after if n.startswith("xl/worksheets/s"))
        styles_after = b.read("xl/styles.xml")
        types_after = b.read("[Content_Types].xml")
        rels_after = b.read("xl/_rels/workbook.xml.rels") + b.read("_rels/.rels")
    assert b'state="veryHidden"' in wb_before and b'state="veryHidden"' not in wb_after
    assert b'state="hidden"' in wb_after
    assert b"<sheetProtection" in sheets_before and b"<sheetProtection" not in sheets_after
    assert CHECKBOX_PART in before and CHECKBOX_PART not in after
    assert b"xfComplement" not in styles_after and b"featurePropertyBag" not in types_after
    assert b"featurePropertyBag" not in rels_after and b"docProps" not in rels_after
    assert not any(n.startswith("docProps/") for n in after)
    # Kept: every validation, the stage lists pointing at the hidden sheet among them.
    n_before = sheets_before.count(b"<dataValidation ")
    assert n_before > 0 and sheets_after.count(b"<dataValidation ") == n_before
    assert re.search(rb"<formula1>'xlsxkit'!\$D\$2", sheets_after)
    # Still a sound package: the limits hold and the tick boxes are booleans.
    report = limits.check(dst)
    assert not [str(v) for v in report.violations]
    assert b't="b"' in sheets_after


# -- genuine files contributed from apps that cannot run here (tests/fixtures/README.md) ----

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
CONTRIBUTED = sorted(
    p for p in FIXTURES.glob("*.json") if any(p.with_suffix(s).is_file() for s in SUFFIXES)
)


def _workbook_for(record: Path) -> Path:
    return next(record.with_suffix(s) for s in SUFFIXES if record.with_suffix(s).is_file())


@pytest.mark.parametrize("record", CONTRIBUTED, ids=[p.stem for p in CONTRIBUTED])
def test_contributed_file_imports_with_its_recorded_answers(record: Path) -> None:
    meta = json.loads(record.read_text(encoding="utf-8"))
    fw_name = meta.get("framework", "bundled")
    framework = bundled() if fw_name == "bundled" else require_framework(FIXTURES / fw_name)
    got = by_id(only(import_paths(framework, _workbook_for(record))))
    labels = {s.label: s.id for s in framework.stages}
    assert meta["answers"], "record at least one answer"
    for answer in meta["answers"]:
        item, what, value = answer["id"], answer["field"], answer["value"]
        if what == "stage":
            assert got[item].stage_id == labels[value], answer
        elif what == "done":
            assert got[item].done is bool(value), answer
        else:
            assert getattr(got[item], what) == value, answer
