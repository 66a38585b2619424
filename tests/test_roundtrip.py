"""Generate, fill, import, compare: every stage and tick comes back by id."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.filling import fill_with_openpyxl, random_answers
from tests.fwtools import big_framework, write
from tests.helpers import (
    assert_answers_match,
    generate_batch,
    import_paths,
    only,
    orgs,
    write_filled,
)
from xlsxkit.framework.load import load_framework
from xlsxkit.framework.model import Framework


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_filled_by_openpyxl_imports_exactly(
    framework: Framework, tmp_path: Path, seed: int
) -> None:
    batch = generate_batch(framework, tmp_path / "out", orgs("North Trust", "South Council"))
    answers = random_answers(framework, seed)
    src = batch.out_dir / batch.rows[0].file
    returned = tmp_path / "returns" / "renamed by partner.xlsx"
    returned.parent.mkdir()
    fill_with_openpyxl(src, returned, answers)
    result = import_paths(framework, returned.parent, manifest=batch.manifest)
    r = only(result)
    assert r.org_id == batch.rows[0].org_id
    assert r.token == batch.rows[0].token
    assert r.problems == ()
    assert_answers_match(framework, r, answers)
    assert [m.org_id for m in result.missing] == [batch.rows[1].org_id]


def test_prefilled_native_checkboxes_import_exactly(framework: Framework, tmp_path: Path) -> None:
    [org] = orgs("North Trust")
    answers = random_answers(framework, 7)
    path = write_filled(framework, tmp_path / "r.xlsx", org, answers)
    r = only(import_paths(framework, path))
    assert_answers_match(framework, r, answers)


def test_edge_framework_round_trips(tmp_path: Path) -> None:
    doc = big_framework(stages=7, dimensions=12, criteria=2, actions=2)
    result = load_framework(write(tmp_path, doc))
    assert result.framework is not None, result.report.render_text()
    fw = result.framework
    batch = generate_batch(fw, tmp_path / "out", orgs("Édith & Co – 東京"))
    answers = random_answers(fw, 11)
    returned = tmp_path / "in" / "x.xlsx"
    returned.parent.mkdir()
    fill_with_openpyxl(batch.out_dir / batch.rows[0].file, returned, answers)
    r = only(import_paths(fw, returned))
    assert r.org_name == "Édith & Co – 東京"
    assert_answers_match(fw, r, answers)


def test_renamed_sheet_still_imports(framework: Framework, tmp_path: Path) -> None:
    import openpyxl

    batch = generate_batch(framework, tmp_path / "out", orgs("North Trust"))
    answers = random_answers(framework, 5, blank_share=0)
    filled = tmp_path / "filled.xlsx"
    fill_with_openpyxl(batch.out_dir / batch.rows[0].file, filled, answers)
    wb = openpyxl.load_workbook(filled)
    wb["People"].title = "Our people work"
    wb["Start"].title = "Read me"
    wb.move_sheet("Systems", offset=-2)
    wb.save(filled)
    r = only(import_paths(framework, filled))
    assert_answers_match(framework, r, answers)
    assert {a.sheet for a in r.answers} == {"Our people work", "Culture", "Systems"}
