"""A data table longer than the summary draws is left to its CSV file, which holds every
row; its sheet says where the file is and links to it. Without CSV files, every table is
drawn whatever its length."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from tests.filling import random_answers
from tests.helpers import orgs, write_filled
from xlsxkit.app.import_job import import_job
from xlsxkit.framework.model import Framework
from xlsxkit.inbound.batch import ImportRequest
from xlsxkit.render.xlsx import data


@pytest.fixture
def inbox(framework: Framework, tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for i, org in enumerate(orgs("North", "South", "East")):
        write_filled(framework, folder / f"{i}.xlsx", org, random_answers(framework, i))
    return folder


def _import(framework: Framework, inbox: Path, out: Path, *, with_data: bool) -> Path:
    import_job(
        ImportRequest(sources=[inbox], framework=framework, jobs=1),
        summary_path=out / "summary.xlsx",
        data_dir=out / "data" if with_data else None,
    )
    return out / "summary.xlsx"


def test_a_table_over_the_limit_is_a_pointer_to_its_csv_with_every_row(
    framework: Framework, inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    actions = 3 * len(framework.actions)  # 87 rows; 18 stage rows stay drawn
    monkeypatch.setattr(data, "MAX_SHEET_ROWS", actions - 1)
    summary = _import(framework, inbox, tmp_path, with_data=True)
    wb = openpyxl.load_workbook(summary)
    ws = wb["Data (actions)"]
    assert not ws.tables
    texts = [c.value for row in ws.iter_rows(max_col=1) for c in row if c.value]
    assert texts[1] == f"{actions:,} rows: this table is in the CSV file actions.csv."
    assert str(tmp_path / "data" / "actions.csv") in texts[2]
    link = next(c for row in ws.iter_rows(max_col=1) for c in row if c.hyperlink)
    # relative to the summary's folder (XlsxWriter writes external links Windows-style)
    assert link.hyperlink.target.replace("\\", "/") == "data/actions.csv"
    with (tmp_path / "data" / "actions.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert sum(1 for _ in csv.reader(fh)) == actions + 1
    stages = wb["Data (stages)"]
    assert stages.tables["Stages"].ref == "A4:J22"


def test_without_csv_files_a_long_table_is_still_drawn_whole(
    framework: Framework, inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "MAX_SHEET_ROWS", 1)
    summary = _import(framework, inbox, tmp_path, with_data=False)
    wb = openpyxl.load_workbook(summary)
    assert wb["Data (actions)"].tables["Actions"].ref == f"A4:K{4 + 3 * len(framework.actions)}"
    assert wb["Data (stages)"].tables["Stages"].ref == "A4:J22"
