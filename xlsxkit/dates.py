"""Dates as a coordinator writes them: 2026-11-20, 20 November 2026, 20/11/2026.

A date is never guessed. Numbers with slashes, dots or hyphens are read day first or month
first only when exactly one of the two readings is a real date (20/11/2026 can only be the
20th of November); when both are, as in 03/04/2027, the date is refused and the message says
how to write it. Month names are English, in full or abbreviated, in any case, and do not
depend on the machine's locale.

Two callers read written dates: a deadline the coordinator gives on the command line
(:func:`parse_written_date`, which says why it refused) and a target date a partner typed in
a return (``workbook.normalise.parse_date``, which only marks it unreadable). They share
:func:`read_date`, one reader that never guesses; each passes the :class:`DateForms` it
accepts, because a partner's cell is held to the narrower set it always was (ISO with
hyphens, possibly with a time; month names in full or in three letters, no ordinals).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

MONTH_NAMES: Final = (
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
    **{name.lower(): n for n, name in enumerate(MONTH_NAMES, start=1)},
    **{name[:3].lower(): n for n, name in enumerate(MONTH_NAMES, start=1)},
    "sept": 9,
}
_YEAR_FIRST = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})$")
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"(?P<month>[a-z]+)\.?"
_DAY_MONTH_YEAR = re.compile(rf"^{_DAY}\s+{_MONTH},?\s+(?P<year>\d{{4}})$")
_MONTH_DAY_YEAR = re.compile(rf"^{_MONTH}\s+{_DAY},?\s+(?P<year>\d{{4}})$")

HOW_TO_WRITE = (
    "write it as YYYY-MM-DD (e.g. 2026-11-20) or with the month in words (20 November 2026)"
)


class DateError(ValueError):
    """TEXT is not a date that can be read without guessing; the message says how to write it."""


class Why(StrEnum):
    """Why a text was not read as a date."""

    EMPTY = "empty"
    NO_SUCH_DAY = "no such day"
    TWO_DIGIT_YEAR = "two-digit year"
    AMBIGUOUS = "ambiguous"  # both day-first and month-first are real, different dates
    NOT_A_MONTH = "not a month"
    UNKNOWN = "unknown"  # no accepted form


@dataclass(frozen=True, kw_only=True, slots=True)
class Refusal:
    why: Why
    #: For AMBIGUOUS: the day-first and the month-first reading.
    readings: tuple[dt.date, ...] = ()
    #: For NOT_A_MONTH: the word where the month should be.
    word: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class DateForms:
    """The written forms a caller accepts besides day/month/year in numbers.

    ``year_first`` matches the whitespace-collapsed text with groups year, month, day;
    each of ``named`` matches it lowercased, with groups ``day``, ``month`` (a word looked
    up in ``months``) and ``year``.
    """

    year_first: re.Pattern[str]
    named: tuple[re.Pattern[str], ...]
    months: Mapping[str, int]


#: What a coordinator may write: year first with any of - / . as separator, ordinals
#: (1st), a dot after an abbreviated month, "sept", a comma before the year.
WRITTEN: Final = DateForms(
    year_first=_YEAR_FIRST, named=(_DAY_MONTH_YEAR, _MONTH_DAY_YEAR), months=_MONTHS
)


def _long(date: dt.date) -> str:
    """20 November 2026, whatever the locale."""
    return f"{date.day} {MONTH_NAMES[date.month - 1]} {date.year}"


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def read_date(text: str, forms: DateForms) -> dt.date | Refusal:
    """The date TEXT names in one of FORMS, or why it is not read. Never guesses."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return Refusal(why=Why.EMPTY)
    if m := forms.year_first.match(cleaned):
        date = _make(int(m[1]), int(m[2]), int(m[3]))
        return date if date is not None else Refusal(why=Why.NO_SUCH_DAY)
    if m := _NUMERIC.match(cleaned):
        first, second, year_text = int(m[1]), int(m[3]), m[4]
        if len(year_text) == 2:
            return Refusal(why=Why.TWO_DIGIT_YEAR)
        year = int(year_text)
        day_first = _make(year, second, first)
        month_first = _make(year, first, second)
        if day_first and month_first and day_first != month_first:
            return Refusal(why=Why.AMBIGUOUS, readings=(day_first, month_first))
        date = day_first or month_first
        return date if date is not None else Refusal(why=Why.NO_SUCH_DAY)
    lowered = cleaned.lower()
    for pattern in forms.named:
        if m := pattern.match(lowered):
            month = forms.months.get(m["month"])
            if month is None:
                return Refusal(why=Why.NOT_A_MONTH, word=m["month"])
            date = _make(int(m["year"]), month, int(m["day"]))
            return date if date is not None else Refusal(why=Why.NO_SUCH_DAY)
    return Refusal(why=Why.UNKNOWN)


def parse_written_date(text: str) -> dt.date:
    """The date TEXT names. Raises :class:`DateError` saying why and how to write it."""
    result = read_date(text, WRITTEN)
    if isinstance(result, dt.date):
        return result
    match result.why:
        case Why.EMPTY:
            message = f"no date given; {HOW_TO_WRITE}"
        case Why.NO_SUCH_DAY:
            message = f"{text!r} is not a date (there is no such day); {HOW_TO_WRITE}"
        case Why.TWO_DIGIT_YEAR:
            message = f"{text!r} has a two-digit year; {HOW_TO_WRITE}"
        case Why.AMBIGUOUS:
            day_first, month_first = result.readings
            message = (
                f"{text!r} could be {_long(day_first)} or {_long(month_first)}; write it as "
                f"{day_first.isoformat()} or {month_first.isoformat()}, or with the month in "
                f"words ({_long(day_first)})"
            )
        case Why.NOT_A_MONTH:
            message = f"{result.word!r} in {text!r} is not a month; {HOW_TO_WRITE}"
        case Why.UNKNOWN:
            message = f"{text!r} is not a date xlsxkit can read; {HOW_TO_WRITE}"
    raise DateError(message)
