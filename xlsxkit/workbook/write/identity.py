"""The very hidden identity sheet: what ties a returned file to its framework, organisation
and round (key/value pairs, rows from the plan), and the stage lists the dropdowns use."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from xlsxkit import __version__
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.write.book import Book, WorkbookSpec


def identity_values(spec: WorkbookSpec, sheet_names: dict[str, str]) -> dict[str, str]:
    """Every identity key of SPEC's workbook with its value."""
    fw = spec.framework
    org = spec.organisation
    values = {
        L.KEY_LAYOUT_VERSION: L.LAYOUT_VERSION,
        L.KEY_FRAMEWORK_ID: fw.id,
        L.KEY_FRAMEWORK_VERSION: fw.version,
        L.KEY_FRAMEWORK_HASH: fw.content_hash,
        L.KEY_FRAMEWORK_TITLE: fw.title,
        L.KEY_ORG_ID: org.id if org else "",
        L.KEY_ORG_NAME: org.name if org else "",
        L.KEY_GENERIC: "true" if spec.generic else "false",
        L.KEY_ROUND: spec.round,
        L.KEY_DEADLINE: spec.deadline.isoformat() if spec.deadline else "",
        L.KEY_RETURN_TO: spec.return_to,
        L.KEY_GENERATED_AT: spec.generated_at.isoformat(timespec="seconds"),
        L.KEY_XLSXKIT_VERSION: __version__,
        L.KEY_TOKEN: spec.token,
    }
    values.update({f"{L.SHEET_KEY_PREFIX}{d.id}": sheet_names[d.id] for d in fw.dimensions})
    return values


def write_identity(book: Book, ws: Worksheet) -> None:
    plan = book.plan.identity
    values = identity_values(book.spec, dict(book.plan.sheet_names))
    ws.write_string(plan.marker_row, L.IDENTITY_KEY_COL, L.IDENTITY_MARKER)
    ws.write_string(
        plan.marker_row,
        L.IDENTITY_VALUE_COL,
        "Do not edit this sheet: xlsxkit reads your answers back with it.",
    )
    for key, row in plan.key_rows.items():
        ws.write_string(row, L.IDENTITY_KEY_COL, key)
        ws.write_string(row, L.IDENTITY_VALUE_COL, values[key])
    ws.write_string(plan.marker_row, L.LIST_STAGE_COL, "stage_label")
    ws.write_string(plan.marker_row, L.LIST_STAGE_ID_COL, "stage_id")
    for stage in book.fw.stages:
        row = plan.stage_rows[stage.id]
        ws.write_string(row, L.LIST_STAGE_COL, stage.label)
        ws.write_string(row, L.LIST_STAGE_ID_COL, stage.id)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 70, book.formats["value"])
    ws.set_column(L.LIST_STAGE_COL, L.LIST_STAGE_ID_COL, 24)
    ws.very_hidden()
    book.protect(ws)
