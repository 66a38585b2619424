"""The open workbook: parsed by python-calamine, each sheet read once within the reading
bounds."""

from __future__ import annotations

import io
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from xlsxkit.codes import Code
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.safety import SEND_WORKBOOK, Rejection, ZipInfo

Grid = list[list[Any]]


def short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def open_workbook(data: bytes, zip_info: ZipInfo | None) -> CalamineWorkbook:
    payload = zip_info.trimmed if zip_info and zip_info.trimmed else data
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(payload))
    except PasswordError:
        raise Rejection(
            Code.PASSWORD_PROTECTED,
            "the workbook is protected with a password to open: ask the partner to remove it "
            "or send it unprotected (sheet protection is fine)",
        ) from None
    except (CalamineError, ValueError, OSError) as exc:
        raise Rejection(
            Code.CORRUPT,
            f"the workbook is damaged and cannot be read ({short(exc)}); {SEND_WORKBOOK}, "
            "saved again",
        ) from None


class Book:
    """An open workbook whose sheets are each read once, within the reading bounds."""

    def __init__(self, wb: CalamineWorkbook) -> None:
        self.wb = wb
        self._grids: dict[str, Grid] = {}

    def grid(self, name: str) -> Grid:
        if name not in self._grids:
            try:
                sheet = self.wb.get_sheet_by_name(name)
                rows: Grid = sheet.to_python(skip_empty_area=False, nrows=L.MAX_READ_ROWS)
            except (CalamineError, ValueError) as exc:
                raise Rejection(
                    Code.CORRUPT,
                    f"sheet {name!r} is damaged and cannot be read ({short(exc)}); {SEND_WORKBOOK}",
                ) from None
            cols = L.MAX_READ_COLS
            self._grids[name] = [r if len(r) <= cols else r[:cols] for r in rows]
        return self._grids[name]


def cell(grid: Grid, row: int, col: int) -> Any:
    if row < len(grid) and col < len(grid[row]):
        return grid[row][col]
    return None
