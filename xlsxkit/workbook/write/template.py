"""The workbooks of a batch, written from one template instead of one XlsxWriter run each.

Why: XlsxWriter spends about 45 ms on one workbook (its formula parser runs some 60
regular expressions per formula, and every cell, validation and conditional format is
turned into XML), while the workbooks of one batch differ only in a few strings and the
sizes derived from them. So the batch's workbook is written once by XlsxWriter, for a
placeholder organisation, and each organisation's workbook is that package with the
parts that differ spliced in.

How the parts that differ are found: the sheet writers run again for the organisation,
against a recorder instead of a worksheet (cheap: no XlsxWriter), for every sheet part
that may depend on the organisation: the Start and identity sheets whole, and the head
and tail of each dimension sheet (:func:`~.dimension.write_dimension_head`, the body
depends on the framework, the plan and the input values alone, and a workbook with input
values is never written from the template). Their calls are compared with the template's
one by one. Only three kinds of difference are spliced: another text in a cell, another
row height, another footer. Each differing call is made on a real
:class:`~.checked.CheckedWorksheet` (so Excel's limits are checked exactly as in a direct
write) and the XML of that row, footer or shared string is taken from XlsxWriter's own
serialiser, so escaping (``&``, ``<``, control characters as ``_xHHHH_``, leading
spaces) is XlsxWriter's. The shared strings keep their indices: the organisation's
strings are laid out in the order they are written, and when that gives any other index
than the template's (an organisation named like a heading) the template is not used.

Anything else that differs (another number of paragraphs, another page plan, prefill,
a generic workbook, other batch settings) makes :meth:`BatchTemplate.render` return None,
and the caller writes that workbook directly. Before a template is used it renders a
probe organisation and compares the result with a direct write of it, byte for byte
(:meth:`BatchTemplate.build`): should an XlsxWriter version lay anything out another way,
the batch is written directly.
"""

from __future__ import annotations

import io
import operator
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import compress

from xlsxwriter.core import Core
from xlsxwriter.sharedstrings import SharedStrings, SharedStringTable
from xlsxwriter.worksheet import Worksheet

from xlsxkit.framework.model import Organisation
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.write import build_workbook, workbook_properties
from xlsxkit.workbook.write.book import Book, WorkbookSpec
from xlsxkit.workbook.write.checked import CheckedWorksheet, WorkbookLimitError, refusing_warnings
from xlsxkit.workbook.write.dimension import write_dimension_head, write_dimension_tail
from xlsxkit.workbook.write.identity import write_identity
from xlsxkit.workbook.write.plaintext import looks_rich
from xlsxkit.workbook.write.start import instructions, write_start
from xlsxkit.workbook.write.zipparts import (
    Part,
    chunk,
    deflate,
    joined,
    read_parts,
    unpacked,
    write_zip,
)

#: The organisations the template is written for, and checked with. Names of a usual
#: length, so that most organisations' Start sheets print on the same pages.
PLACEHOLDER = Organisation(id="xlsxkit-template", name="Template organisation name")
PROBE = Organisation(id="xlsxkit-probe", name="Probe & <checked> organisation")

#: A recorded call: method name, positional and keyword arguments.
Call = tuple[str, tuple[object, ...], dict[str, object]]
#: Characters START:END of a part's XML to replace with TEXT.
_Splice = tuple[int, int, str]

_ROW = re.compile(r'<row r="(\d+)"(?: spans="([^"]*)")?[^>]*?(/?)>')
_FOOTER = re.compile(r"<headerFooter\b.*?(?:</headerFooter>|/>)", re.S)
_SI = re.compile(r"<si>.*?</si>", re.S)


class _Kind(StrEnum):
    START = "start"
    DIMENSION = "dimension"
    IDENTITY = "identity"


class _Recorder:
    """Stands for a worksheet: records each call, and makes it on TARGET if there is one.
    A text a call writes into a cell is also appended to STRINGS (in the order of the
    whole workbook: that order gives the shared strings their indices)."""

    def __init__(self, target: Worksheet | None = None, strings: list[str] | None = None):
        self.calls: list[Call] = []
        self.string_calls: list[int] = []
        self._target = target
        self._strings = strings

    def __getattr__(self, name: str) -> object:
        # Made once per method and recorder (then found as an attribute).
        def record(*args: object, **kwargs: object) -> object:
            if name == "write_string" and self._strings is not None:
                self.string_calls.append(len(self.calls))
                self._strings.append(str(args[2]))
            elif self._strings is not None and (
                name not in _NO_STRING or (name == "merge_range" and args[4] != "")
            ):
                raise _Unknown(f"{name}{args[:2]}: not known to the batch template")
            self.calls.append((name, args, kwargs))
            return getattr(self._target, name)(*args, **kwargs) if self._target else 0

        setattr(self, name, record)
        return record

    def start(self) -> list[Call]:
        """A new list of calls (the recorder is reused from one sheet to the next)."""
        self.calls = []
        return self.calls


