"""The one place that depends on XlsxWriter's private attributes: an Excel table in a
constant-memory worksheet.

XlsxWriter refuses ``add_table`` in constant-memory mode only because the call may write the
table's cells itself. Here the caller registers the table before writing its header row and
then writes every cell (header included) in row order; so the table is registered with
constant-memory mode briefly off, and the header cells the call would store are not stored
at all (kept, they would only leave their texts in the shared-string table, used by no cell:
every cell of a constant-memory sheet holds its text inline).

This relies on private attributes of ``xlsxwriter.worksheet.Worksheet``: ``constant_memory``
(the mode flag ``add_table`` checks), ``table_cells`` (the index of table cells it fills)
and ``_write_string`` (the method it writes the header cells with).
:data:`PRIVATE_ATTRIBUTES` names them, and ``tests/test_views.py`` checks them against the
installed XlsxWriter, so an upgrade that changes them fails loudly in the tests instead of
quietly writing a broken summary. ``pyproject.toml`` pins XlsxWriter
below its next major version for the same reason; ``benchmarks/bench_import.py`` measures
the memory this saves.
"""

from __future__ import annotations

from typing import Any, Final

from xlsxkit.workbook.write.plaintext import PlainTextWorksheet

#: The private attributes of ``Worksheet`` this module sets.
PRIVATE_ATTRIBUTES: Final = ("constant_memory", "table_cells", "_write_string")


class _NoIndex(dict[Any, Any]):
    """A dict that keeps nothing (see :class:`StreamingWorksheet`)."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


def _not_stored(*args: Any, **kwargs: Any) -> int:
    return 0


class StreamingWorksheet(PlainTextWorksheet):
    """A constant-memory worksheet that can still hold an Excel table. The caller writes the
    table's header cells itself, after ``add_table`` and in row order."""

    def add_table(self, *args: Any, **kwargs: Any) -> Any:
        # XlsxWriter indexes every cell of a table so as to refuse overlapping merges and
        # tables added later: about 100 MB per million cells. A data sheet holds one table
        # and nothing else, so the index is not kept.
        self.table_cells = _NoIndex()
        self.constant_memory = False
        self._write_string = _not_stored  # type: ignore[method-assign]  # the caller writes them
        try:
            return super().add_table(*args, **kwargs)
        finally:
            del self._write_string
            self.constant_memory = True
