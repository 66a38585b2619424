"""Pretty-printed OpenDocument content (as Gnumeric writes it) reads exactly as typed.

calamine 0.9.1 refuses whitespace between a row and its cells, and drops ``text:line-break``
and ``text:tab``; :func:`normalise_content` must remove the first and spell out the others
without changing one character of what the partner typed.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from xlsxkit.workbook.safety import inspect_zip
from xlsxkit.workbook.safety.odf import normalise_content

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2">\n'
    '  <office:body>\n    <office:spreadsheet>\n      <table:table table:name="S">\n'
)
_TAIL = (
    "      </table:table>\n    </office:spreadsheet>\n  </office:body>\n"
    "</office:document-content>\n"
)


def _paragraph(text: str) -> str:
    """TEXT the way Gnumeric writes it in a cell: breaks and tabs as elements, runs of
    spaces as text:s, inside one text:p."""
    out = []
    for ch in text:
        if ch == "\n":
            out.append("<text:line-break/>")
        elif ch == "\t":
            out.append("<text:tab/>")
        else:
            out.append(escape(ch))
    return "<text:p>" + "".join(out) + "</text:p>"


def _content(rows: list[list[str]], *, indent: bool) -> bytes:
    nl, pad = ("\n", "  ") if indent else ("", "")
    body = []
    for row in rows:
        cells = "".join(
            f'{nl}{pad * 5}<table:table-cell office:value-type="string">{_paragraph(t)}'
            "</table:table-cell>"
            for t in row
        )
        body.append(f"{pad * 4}<table:table-row>{cells}{nl}{pad * 4}</table:table-row>{nl}")
    head, tail = (_HEAD, _TAIL) if indent else (_flat(_HEAD), _flat(_TAIL))
    return (head + "".join(body) + tail).encode()


def _flat(xml: str) -> str:
    """XML on one line, the way LibreOffice writes content.xml."""
    return "".join(line.strip() for line in xml.splitlines())


def _ods(content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>',
        )
    return buffer.getvalue()


def _read(data: bytes) -> list[list[str]]:
    info = inspect_zip(data)
    payload = info.trimmed or data
    rows = CalamineWorkbook.from_filelike(io.BytesIO(payload)).get_sheet_by_name("S").to_python()
    return [[str(v) for v in r] for r in rows]


# Text a partner types: letters, spaces (not leading/trailing runs, which ODF writes as
# text:s), line breaks, tabs, markup characters and non-Latin letters.
_WORD = st.text(alphabet="abcXYZ<>&\"'é中😀", min_size=1, max_size=6)
_TEXT = st.lists(
    st.tuples(_WORD, st.sampled_from([" ", "\n", "\t", ""])), min_size=1, max_size=5
).map(lambda parts: "".join(w + sep for w, sep in parts).rstrip(" \n\t") or "x")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_TEXT, min_size=1, max_size=3), min_size=1, max_size=3))
def test_indented_content_reads_every_character_as_typed(rows: list[list[str]]) -> None:
    width = max(len(r) for r in rows)
    rows = [r + ["pad"] * (width - len(r)) for r in rows]
    assert _read(_ods(_content(rows, indent=True))) == rows


def test_content_on_one_line_is_parsed_as_it_is() -> None:
    content = _content([["a b", "c"]], indent=False)
    assert normalise_content(content) is None
    assert inspect_zip(_ods(content)).trimmed is None


def test_whitespace_inside_a_paragraph_is_kept() -> None:
    content = _content([["x"]], indent=True).replace(
        b"<text:p>x</text:p>", b"<text:p><text:span>a</text:span> <text:span>b</text:span></text:p>"
    )
    out = normalise_content(content)
    assert out is not None
    assert b"</text:span> <text:span>" in out
    assert b"<table:table-row><table:table-cell" in out


def test_the_rebuilt_container_keeps_the_mimetype_first_and_stored() -> None:
    data = _ods(_content([["a\nb"]], indent=True))
    rebuilt = inspect_zip(data).trimmed
    assert rebuilt is not None
    first = zipfile.ZipFile(io.BytesIO(rebuilt)).infolist()[0]
    assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)


# The quick tests before the patterns decide exactly as the patterns alone.

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from xlsxkit.workbook.safety import odf  # noqa: E402

_PIECES = st.sampled_from(
    [
        b"<table:table-row>",
        b"</table:table-cell>",
        b"<text:p>",
        b"</text:p>",
        b">",
        b"<",
        b" ",
        b"\t",
        b"\n",
        b"\r",
        b"\x0b",
        b"\x0c",
        b"tab",
        b"table",
        b"/>",
        b"line-break",
        b"<text:",
        b"text:",
        b"x",
        b"<tab",
        b"<?xml version='1.0'?>",
    ]
)


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(_PIECES, max_size=14), start=st.integers(0, 30))
def test_the_quick_tests_decide_as_the_patterns_do(parts: list[bytes], start: int) -> None:
    xml = b"".join(parts)
    slow = bool(odf._INDENTED.search(xml, start) or odf._SPECIAL.search(xml))
    assert odf.needs_pass(xml, start) is slow
