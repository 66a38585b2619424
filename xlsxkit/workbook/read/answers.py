"""Decoding a found row into an :class:`~xlsxkit.framework.model.Answer`: one decoder per
:class:`~xlsxkit.workbook.layout.FieldType`, over the same :data:`layout.FIELDS` table the
writer fills the cells from. Never guesses: a value that is not one of the accepted forms
is a warning with its cell, and the field stays unanswered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xlsxkit.codes import Code
from xlsxkit.framework.model import Answer
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.normalise import (
    UNREADABLE,
    StageMatcher,
    describe,
    free_text,
    parse_date,
    parse_done,
)
from xlsxkit.workbook.read.rows import Found
from xlsxkit.workbook.read.state import ReadState, cap_text


@dataclass(frozen=True, kw_only=True)
class Context:
    matcher: StageMatcher
    formulas: dict[str, set[str]]  # sheet -> cells holding a formula saved without value
    state: ReadState


def _raw(found: Found, field: L.Field) -> Any:
    """The cell's value; a text longer than any cell can hold is cut first, so a giant
    string costs no more to check than a normal one (it is unreadable either way)."""
    value = found.at(field.col)
    return cap_text(value) if isinstance(value, str) else value


def _warn(found: Found, field: L.Field, ctx: Context, code: Code, message: str) -> None:
    ctx.state.warn(code, message, sheet=found.sheet, cell=found.ref(field.col))


def _formula_without_value(found: Found, field: L.Field, ctx: Context) -> bool:
    formulas = ctx.formulas.get(found.sheet)
    if not formulas:  # the common case: the app saved every formula with its value
        return False
    if found.ref(field.col) in formulas:
        _warn(
            found,
            field,
            ctx,
            Code.MISSING_CACHED_VALUE,
            f"the {field.what} is a formula saved without its value (the app that saved the "
            "file did not calculate it); left unanswered. Open and save the file in Excel or "
            "LibreOffice, then import it again",
        )
        return True
    return False


#: What stays unanswered when a stage cell cannot be read.
_LEFT_BLANK = {
    L.FieldName.STAGE: "criterion was left unanswered",
    L.FieldName.TARGET_STAGE: "target stage was left blank",
}


def _stage(found: Found, field: L.Field, ctx: Context) -> str | None:
    if _formula_without_value(found, field, ctx):
        return None
    raw = _raw(found, field)
    matched = ctx.matcher.match(raw)
    if matched is UNREADABLE:
        labels = ", ".join(s.label for s in ctx.state.framework.stages)
        _warn(
            found,
            field,
            ctx,
            Code.UNREADABLE_STAGE,
            f"{describe(raw)} is not a stage of this framework ({labels}); the "
            f"{_LEFT_BLANK[field.name]}. Ask the partner which stage they meant",
        )
        return None
    return matched if isinstance(matched, str) else None


def _tick(found: Found, field: L.Field, ctx: Context) -> bool | None:
    if _formula_without_value(found, field, ctx):
        return None
    raw = _raw(found, field)
    parsed = parse_done(raw)
    if parsed is UNREADABLE:
        _warn(
            found,
            field,
            ctx,
            Code.UNREADABLE_TICK,
            f"{describe(raw)} is not a tick: use TRUE/FALSE, yes/no, x or ✓; "
            "the action was left unanswered",
        )
        return None
    return parsed if isinstance(parsed, bool) else None


def _date(found: Found, field: L.Field, ctx: Context) -> str:
    raw = _raw(found, field)
    parsed = parse_date(raw)
    if parsed is UNREADABLE:
        _warn(
            found,
            field,
            ctx,
            Code.UNREADABLE_DATE,
            f"{describe(raw)} is not a date xlsxkit can read without guessing; the target "
            "date was left blank. Write dates as 2027-03-31",
        )
        return ""
    return parsed.isoformat() if isinstance(parsed, dt.date) else ""


def read_text(found: Found, field: L.Field, state: ReadState) -> str:
    """A free-text field exactly as typed, cut to a cell's limit with a warning."""
    text = free_text(found.at(field.col))
    return state.keep(text, what=field.what, sheet=found.sheet, cell=found.ref(field.col))


def _text(found: Found, field: L.Field, ctx: Context) -> str:
    return read_text(found, field, ctx.state)


DECODERS: dict[L.FieldType, Callable[[Found, L.Field, Context], Any]] = {
    L.FieldType.STAGE: _stage,
    L.FieldType.TICK: _tick,
    L.FieldType.DATE: _date,
    L.FieldType.TEXT: _text,
}


#: Wording hashes of texts already seen by this process: a worker reads the same
#: framework's wordings in every return. Bounded: only short texts, so many of them.
_HASHES: dict[str, str] = {}
_HASHES_MAX = 4096
_HASHED_TEXT_MAX = 1000


def _wording_hash(text: str) -> str:
    known = _HASHES.get(text)
    if known is None:
        known = L.wording_hash(text)
        if len(text) <= _HASHED_TEXT_MAX and len(_HASHES) < _HASHES_MAX:
            _HASHES[text] = known
    return known


def check_wording(found: Found, state: ReadState) -> None:
    """Warn when the row's locked wording no longer matches the hash written beside it.

    The answer is still taken (rows are matched by id, never by wording); the warning lets
    the coordinator check that it answers the framework's wording. A row with no hash (a
    layout-1 workbook) is not checked."""
    recorded = found.at(L.COL_HASH)
    if not isinstance(recorded, str) or not recorded.strip():
        return
    shown = found.at(L.COL_TEXT)
    text = cap_text(shown) if isinstance(shown, str) else "" if shown is None else str(shown)
    if _wording_hash(text) == recorded.strip().lower():
        return
    what = "criterion" if found.kind == L.KIND_CRITERION else "action"
    state.warn(
        Code.WORDING_EDITED,
        f"the wording of this {what} was edited in the workbook (it now reads "
        f"{describe(text)}); its answer was still "
        "taken, by the row's id. Check with the partner that the answer is meant for the "
        "wording in the framework",
        sheet=found.sheet,
        cell=found.ref(L.COL_TEXT),
    )


#: What each type of field reads as when its cell is empty (what its decoder returns for
#: an empty cell; tests/test_reader_fast_path.py holds the two to each other).
BLANK: dict[L.FieldType, Any] = {
    L.FieldType.STAGE: None,
    L.FieldType.TICK: False,
    L.FieldType.DATE: "",
    L.FieldType.TEXT: "",
}


def read_answer(item_id: str, found: Found, ctx: Context) -> Answer:
    """The answer in FOUND's row: every field of its kind, decoded by its type."""
    check_wording(found, ctx.state)
    values: dict[str, Any] = {}
    cells = found.cells
    n = len(cells)
    # Most of a return's cells are empty (calamine reads them as ""): an empty cell is its
    # type's blank answer, with no decoding, unless the sheet has formulas saved without
    # their value (which read empty too).
    plain = not ctx.formulas.get(found.sheet)
    for field in L.FIELDS_BY_KIND[found.kind]:
        assert field.answer_attr is not None
        if plain and (field.col >= n or cells[field.col] is None or cells[field.col] == ""):
            values[field.answer_attr] = BLANK[field.type]
        else:
            values[field.answer_attr] = DECODERS[field.type](found, field, ctx)
    ctx.state.charge(len(found.sheet))
    return Answer(item_id=item_id, sheet=found.sheet, row=found.row + 1, **values)
