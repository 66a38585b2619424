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


# The Comments and Next steps lists: cut at the limit when the CSV files hold every row.


def _column_a(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[object]:
    return [row[0].value for row in ws.iter_rows(max_col=1)]


def test_a_list_over_the_limit_shows_its_first_rows_and_says_where_every_row_is(
    framework: Framework, inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlsxkit.inbound.batch import run_import
    from xlsxkit.results.consolidate import consolidate

    s = consolidate(framework, run_import(ImportRequest(sources=[inbox], framework=framework)))
    n_comments, n_steps = s.n_comments(), s.n_next_steps()
    # the counts are the lists' lengths, made without the lists
    assert n_comments == len(list(s.comments())) and n_steps == len(list(s.next_steps()))
    assert n_comments > 20 and n_steps > 20
    monkeypatch.setattr("xlsxkit.render.xlsx.MAX_LIST_ROWS", 7)
    wb = openpyxl.load_workbook(_import(framework, inbox, tmp_path, with_data=True))
    comments = wb["Comments"]
    texts = [v for v in _column_a(comments) if v]
    # title, subtitle, header, 7 rows, the note
    assert len(texts) == 3 + 7 + 1
    assert texts[-1] == (
        f"Only the first 7 of {n_comments:,} comments are listed here; the data files "
        "stages.csv (comment) and actions.csv (notes, lead, target_date) hold every one."
    )
    steps = [v for v in _column_a(wb["Next steps"]) if isinstance(v, str)]
    assert steps[-1] == (
        f"Only the first 7 of {n_steps:,} next steps are listed here; every action not yet "
        "done is in the data file actions.csv (done FALSE)."
    )
    with (tmp_path / "data" / "actions.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    notes = sum(1 for r in rows for k in ("notes", "lead", "target_date") if r[k])
    with (tmp_path / "data" / "stages.csv").open(encoding="utf-8-sig", newline="") as fh:
        evidence = sum(1 for r in csv.DictReader(fh) if r["comment"])
    assert notes + evidence == n_comments  # the CSV files do hold every comment


def test_without_csv_files_a_long_list_is_drawn_whole(
    framework: Framework, inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("xlsxkit.render.xlsx.MAX_LIST_ROWS", 7)
    wb = openpyxl.load_workbook(_import(framework, inbox, tmp_path, with_data=False))
    texts = [v for v in _column_a(wb["Comments"]) if v]
    assert len(texts) > 3 + 7 and not any("are listed here" in str(v) for v in texts)
