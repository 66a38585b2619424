"""The layout contract: where everything lives in an assessment workbook.

The writer (:mod:`xlsxkit.workbook.write`) and the reader (:mod:`xlsxkit.workbook.read`)
both use this module and nothing else to agree on sheet names, columns, identity keys and
defined names.

Rows are never found by position. Every input row carries the id of its criterion or
action in the hidden id column, and the reader looks rows up by those ids on whatever
sheet they are, so a renamed or reordered sheet still reads. Columns are fixed per layout
version (sheet protection stops partners inserting columns), and the layout version is
stored in the workbook so that a later xlsxkit can still read an older workbook.
"""

from __future__ import annotations

from typing import Final

from xlsxkit import names
from xlsxkit.framework.model import Framework
from xlsxkit.names import make_sheet_names

LAYOUT_VERSION: Final = "1"

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
HIDDEN_COLS: Final = (COL_ID, COL_KIND, COL_STAGE_INDEX)

KIND_CRITERION: Final = "criterion"
KIND_ACTION: Final = "action"
KIND_ORG_NAME: Final = "org-name"

# Dimension sheets: visible columns ---------------------------------------------------
COL_TEXT: Final = 3  # D: criterion or action text
COL_INPUT: Final = 4  # E: stage dropdown (criterion) or done checkbox (action)
COL_NOTE: Final = 5  # F: evidence/comments (criterion) or notes (action)
COL_LEAD: Final = 6  # G: lead/owner (action)
COL_DATE: Final = 7  # H: target date (action)
COL_INFO: Final = 8  # I: progress indicator (criterion) or cross-reference (action)
LAST_COL: Final = COL_INFO
HEADER_ROWS: Final = 3  # rows 1-3: title, guidance, column headings (frozen, repeated)

# Start sheet -------------------------------------------------------------------------
START_ORG_ROW_ID: Final = "org-name"  # id in column A on the organisation row
START_LABEL_COL: Final = 3  # D
START_VALUE_COL: Final = 4  # E: the organisation's name (typed in a generic workbook)

# The fields of a row, by kind: (field name, column).
CRITERION_FIELDS: Final = (("stage", COL_INPUT), ("comment", COL_NOTE))
ACTION_FIELDS: Final = (
    ("done", COL_INPUT),
    ("notes", COL_NOTE),
    ("lead", COL_LEAD),
    ("target_date", COL_DATE),
)

# Reading bounds: a form never comes near these.
MAX_READ_ROWS: Final = 5000
MAX_READ_COLS: Final = 64


def col_letter(col: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


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
