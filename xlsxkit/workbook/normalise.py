"""Normalise what a partner's app or typing made of a value. Never guess.

Each function returns the clean value, or :data:`UNREADABLE` when the input is not one of
the forms it accepts; the caller then warns with the location and leaves the item
unanswered.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Iterable
from typing import Any, Final

from xlsxkit.dates import MONTH_NAMES, DateForms, read_date
from xlsxkit.framework.model import Stage
from xlsxkit.names import normalise_label


class _Unreadable:
    _instance: _Unreadable | None = None

    def __new__(cls) -> _Unreadable:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNREADABLE"

    def __bool__(self) -> bool:
        return False


UNREADABLE: Final = _Unreadable()

_TRUE_WORDS = {"true", "yes", "y", "x", "1", "✓", "✔"}
_FALSE_WORDS = {"false", "no", "n", "0", ""}


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_done(value: Any) -> bool | _Unreadable:
    """A checkbox cell: booleans; TRUE/FALSE in any case; 1/0; x; ✓ ✔; yes/no; y/n.

    Blank means not done.
    """
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int | float):
        if value == 1:
            return True
        if value == 0:
            return False
        return UNREADABLE
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        # LibreOffice-style formula text, should it ever reach us as text.
        if word in ("=true()", "=true"):
            return True
        if word in ("=false()", "=false"):
            return False
    return UNREADABLE


class StageMatcher:
    """Match a typed stage to a stage id: case-insensitive, ignoring extra spaces and
    hyphen/space differences; a stage id is accepted too. ``aliases`` adds labels a
    workbook carried for stage ids (an older wording of the same stage)."""

    def __init__(self, stages: Iterable[Stage], aliases: Iterable[tuple[str, str]] = ()) -> None:
        self._forms: dict[str, str] = {}
        stage_list = list(stages)
        for stage in stage_list:
            self._forms.setdefault(_label_form(stage.label), stage.id)
            self._forms.setdefault(_label_form(stage.id), stage.id)
        known = {s.id for s in stage_list}
        for label, stage_id in aliases:
            if stage_id in known:
                self._forms.setdefault(_label_form(label), stage_id)

    def match(self, value: Any) -> str | _Unreadable | None:
        """Stage id; None when blank; UNREADABLE otherwise."""
        if is_blank(value):
            return None
        if not isinstance(value, str):
            return UNREADABLE
        return self._forms.get(_label_form(value), UNREADABLE)


@functools.lru_cache(maxsize=1024)
def _short_label_form(text: str) -> str:
    return normalise_label(text)


def _label_form(text: str) -> str:
    """:func:`normalise_label` of TEXT, remembered for short texts: a reader matches the
    same few stage labels in every return."""
    return _short_label_form(text) if len(text) <= 200 else normalise_label(text)


#: What a partner's typed target date may be: ISO with hyphens (a time after it, as some
#: apps add, is ignored), numbers read day or month first only when one reading is a date,
#: and "31 March 2027", "March 31 2027" or "March 31, 2027" with the month in full or in
#: three letters. Narrower than a coordinator's deadline (no ordinals, no "sept", no
#: 2027/03/31) because that is what returns have always accepted.
_DAY = r"(?P<day>3[01]|[12]\d|0[1-9]|[1-9])"
_RETURN_DATES: Final = DateForms(
    year_first=re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+)?$"),
    named=(
        re.compile(rf"^{_DAY} (?P<month>[a-z]+) (?P<year>\d{{4}})$"),
        re.compile(rf"^(?P<month>[a-z]+) {_DAY},? (?P<year>\d{{4}})$"),
    ),
    months={
        word: n
        for n, name in enumerate(MONTH_NAMES, start=1)
        for word in (name.lower(), name[:3].lower())
    },
)


def parse_date(value: Any) -> dt.date | _Unreadable | None:
    """A target date: a real date, or text that is unambiguous (2027-03-31, 31 March 2027).

    A numeric date such as 31/03/2027 is read when only one of its two readings (day
    first, month first) is a date; 03/04/2027 could be 3 April or 4 March and is not
    guessed. Two-digit years are not guessed either. The reading is
    :func:`xlsxkit.dates.read_date`'s, the one a deadline uses, held to the forms above.
    """
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        result = read_date(value, _RETURN_DATES)
        if isinstance(result, dt.date):
            return result
    return UNREADABLE


def free_text(value: Any) -> str:
    """What a partner wrote in a free-text cell, exactly; a cell of only spaces is empty."""
    if isinstance(value, str):
        return value if value.strip() else ""
    return text_value(value)


def text_value(value: Any) -> str:
    """A value as trimmed text: numbers without a spurious '.0', dates as ISO."""
    if type(value) is str:  # the common case first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return (
            value.isoformat(sep=" ", timespec="minutes")
            if value.time()
            else value.date().isoformat()
        )
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).strip()


def describe(value: Any) -> str:
    """VALUE as quoted in a message."""
    if isinstance(value, str):
        short = value if len(value) <= 60 else value[:57] + "..."
        return repr(short)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return f"the number {int(value)}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    return repr(value)
