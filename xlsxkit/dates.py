"""Dates as a coordinator writes them: 2026-11-20, 20 November 2026, 20/11/2026.

A date is never guessed. Numbers with slashes, dots or hyphens are read day first or month
first only when exactly one of the two readings is a real date (20/11/2026 can only be the
20th of November); when both are, as in 03/04/2027, the date is refused and the message says
how to write it. Month names are English, in full or abbreviated, in any case, and do not
depend on the machine's locale.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

_MONTH_NAMES: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: Lowercase full names and abbreviations (three letters, and "sept") -> month number.
_MONTHS: Final = {
    **{name.lower(): n for n, name in enumerate(_MONTH_NAMES, start=1)},
    **{name[:3].lower(): n for n, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}
_YEAR_FIRST = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})$")
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"([a-z]+)\.?"
_DAY_MONTH_YEAR = re.compile(rf"^{_DAY}\s+{_MONTH},?\s+(\d{{4}})$")
_MONTH_DAY_YEAR = re.compile(rf"^{_MONTH}\s+{_DAY},?\s+(\d{{4}})$")

HOW_TO_WRITE = (
    "write it as YYYY-MM-DD (e.g. 2026-11-20) or with the month in words (20 November 2026)"
)


class DateError(ValueError):
    """TEXT is not a date that can be read without guessing; the message says how to write it."""


def _long(date: dt.date) -> str:
    """20 November 2026, whatever the locale."""
    return f"{date.day} {_MONTH_NAMES[date.month - 1]} {date.year}"


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_written_date(text: str) -> dt.date:
    """The date TEXT names. Raises :class:`DateError` saying why and how to write it."""
    cleaned = " ".join(text.strip().lower().split())
    if not cleaned:
        raise DateError(f"no date given; {HOW_TO_WRITE}")
    if m := _YEAR_FIRST.match(cleaned):
        date = _make(int(m[1]), int(m[2]), int(m[3]))
        if date is None:
            raise DateError(f"{text!r} is not a date (there is no such day); {HOW_TO_WRITE}")
        return date
    if m := _NUMERIC.match(cleaned):
        first, second, year_text = int(m[1]), int(m[3]), m[4]
        if len(year_text) == 2:
            raise DateError(f"{text!r} has a two-digit year; {HOW_TO_WRITE}")
        year = int(year_text)
        day_first = _make(year, second, first)
        month_first = _make(year, first, second)
        if day_first and month_first and day_first != month_first:
            raise DateError(
                f"{text!r} could be {_long(day_first)} or {_long(month_first)}; write it as "
                f"{day_first.isoformat()} or {month_first.isoformat()}, or with the month in "
                f"words ({_long(day_first)})"
            )
        date = day_first or month_first
        if date is None:
            raise DateError(f"{text!r} is not a date (there is no such day); {HOW_TO_WRITE}")
        return date
    for pattern, day_group, month_group in ((_DAY_MONTH_YEAR, 1, 2), (_MONTH_DAY_YEAR, 2, 1)):
        if m := pattern.match(cleaned):
            month = _MONTHS.get(m[month_group])
            if month is None:
                raise DateError(f"{m[month_group]!r} in {text!r} is not a month; {HOW_TO_WRITE}")
            date = _make(int(m[3]), month, int(m[day_group]))
            if date is None:
                raise DateError(f"{text!r} is not a date (there is no such day); {HOW_TO_WRITE}")
            return date
    raise DateError(f"{text!r} is not a date xlsxkit can read; {HOW_TO_WRITE}")
