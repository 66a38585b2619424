"""Finding the form's rows in a return: every row that carries an id in the hidden id
column, by id, on whatever sheet it is; and what lies outside the form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xlsxkit.codes import Code
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.normalise import is_blank
from xlsxkit.workbook.plan import WorkbookPlan
from xlsxkit.workbook.read.book import Book, Grid
from xlsxkit.workbook.read.state import ReadState

COL_ID, COL_KIND = L.COL_ID, L.COL_KIND
#: The kinds of row the form has (its hidden kind column).
FORM_KINDS = frozenset({L.KIND_CRITERION, L.KIND_ACTION, L.KIND_ORG_NAME})


@dataclass(kw_only=True, slots=True)
class Found:
    """Where an item was found: sheet, 0-based row, the row's kind and its cells."""

    sheet: str
    row: int
    kind: str  # the kind the plan gives the id (layout.KIND_*)
    cells: list[Any]

    def at(self, col: int) -> Any:
        return self.cells[col] if len(self.cells) > col else None

    def ref(self, col: int) -> str:
        return L.cell_ref(self.row, col)


@dataclass(kw_only=True)
class Rows:
    found: dict[str, Found]  # item id -> its row (criteria and actions of this framework)
    org_typed: Found | None  # the organisation row of the Start sheet, if any
    seen: set[str]  # every item id seen, also of other versions of the framework


def find_rows(
    book: Book,
    names: Sequence[str],
    identity_sheet: str,
    identity: dict[str, str],
    plan: WorkbookPlan,
    state: ReadState,
) -> Rows:
    """Every row that carries an id, by id, from whichever sheet it is on.

    Sheets named as generated are read first, so when a partner copied a sheet, the
    original's answers win. Also finds the typed organisation name (generic workbooks)
    and every id seen.
    """
    generated = {v for k, v in identity.items() if k.startswith(L.SHEET_KEY_PREFIX)}
    generated.add(L.START_SHEET)
    order = [n for n in names if n in generated] + [n for n in names if n not in generated]
    found: dict[str, Found] = {}
    seen: set[str] = set()
    org_typed: Found | None = None
    generic = identity.get(L.KEY_GENERIC, "").lower() == "true"
    for name in order:
        if name == identity_sheet or (name == L.START_SHEET and not generic):
            continue  # a personalised workbook's Start sheet holds no answers
        grid = book.grid(name)
        ids_here = 0
        last_item_row = -1
        for r, row in enumerate(grid):
            raw_id = row[COL_ID] if row else None
            if not raw_id or not isinstance(raw_id, str):
                continue
            item_id = raw_id.strip()
            if not item_id:
                continue
            kind = row[COL_KIND] if len(row) > COL_KIND else None
            if kind not in FORM_KINDS:
                continue  # not a row of the form (e.g. text on a sheet the partner added)
            if kind == L.KIND_ORG_NAME and item_id == L.START_ORG_ROW_ID:
                ids_here += 1
                if org_typed is None:
                    org_typed = Found(sheet=name, row=r, kind=kind, cells=row)
                continue
            if kind == L.KIND_ORG_NAME:
                continue  # an organisation row without its id
            planned = plan.items.get(item_id)
            if planned is None or planned.kind == L.KIND_ORG_NAME:
                seen.add(item_id)  # an item of another version of the framework
                ids_here += 1
                continue
            seen.add(item_id)
            ids_here += 1
            last_item_row = r
            if item_id in found:
                first = found[item_id]
                state.warn(
                    Code.DUPLICATE_ITEM,
                    f"item {item_id} appears again here (a copied sheet?); the answer on "
                    f"sheet {first.sheet!r} row {first.row + 1} was used",
                    sheet=name,
                    cell=L.cell_ref(r, L.COL_ID),
                )
                continue
            found[item_id] = Found(sheet=name, row=r, kind=planned.kind, cells=row)
        far = state.trimmed.pop(name, 0)
        if last_item_row >= 0:
            _outside_form(grid, name, last_item_row, far, state)
        elif ids_here == 0 and (_non_empty(grid) or far):
            state.warn(
                Code.EXTRA_SHEET,
                f"sheet {name!r} is not part of the form; its content "
                f"({_non_empty(grid) + far:,} cells) was not imported",
                sheet=name,
            )
    for name, far in state.trimmed.items():
        state.warn(
            Code.CONTENT_OUTSIDE_FORM,
            f"{far:,} cells far outside the form (beyond row {L.MAX_READ_ROWS:,} or column "
            f"{L.col_letter(L.MAX_READ_COLS - 1)}) were ignored",
            sheet=name,
        )
    return Rows(found=found, org_typed=org_typed, seen=seen)


def _outside_form(grid: Grid, sheet: str, last_item_row: int, far: int, state: ReadState) -> None:
    """Warn about content below or to the right of a dimension sheet's form; FAR cells were
    already cut off beyond the reading bounds."""
    first: str | None = None
    count = far
    for r, row in enumerate(grid):
        start = 0 if r > last_item_row + 1 else L.LAST_COL + 1
        for c in range(start, len(row)):
            if c == L.COL_HASH and r <= last_item_row:
                continue  # the hidden wording hash of a form row
            if not is_blank(row[c]):
                count += 1
                first = first or L.cell_ref(r, c)
    if count:
        where = f" (first at {first})" if first else ""
        state.warn(
            Code.CONTENT_OUTSIDE_FORM,
            f"{count:,} cell(s) outside the form{where} were ignored; answers are read only "
            "from the form's own rows",
            sheet=sheet,
            cell=first,
        )


def _non_empty(grid: Grid) -> int:
    return sum(1 for row in grid for v in row if not is_blank(v))


def version_warning(version: str, content_hash: str, seen: set[str], state: ReadState) -> None:
    fw = state.framework
    ours = {c.id for c in fw.criteria} | {a.id for a in fw.actions}
    only_workbook = sorted(seen - ours)
    only_framework = sorted(ours - seen)
    detail = []
    if only_workbook:
        detail.append(
            f"{len(only_workbook)} item(s) in the workbook are not in this framework and were "
            f"ignored: {_some(only_workbook)}"
        )
    if only_framework:
        detail.append(
            f"{len(only_framework)} item(s) of this framework are not in the workbook and stay "
            f"unanswered: {_some(only_framework)}"
        )
    if not detail:
        detail.append("every item id matches; only the wording differs")
    state.warn(
        Code.FRAMEWORK_VERSION,
        f"the workbook was made from {fw.id} version {version or '?'} "
        f"(content {content_hash[:19] or '?'}), not version {fw.version} "
        f"({fw.content_hash[:19]}); answers were taken for every item in both. "
        + "; ".join(detail),
    )


def _some(ids: list[str], limit: int = 10) -> str:
    return ", ".join(ids[:limit]) + ("..." if len(ids) > limit else "")