#: Methods the sheet writers call that write no shared string (merge_range writes the
#: empty string, which XlsxWriter writes as a blank cell).
_NO_STRING = frozenset(
    (
        *("write_number", "write_blank", "write_formula", "write_datetime", "write_boolean"),
        *("merge_range", "insert_checkbox", "data_validation", "conditional_format"),
        *("set_footer", "set_header", "set_column", "set_row", "repeat_rows", "protect"),
        *("hide_gridlines", "set_tab_color", "freeze_panes", "set_landscape", "set_paper"),
        *("fit_to_pages", "set_margins", "set_h_pagebreaks", "very_hidden", "activate"),
    )
)


class _Unknown(Exception):
    """A sheet writer called a method the template does not know to write no shared
    string: the batch is written directly (tests/test_generate_template.py fails)."""


class _KeepOpen(io.StringIO):
    """XlsxWriter closes the file it writes a part to; this one keeps what was written."""

    def close(self) -> None:
        pass


@dataclass(frozen=True, kw_only=True)
class _Sheet:
    name: str
    kind: _Kind
    part: str
    xml: str
    #: The template's calls; for a dimension sheet only its head's and tail's.
    calls: list[Call]
    #: Index in CALLS of each call that wrote a shared string -> its position in the
    #: workbook's order of strings.
    string_at: dict[int, int]
    rows: dict[int, tuple[int, int, str | None, bool]]  # 0-based row -> start, end, spans, empty
    footer: tuple[int, int] | None  # the <headerFooter> element, if any
    dimension: int = -1  # index in the plan's dimensions


