"""The layout contract: where everything lives in an assessment workbook.

The writer (:mod:`xlsxkit.workbook.write`) and the reader (:mod:`xlsxkit.workbook.read`)
both use this module and :mod:`xlsxkit.workbook.plan` (which row each item is on) and
nothing else to agree on sheet names, columns, the fields of a row, identity keys and
defined names. Both iterate the same :data:`FIELDS` table, so a field added here is written
and read back without a second list to keep in step.

Rows are never found by position. Every input row carries the id of its criterion or
action in the hidden id column, and the reader looks rows up by those ids on whatever
sheet they are, so a renamed or reordered sheet still reads. Columns are fixed per layout
version (sheet protection stops partners inserting columns), and the layout version is
stored in the workbook so that a later xlsxkit can still read an older workbook.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from xlsxkit import names
from xlsxkit.framework.model import Framework
from xlsxkit.names import make_sheet_names

LAYOUT_VERSION: Final = "2"
#: Every layout this reader reads. Layout 2 only adds cells to layout 1 (the target stage,
#: the wording hashes); no layout-1 cell moved, so one reader reads both, and the cells a
#: layout-1 workbook does not have read as blank.
READABLE_LAYOUTS: Final = ("1", "2")

# Sheets ------------------------------------------------------------------------------
START_SHEET: Final = names.START_SHEET
IDENTITY_SHEET: Final = names.IDENTITY_SHEET  # very hidden
RESERVED_SHEET_NAMES: Final = names.RESERVED_SHEET_NAMES

# Identity sheet: a marker in A1, then key/value pairs in columns A/B from row 2 ---------
IDENTITY_MARKER: Final = "xlsxkit-identity"
IDENTITY_KEY_COL: Final = 0
IDENTITY_VALUE_COL: Final = 1
IDENTITY_FIRST_ROW: Final = 1  # 0-based row of the first key

KEY_LAYOUT_VERSION: Final = "layout_version"
KEY_FRAMEWORK_ID: Final = "framework_id"
KEY_FRAMEWORK_VERSION: Final = "framework_version"
KEY_FRAMEWORK_HASH: Final = "framework_hash"
KEY_FRAMEWORK_TITLE: Final = "framework_title"
KEY_ORG_ID: Final = "org_id"
KEY_ORG_NAME: Final = "org_name"
KEY_GENERIC: Final = "generic"  # "true" when the partner types the organisation's name
KEY_ROUND: Final = "round"
KEY_DEADLINE: Final = "deadline"
KEY_RETURN_TO: Final = "return_to"
KEY_GENERATED_AT: Final = "generated_at"
KEY_XLSXKIT_VERSION: Final = "xlsxkit_version"
KEY_TOKEN: Final = "token"
SHEET_KEY_PREFIX: Final = "sheet:"  # "sheet:<dimension id>" -> sheet name as generated
#: The identity keys in the order they are written (then one SHEET_KEY_PREFIX key per
#: dimension). The reader finds keys by name, never by row.
IDENTITY_KEYS: Final = (
    KEY_LAYOUT_VERSION,
    KEY_FRAMEWORK_ID,
    KEY_FRAMEWORK_VERSION,
    KEY_FRAMEWORK_HASH,
    KEY_FRAMEWORK_TITLE,
    KEY_ORG_ID,
    KEY_ORG_NAME,
    KEY_GENERIC,
    KEY_ROUND,
    KEY_DEADLINE,
    KEY_RETURN_TO,
    KEY_GENERATED_AT,
    KEY_XLSXKIT_VERSION,
    KEY_TOKEN,
)

# Lists for validations live on the identity sheet, never inline (Excel drops inline
# lists over 255 characters).
LIST_STAGE_COL: Final = 3  # column D: stage labels, from row 2 (0-based row 1)
LIST_STAGE_ID_COL: Final = 4  # column E: stage ids, same rows
LIST_FIRST_ROW: Final = 1

# Defined names.
NAME_STAGES: Final = "xk_stages"
NAME_ORG_NAME: Final = "xk_org_name"
NAME_FRAMEWORK_HASH: Final = "xk_framework_hash"

# Hidden columns shared by the start sheet and the dimension sheets ----------------------
COL_ID: Final = 0  # A: id of the item on this row
COL_KIND: Final = 1  # B: row kind, one of the KIND_* values
COL_STAGE_INDEX: Final = 2  # C: 1-based stage index of an action (used by formulas)
#: J (layout 2): a short hash of the locked wording the row shows (tamper evidence). It sits
#: after the visible columns so that no layout-1 column moved; hidden, so never printed.
COL_HASH: Final = 9
HIDDEN_COLS: Final = (COL_ID, COL_KIND, COL_STAGE_INDEX, COL_HASH)

KIND_CRITERION: Final = "criterion"
KIND_ACTION: Final = "action"
KIND_ORG_NAME: Final = "org-name"

# Dimension sheets: visible columns ---------------------------------------------------
COL_TEXT: Final = 3  # D: criterion or action text
COL_INPUT: Final = 4  # E: stage dropdown (criterion) or done checkbox (action)
COL_NOTE: Final = 5  # F: evidence/comments (criterion) or notes (action)
COL_LEAD: Final = 6  # G: lead/owner (action) or target stage by next round (criterion)
COL_DATE: Final = 7  # H: target date (action) or the last round's stage (criterion)
COL_LAST_ROUND: Final = COL_DATE  # written only when the workbook has a previous round
COL_INFO: Final = 8  # I: progress indicator (criterion) or cross-reference (action)
LAST_COL: Final = COL_INFO
HEADER_ROWS: Final = 3  # rows 1-3: title, guidance, column headings (frozen, repeated)

# Start sheet -------------------------------------------------------------------------
START_ORG_ROW_ID: Final = "org-name"  # id in column A on the organisation row
START_LABEL_COL: Final = 3  # D
START_VALUE_COL: Final = 4  # E: the organisation's name (typed in a generic workbook)

# The fields of a row ------------------------------------------------------------------


class FieldName(StrEnum):
    """The input fields of the form (the values equal the old string keys)."""

    STAGE = "stage"
    COMMENT = "comment"
    DONE = "done"
    NOTES = "notes"
    LEAD = "lead"
    TARGET_DATE = "target_date"
    TARGET_STAGE = "target_stage"
    ORG_NAME = "org_name"


class FieldType(StrEnum):
    """How a field is typed, which decides how it is written and how it is read back."""

    STAGE = "stage"  # a stage label from the dropdown (or typed over it)
    TEXT = "text"  # free text, kept exactly as typed
    TICK = "tick"  # a native checkbox; TRUE/FALSE in apps without one
    DATE = "date"  # a target date


@dataclass(frozen=True, kw_only=True, slots=True)
class Field:
    """One input cell of a row of KIND: its column, its type, and the attribute of
    :class:`~xlsxkit.framework.model.Answer` it fills (None: not part of an answer)."""

    name: FieldName
    kind: str
    col: int
    type: FieldType
    answer_attr: str | None
    what: str  # what the cell holds, in messages


def _field(
    name: FieldName, kind: str, col: int, type_: FieldType, attr: str | None, what: str
) -> Field:
    return Field(name=name, kind=kind, col=col, type=type_, answer_attr=attr, what=what)


#: Every input field of the form: one row each, read and written from this table alone.
FIELDS: Final = (
    _field(FieldName.STAGE, KIND_CRITERION, COL_INPUT, FieldType.STAGE, "stage_id", "stage"),
    _field(FieldName.COMMENT, KIND_CRITERION, COL_NOTE, FieldType.TEXT, "comment", "evidence"),
    _field(
        FieldName.TARGET_STAGE,
        KIND_CRITERION,
        COL_LEAD,
        FieldType.STAGE,
        "target_stage_id",
        "target stage",
    ),
    _field(FieldName.DONE, KIND_ACTION, COL_INPUT, FieldType.TICK, "done", "tick"),
    _field(FieldName.NOTES, KIND_ACTION, COL_NOTE, FieldType.TEXT, "notes", "notes"),
    _field(FieldName.LEAD, KIND_ACTION, COL_LEAD, FieldType.TEXT, "lead", "lead"),
    _field(
        FieldName.TARGET_DATE, KIND_ACTION, COL_DATE, FieldType.DATE, "target_date", "target date"
    ),
    _field(
        FieldName.ORG_NAME,
        KIND_ORG_NAME,
        START_VALUE_COL,
        FieldType.TEXT,
        None,
        "organisation name",
    ),
)
FIELD: Final = {f.name: f for f in FIELDS}
CRITERION_FIELDS: Final = tuple(f for f in FIELDS if f.kind == KIND_CRITERION)
ACTION_FIELDS: Final = tuple(f for f in FIELDS if f.kind == KIND_ACTION)
FIELDS_BY_KIND: Final = {
    KIND_CRITERION: CRITERION_FIELDS,
    KIND_ACTION: ACTION_FIELDS,
    KIND_ORG_NAME: (FIELD[FieldName.ORG_NAME],),
}

# Reading bounds: a form never comes near these.
MAX_READ_ROWS: Final = 5000
MAX_READ_COLS: Final = 64

# Excel's own limits, counted in UTF-16 code units as Excel counts them.
MAX_CELL_TEXT: Final = 32767
MAX_HEADER_FOOTER: Final = 255
MAX_VALIDATION_TITLE: Final = 32
MAX_VALIDATION_INPUT: Final = 255
MAX_VALIDATION_ERROR: Final = 225  # Excel's UI limit ([MS-XLS] DValStrings); XlsxWriter allows 255


WORDING_HASH_LENGTH: Final = 8


def wording_hash(text: str) -> str:
    """The short hash of a row's locked wording, written in :data:`COL_HASH`.

    Whitespace is collapsed first: apps re-save line breaks differently (CRLF, LF), and a
    re-save is not an edit. Unicode is NFC-normalised for the same reason. Eight hex digits
    of sha256 are plenty to notice an edit; this is evidence, not security (the partner
    holds the file and could recompute it)."""
    canonical = unicodedata.normalize("NFC", " ".join(text.split()))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:WORDING_HASH_LENGTH]


@functools.lru_cache(maxsize=4096)  # a reader asks for the same few columns thousands of times
def col_letter(col: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


@functools.lru_cache(maxsize=16384)
def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) -> "E12"."""
    return f"{col_letter(col)}{row + 1}"


def quote_sheet(name: str) -> str:
    """A sheet name as it must appear in a formula: 'It''s'."""
    return "'" + name.replace("'", "''") + "'"


def sheet_names_for(framework: Framework) -> dict[str, str]:
    """Dimension id -> the name of its sheet: legal in Excel, unique, predictable."""
    names = make_sheet_names([d.name for d in framework.dimensions], reserved=RESERVED_SHEET_NAMES)
    return {d.id: n for d, n in zip(framework.dimensions, names, strict=True)}
