"""XlsxWriter, made to fail loudly.

When a value breaks one of Excel's limits, XlsxWriter usually skips the whole call (a
dropdown, a footer, a conditional format) with only a ``UserWarning``, or cuts a string
and returns -2 without any warning, and the workbook is written without that feature. A
workbook that silently lacks its stage dropdowns is worse than no workbook, so here every
such warning and every negative return value is a :class:`WorkbookLimitError`. The
writer fits every text to its limit first (:func:`xlsxkit.workbook.styles.fit`); this is
the net under it.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from xlsxwriter.worksheet import Worksheet

from xlsxkit.errors import XlsxkitError
from xlsxkit.workbook.write.plaintext import PlainTextWorksheet


class WorkbookLimitError(XlsxkitError):
    """XlsxWriter refused part of a workbook (a text beyond one of Excel's limits): the
    workbook is not written rather than written without that part."""


def _checked(name: str) -> Callable[..., Any]:
    method = getattr(Worksheet, name)

    @functools.wraps(method)
    def call(self: Worksheet, *args: Any, **kwargs: Any) -> Any:
        try:
            result = method(self, *args, **kwargs)
        except UserWarning as exc:  # raised by refusing_warnings()
            raise WorkbookLimitError(_where(self, name, args, str(exc))) from None
        if isinstance(result, int) and not isinstance(result, bool) and result < 0:
            why = "a string longer than 32,767 characters" if result == -2 else "refused"
            raise WorkbookLimitError(_where(self, name, args, f"{why} (return {result})"))
        return result

    return call


def _where(ws: Worksheet, name: str, args: tuple[Any, ...], why: str) -> str:
    at = ", ".join(repr(a) for a in args[:2] if isinstance(a, int | str))[:40]
    return f"sheet {ws.name!r}: XlsxWriter refused {name}({at}): {why}"


#: Formulas as XlsxWriter prepares them, by (formula, future functions expanded, the
#: sheet's use_future_functions). Kept for the process: a batch's workbooks repeat theirs.
_PREPARED: dict[tuple[str, bool, bool], str] = {}
_MAX_PREPARED = 16384


class CheckedWorksheet(PlainTextWorksheet):
    """A Worksheet whose writing methods raise instead of silently dropping content."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        # XlsxWriter runs some 30 regular expressions over every formula (about 180 for a
        # validation's or a conditional format's) to expand Excel's newer functions: a
        # quarter of a workbook's writing time. The result depends on the formula and the
        # two flags alone, so each one is prepared once.
        key = (formula, bool(expand_future_functions), bool(self.use_future_functions))
        done = _PREPARED.get(key)
        if done is None:
            if len(_PREPARED) >= _MAX_PREPARED:
                _PREPARED.clear()
            done = _PREPARED[key] = super()._prepare_formula(formula, expand_future_functions)
        return done


for _name in (
    "write_string",
    "write_number",
    "write_blank",
    "write_formula",
    "write_datetime",
    "write_boolean",
    "merge_range",
    "insert_checkbox",
    "data_validation",
    "conditional_format",
    "set_footer",
    "set_header",
    "set_column",
    "set_row",
    "repeat_rows",
    "protect",
):
    setattr(CheckedWorksheet, _name, _checked(_name))


@contextlib.contextmanager
def refusing_warnings() -> Iterator[None]:
    """Turn XlsxWriter's warnings into exceptions for the duration of a write."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        try:
            yield
        except UserWarning as exc:  # a warning outside a checked worksheet method
            raise WorkbookLimitError(f"XlsxWriter refused part of the workbook: {exc}") from None
