"""OpenDocument content that spreadsheet apps write and calamine cannot read as written.

Gnumeric saves ``content.xml`` pretty-printed: a newline and indentation between every
element. Those text nodes mean nothing in ODF outside paragraphs (whitespace between a
``table:table-row`` and its ``table:table-cell`` is not content), but python-calamine
0.9.1 stops at the first of them ("Expecting 'table-cell', found Text"), so every return
saved by Gnumeric as .ods would be refused as damaged. Gnumeric also writes a line break
typed in a cell as ``<text:line-break/>`` and a tab as ``<text:tab/>``, which calamine drops,
so "Line one / line two" would arrive as "Line oneline two".

:func:`normalise_content` removes the whitespace-only text between elements, except inside
paragraphs and headings (``text:p``, ``text:h``) and their spans, where whitespace is content,
and writes line breaks and tabs inside paragraphs as the characters they stand for. Nothing
else in the part changes, so a partner's words reach the import exactly as typed.
"""

from __future__ import annotations

import re

# Any tag: its closing slash, local name (any prefix: calamine matches local names) and
# whether it closes itself. Comments and processing instructions have no local name here
# and are kept as they are.
_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?([\w.-]+)\b[^>]*?(/?)>")
# Only pretty-printed XML needs the pass: whitespace with a line break between two tags.
# LibreOffice and Excel write content.xml on one line.
_INDENTED = re.compile(rb">[ \t]*[\r\n][ \t\r\n]*<")
_SPECIAL = re.compile(rb"<(?:[\w.-]+:)?(?:line-break|tab)\s*/>")
_PARAGRAPHS = frozenset({b"p", b"h"})
_CHARACTERS = {b"line-break": b"&#10;", b"tab": b"&#9;"}


def needs_pass(xml: bytes, start: int = 0) -> bool:
    """Whether XML has indentation (after START) or a line break or tab element: exactly
    ``_INDENTED.search(xml, start) or _SPECIAL.search(xml)``, with quick tests first (a line
    break after START; the element names), so that a part that needs nothing, as
    LibreOffice writes it, is not searched tag by tag."""
    # The line break of a match comes after its ">", so after START.
    indented = xml.find(b"\n", start + 1) >= 0 or xml.find(b"\r", start + 1) >= 0
    if indented and _INDENTED.search(xml, start):
        return True
    # A tab element's name is "tab" followed by a space or "/"; in a part without one, every
    # "tab" is the start of a "table".
    special = b"line-break" in xml or xml.count(b"tab") != xml.count(b"table")
    return bool(special and _SPECIAL.search(xml))


def normalise_content(xml: bytes) -> bytes | None:
    """``content.xml`` as calamine reads it faithfully, or None when it is already so
    (then the container is parsed as it is)."""
    # The line break after the XML declaration (LibreOffice writes one) is not indentation:
    # looking from the declaration's end keeps LibreOffice's files off the slow path.
    prolog = (
        xml.find(b"?>", 0, 200) + 2 if xml[:10].lstrip(b"\xef\xbb\xbf").startswith(b"<?xml") else 0
    )
    if not needs_pass(xml, max(prolog, 0)):
        return None
    out: list[bytes] = []
    pos = 0
    depth = 0  # how many paragraphs (text:p / text:h) the position is inside
    for m in _TAG.finditer(xml):
        gap = xml[pos : m.start()]
        if gap and (depth or gap.strip(b" \t\r\n")):
            out.append(gap)
        closing, name, empty = m.group(1), m.group(2), m.group(3)
        if depth and empty and name in _CHARACTERS:
            out.append(_CHARACTERS[name])
        else:
            out.append(m.group(0))
        if name in _PARAGRAPHS and not empty:
            depth = max(0, depth - 1) if closing else depth + 1
        pos = m.end()
    out.append(xml[pos:])
    normalised = b"".join(out)
    return normalised if normalised != xml else None
