"""`generate --deadline`: dates written as people write them, never guessed, and a warning
for a deadline already past."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from xlsxkit.cli import cli
from xlsxkit.dates import DateError, parse_written_date
from xlsxkit.workbook import layout as L

FUTURE = dt.date.today().year + 2


def generate(tmp_path: Path, deadline: str) -> Result:
    return CliRunner().invoke(
        cli, ["generate", "--org", "Alpha", "--out", str(tmp_path / "out"), "--deadline", deadline]
    )


def deadline_in_workbook(path: Path) -> str:
    wb = CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_name(L.IDENTITY_SHEET).to_python()
    return next(str(r[L.IDENTITY_VALUE_COL]) for r in rows if r[0] == L.KEY_DEADLINE)


@pytest.mark.parametrize(
    "written",
    [
        f"{FUTURE}-11-20",
        f"20 November {FUTURE}",
        f"20 nov {FUTURE}",
        f"November 20, {FUTURE}",
        f"20th Nov. {FUTURE}",
        f"20/11/{FUTURE}",
        f"11/20/{FUTURE}",
        f"20.11.{FUTURE}",
        f"{FUTURE}/11/20",
    ],
)
def test_an_unambiguous_written_deadline_is_accepted(written: str, tmp_path: Path) -> None:
    result = generate(tmp_path, written)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert deadline_in_workbook(tmp_path / "out" / "alpha.xlsx") == f"{FUTURE}-11-20"


def test_a_deadline_with_two_real_readings_is_refused_saying_how_to_write_it(
    tmp_path: Path,
) -> None:
    result = generate(tmp_path, f"03/04/{FUTURE}")
    assert result.exit_code == 2
    assert f"could be 3 April {FUTURE} or 4 March {FUTURE}" in result.output
    assert f"write it as {FUTURE}-04-03 or {FUTURE}-03-04" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("written", ["next friday", "31/02/2027", "20/11/27", "20 Novembre 2027"])
def test_an_unreadable_deadline_says_how_to_write_it_in_words(written: str, tmp_path: Path) -> None:
    result = generate(tmp_path, written)
    assert result.exit_code == 2
    assert "does not match the format" not in result.output
    assert "%Y" not in result.output
    assert "YYYY-MM-DD (e.g. 2026-11-20) or with the month in words" in result.output


def test_a_deadline_already_past_is_warned_about_but_used(tmp_path: Path) -> None:
    past = dt.date.today() - dt.timedelta(days=1)
    result = generate(tmp_path, past.isoformat())
    assert result.exit_code == 0
    assert f"warning: the deadline {past.isoformat()} is already past" in result.output
    assert deadline_in_workbook(tmp_path / "out" / "alpha.xlsx") == past.isoformat()


def test_a_deadline_of_today_is_not_past(tmp_path: Path) -> None:
    result = generate(tmp_path, dt.date.today().isoformat())
    assert result.exit_code == 0
    assert "already past" not in result.output


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_every_date_reads_back_from_iso_and_from_words(date: dt.date) -> None:
    assert parse_written_date(date.isoformat()) == date
    assert parse_written_date(f"{date.day} {date:%B} {date.year}") == date


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_a_numeric_date_is_read_only_when_one_reading_exists(date: dt.date) -> None:
    text = f"{date.day:02d}/{date.month:02d}/{date.year}"
    if date.day <= 12 and date.day != date.month:
        with pytest.raises(DateError, match="could be"):
            parse_written_date(text)
    else:
        assert parse_written_date(text) == date