@dataclass(frozen=True, kw_only=True)
class BatchTemplate:
    base: WorkbookSpec
    book: Book
    paragraphs: int
    sheets: tuple[_Sheet, ...]
    strings: tuple[str, ...]  # every string written, in order
    indices: tuple[int, ...]  # the shared-string index of each
    sst_xml: str
    si_spans: tuple[tuple[int, int], ...]  # of each <si> element in SST_XML
    parts: dict[str, Part]
    uses: tuple[int, ...]  # how many strings have each index
    index_of: dict[str, int]  # each shared string's index
    #: Deflated spans of the template's text: (part, start, end) -> bytes, deflated.
    chunks: dict[tuple[str, int, int], tuple[bytes, bytes]] = field(default_factory=dict)
    scratch: list[CheckedWorksheet] = field(default_factory=list)

    # ----------------------------------------------------------------------------------
    @classmethod
    def build(cls, base: WorkbookSpec) -> BatchTemplate | None:
        """The template for the batch whose settings BASE holds (its organisation, token,
        prefill are not used), or None when it cannot be used (a direct write of the probe
        differs from the template's, or the framework cannot be written at all)."""
        spec = replace(base, organisation=PLACEHOLDER, token="0" * 16, prefill=(), typed={})
        spec = replace(spec, previous_round=None)
        try:
            template = cls._build(spec)
            if template is None:
                return None
            probe = replace(spec, organisation=PROBE, token="f" * 16)
            direct = io.BytesIO()
            build_workbook(probe, direct)
            mine = template.render(probe)
            if mine is None or unpacked(mine) != unpacked(direct.getvalue()):
                return None
        except (WorkbookLimitError, _Unknown):
            return None
        return template

    @classmethod
    def _build(cls, spec: WorkbookSpec) -> BatchTemplate | None:
        strings: list[str] = []
        recorders: dict[str, _Recorder] = {}

        def hook(ws: Worksheet) -> _Recorder:
            recorders[ws.name] = _Recorder(ws, strings)
            return recorders[ws.name]

        out = io.BytesIO()
        book = build_workbook(spec, out, hook)
        indices = _indices(strings)
        if list(dict.fromkeys(strings)) != book.wb.str_table.string_array:
            return None
        parts = read_parts(out.getvalue())
        sst = parts[_SST]
        sst_xml = _inflate(sst)
        si = [m.span() for m in _SI.finditer(sst_xml)]
        if len(si) != len(book.wb.str_table.string_array):
            return None
        # Positions in the workbook's order of strings: the sheets wrote them in the
        # order build_workbook writes the sheets (dimensions, Start, identity).
        offset = {}
        order = [d.sheet for d in book.plan.dimensions] + [L.START_SHEET, L.IDENTITY_SHEET]
        position = 0
        for name in order:
            offset[name] = position
            position += len(recorders[name].string_calls)
        sheets = []
        names = [L.START_SHEET, *(d.sheet for d in book.plan.dimensions), L.IDENTITY_SHEET]
        for number, name in enumerate(names, start=1):
            rec = recorders[name]
            string_at = {c: offset[name] + i for i, c in enumerate(rec.string_calls)}
            calls = rec.calls
            kind, dimension = _Kind.DIMENSION, number - 2
            if name == L.START_SHEET:
                kind = _Kind.START
            elif name == L.IDENTITY_SHEET:
                kind = _Kind.IDENTITY
            else:
                head, tail = _Recorder(), _Recorder()
                write_dimension_head(book, head, book.plan.dimensions[dimension])
                write_dimension_tail(book, tail)
                h, t = len(head.calls), len(tail.calls)
                if calls[:h] != head.calls or calls[len(calls) - t :] != tail.calls:
                    return None
                keep = list(range(h)) + list(range(len(calls) - t, len(calls)))
                string_at = {keep.index(c): p for c, p in string_at.items() if c in keep}
                calls = head.calls + tail.calls
            part = f"xl/worksheets/sheet{number}.xml"
            xml = _inflate(parts[part])
            footer = list(_FOOTER.finditer(xml))
            if len(footer) > 1:
                return None
            rows = {
                int(m[1]) - 1: (m.start(), m.end(), m[2], m[3] == "/") for m in _ROW.finditer(xml)
            }
            sheets.append(
                _Sheet(
                    name=name,
                    kind=kind,
                    part=part,
                    xml=xml,
                    calls=calls,
                    string_at=string_at,
                    rows=rows,
                    footer=footer[0].span() if footer else None,
                    dimension=dimension,
                )
            )
        return cls(
            base=spec,
            book=book,
            paragraphs=len(book.plan.start.paragraph_rows),
            sheets=tuple(sheets),
            strings=tuple(strings),
            indices=tuple(indices),
            uses=tuple(Counter(indices)[i] for i in range(len(si))),
            index_of={text: i for i, text in enumerate(dict.fromkeys(strings))},
            sst_xml=sst_xml,
            si_spans=tuple(si),
            parts=parts,
        )

    # ----------------------------------------------------------------------------------
    def fits(self, spec: WorkbookSpec) -> bool:
        """Whether SPEC's workbook may be written from this template: a named
        organisation, no input values, and the batch's settings."""
        b = self.base
        return (
            spec.organisation is not None
            and not spec.prefill
            and not spec.typed
            and spec.previous_round is None
            and spec.framework is b.framework
            and spec.instructions is b.instructions
            and (spec.round, spec.deadline, spec.return_to, spec.generated_at, spec.password)
            == (b.round, b.deadline, b.return_to, b.generated_at, b.password)
        )

    def render(self, spec: WorkbookSpec) -> bytes | None:
        """SPEC's workbook (each part the bytes a direct write gives), or None if it must be
        written directly. Raises :class:`WorkbookLimitError` as a direct write would."""
        if not self.fits(spec):
            return None
        paragraphs = instructions(spec)
        if len(paragraphs) != self.paragraphs:
            return None
        book = replace(self.book, spec=spec)
        changes: dict[int, str] = {}  # position in the order of strings -> the new string
        packed: list[Part] = []
        rec = _Recorder()
        for sheet in self.sheets:
            calls = rec.start()
            if sheet.kind is _Kind.START:
                write_start(book, rec, paragraphs)
            elif sheet.kind is _Kind.IDENTITY:
                write_identity(book, rec)
            else:
                dim = book.plan.dimensions[sheet.dimension]
                write_dimension_head(book, rec, dim)
                write_dimension_tail(book, rec)
            splices = _splice(sheet, calls, changes, self._scratch())
            if splices is None:
                return None
            if splices:
                packed.append(self._pack(sheet.part, sheet.xml, splices))
        if not self._same_indices(changes):
            return None  # a string of the organisation's is also another cell's
        si: dict[int, str] = {}
        writer = SharedStrings()
        for position, new in changes.items():
            writer._set_filehandle(io.StringIO())
            writer._write_si(new)
            si[self.indices[position]] = writer.fh.getvalue()
        sst = [(*self.si_spans[i], text) for i, text in si.items()]
        packed.append(self._pack(_SST, self.sst_xml, sst))
        core = Core()
        core._set_properties(workbook_properties(spec))
        core._set_filehandle(_KeepOpen())
        core._assemble_xml_file()
        changed = {p.name: p for p in packed}
        changed[_CORE] = deflate(_CORE, core.fh.getvalue().encode("utf-8"), small=True)
        return write_zip([changed.get(name, part) for name, part in self.parts.items()])

    def _same_indices(self, changes: dict[int, str]) -> bool:
        """Whether the strings with CHANGES get the template's shared-string indices: each
        index the changes touch is changed at every position it is used, to one string
        per index, no two indices to the same string, and none to another index's."""
        new: dict[int, str] = {}
        used: dict[int, int] = {}
        for position, text in changes.items():
            index = self.indices[position]
            if new.setdefault(index, text) != text:
                return False
            used[index] = used.get(index, 0) + 1
        if len(set(new.values())) != len(new):
            return False
        for index, text in new.items():
            if used[index] != self.uses[index]:
                return False
            other = self.index_of.get(text)
            if other is not None and other not in new:
                return False
        return True

    def _scratch(self) -> CheckedWorksheet:
        """A worksheet the differing calls are made on (made once: it is costly to make)."""
        if not self.scratch:
            self.scratch.append(CheckedWorksheet())
        ws = self.scratch[0]
        ws.str_table = SharedStringTable()
        return ws

    def _pack(self, name: str, text: str, splices: list[_Splice]) -> Part:
        """The part NAME: TEXT with SPLICES made. The template's text between two splices is
        deflated once per batch (the same spans recur from one organisation to the next)."""
        chunks: list[tuple[bytes, bytes]] = []
        at = 0
        for start, end, new in [*sorted(splices), (len(text), len(text), "")]:
            if start > at:
                key = (name, at, start)
                same = self.chunks.get(key)
                if same is None:
                    if len(self.chunks) > _MAX_CHUNKS:
                        self.chunks.clear()
                    data = text[at:start].encode("utf-8")
                    same = self.chunks[key] = (data, chunk(data))
                chunks.append(same)
            if new:
                data = new.encode("utf-8")
                chunks.append((data, chunk(data, small=True)))
            at = end
        return joined(name, chunks)


