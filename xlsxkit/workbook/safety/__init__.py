"""Look at a returned file before any parser does: what is it, and is it safe to parse?

Returned files come from outside. Everything here works on bytes already read (bounded by
:data:`MAX_FILE_BYTES`), bounds what it decompresses, refuses XML with a DOCTYPE (entity
expansion, external entities) and measures each sheet's extent so that no reader is asked
to allocate a sheet of a billion cells.

Split by concern: :mod:`.sniff` says what a file is by its content; :mod:`.zipcheck` unpacks
a zip container within bounds (entries, sizes, CRC, part names, entity refusal);
:mod:`.trim` measures each sheet's extent and cuts it to the reading bounds;
:mod:`.rejection` holds the verdict they raise. Import from this package: the names below
are what the reader and the partner list use.
"""

from __future__ import annotations

from xlsxkit.workbook.safety.rejection import (
    MAX_FILE_BYTES,
    SEND_WORKBOOK,
    NotAReturn,
    Rejection,
)
from xlsxkit.workbook.safety.sniff import (
    OLE_MAGIC,
    SPREADSHEET_SUFFIXES,
    XLSXKIT_CSV_HEADERS,
    ZIP_MAGIC,
    Sniffed,
    sniff,
)
from xlsxkit.workbook.safety.trim import SheetScan
from xlsxkit.workbook.safety.zipcheck import (
    MAX_ENTRY_BYTES,
    MAX_TOTAL_BYTES,
    MAX_ZIP_ENTRIES,
    ZipInfo,
    inspect_zip,
    part_key,
)

__all__ = [
    "MAX_ENTRY_BYTES",
    "MAX_FILE_BYTES",
    "MAX_TOTAL_BYTES",
    "MAX_ZIP_ENTRIES",
    "OLE_MAGIC",
    "SEND_WORKBOOK",
    "SPREADSHEET_SUFFIXES",
    "XLSXKIT_CSV_HEADERS",
    "ZIP_MAGIC",
    "NotAReturn",
    "Rejection",
    "SheetScan",
    "Sniffed",
    "ZipInfo",
    "inspect_zip",
    "part_key",
    "sniff",
]