_SST, _CORE = "xl/sharedStrings.xml", "docProps/core.xml"
#: Most deflated spans of template text kept (a batch needs a few dozen).
_MAX_CHUNKS = 4096


def _inflate(part: Part) -> str:
    return zlib.decompress(part.deflated, -15).decode("utf-8")


def _indices(strings: list[str]) -> list[int]:
    """The shared-string index XlsxWriter gives each of STRINGS (the first of equal ones)."""
    seen: dict[str, int] = {}
    return [seen.setdefault(s, len(seen)) for s in strings]


def _splice(
    sheet: _Sheet, calls: list[Call], changes: dict[int, str], scratch: CheckedWorksheet
) -> list[_Splice] | None:
    """What to replace in SHEET's XML for the organisation's CALLS to stand in place of the
    template's (the strings they change go into CHANGES, by position), or None when they
    differ in more than texts, heights and footers. SCRATCH: a worksheet to make the
    differing calls on."""
    if len(calls) != len(sheet.calls):
        return None
    texts: list[Call] = []
    rows: set[int] = set()
    footer = False
    for i in compress(range(len(calls)), map(operator.ne, calls, sheet.calls)):
        mine, theirs = calls[i], sheet.calls[i]
        name, args, kwargs = mine
        if name != theirs[0] or kwargs != theirs[2] or len(args) != len(theirs[1]):
            return None
        if name == "write_string" and _same_but(args, theirs[1], 2):
            if looks_rich(str(args[2])):
                return None  # written as a rich string: see .plaintext
            texts.append(mine)
            changes[sheet.string_at[i]] = str(args[2])
        elif name == "set_row" and _same_but(args, theirs[1], 1):
            rows.add(int(str(args[0])))
        elif name in _FOOTERS:
            footer = True
        else:
            return None
    if not (texts or rows or footer):
        return []
    scratch.name = sheet.name
    splices: list[_Splice] = []
    with refusing_warnings():
        for _, args, kwargs in texts:  # Excel's limits, checked as a direct write does
            scratch.write_string(*args, **kwargs)
        for name, args, kwargs in calls:
            if (name == "set_row" and args[0] in rows) or (footer and name in _FOOTERS):
                getattr(scratch, name)(*args, **kwargs)
    for row in rows:
        if row not in sheet.rows:
            return None
        start, end, spans, empty = sheet.rows[row]
        scratch._set_filehandle(io.StringIO())
        if empty:
            scratch._write_empty_row(row, spans, scratch.row_info[row])
        else:
            scratch._write_row(row, spans, scratch.row_info[row])
        splices.append((start, end, scratch.fh.getvalue()))
    if footer:
        if sheet.footer is None:
            return None
        scratch._set_filehandle(io.StringIO())
        scratch._write_header_footer()
        splices.append((*sheet.footer, scratch.fh.getvalue()))
    return splices


_FOOTERS = ("set_footer", "set_header")


def _same_but(a: tuple[object, ...], b: tuple[object, ...], i: int) -> bool:
    return a[:i] == b[:i] and a[i + 1 :] == b[i + 1 :]


__all__ = ["PLACEHOLDER", "PROBE", "BatchTemplate"]
