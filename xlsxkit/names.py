"""Names that must survive spreadsheet apps and file systems: sheet names, slugs, file names,
and the normalised form used to match what a partner typed against a label."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Final

#: The workbook's own sheets, whose names a dimension's sheet cannot take. They belong to the
#: workbook layout (xlsxkit.workbook.layout) but live here, in the base, because the
#: framework checker warns about a dimension name that would clash with them.
START_SHEET: Final = "Start"
IDENTITY_SHEET: Final = "xlsxkit"  # very hidden
RESERVED_SHEET_NAMES: Final = (START_SHEET, IDENTITY_SHEET)

SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = set("[]:*?/\\")
_RESERVED_SHEET = {"history"}

FILE_STEM_MAX = 60
_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
    "com¹",
    "com²",
    "com³",
    "lpt¹",
    "lpt²",
    "lpt³",
}


def utf16_len(text: str) -> int:
    """Length as Excel counts it (UTF-16 code units)."""
    if text.isascii():  # most texts: one unit a character, no encoding needed
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def truncate_utf16(text: str, limit: int) -> str:
    out = []
    used = 0
    for ch in text:
        n = utf16_len(ch)
        if used + n > limit:
            break
        out.append(ch)
        used += n
    return "".join(out)


def sheet_name_problems(name: str) -> list[str]:
    """Why NAME cannot be used as it is for an Excel sheet name (empty when it can)."""
    reasons = []
    if not name.strip():
        reasons.append("it is blank")
    if utf16_len(name) > SHEET_NAME_MAX:
        reasons.append(f"it is longer than {SHEET_NAME_MAX} characters")
    bad = sorted({ch for ch in name if ch in SHEET_NAME_FORBIDDEN})
    if bad:
        reasons.append("it contains " + " ".join(bad))
    if name.startswith("'") or name.endswith("'"):
        reasons.append("it starts or ends with an apostrophe")
    if name.strip().casefold() in _RESERVED_SHEET:
        reasons.append("Excel reserves the name 'History'")
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        reasons.append("it contains control characters")
    return reasons


def legal_sheet_name(name: str, fallback: str) -> str:
    """NAME made legal for Excel: forbidden characters become '-', shortened to 31."""
    cleaned = "".join(
        "-" if ch in SHEET_NAME_FORBIDDEN else ("" if unicodedata.category(ch) == "Cc" else ch)
        for ch in name
    )
    cleaned = cleaned.strip().strip("'").strip()
    if not cleaned:
        cleaned = fallback
    if cleaned.casefold() in _RESERVED_SHEET:
        cleaned = f"{cleaned} (sheet)"
    return truncate_utf16(cleaned, SHEET_NAME_MAX).rstrip().rstrip("'")


def make_sheet_names(names: Iterable[str], *, reserved: Iterable[str] = ()) -> list[str]:
    """Legal, unique sheet names for NAMES, in order, avoiding RESERVED.

    Predictable: the first holder of a name keeps it; later ones get " (2)", " (3)"...,
    shortened so the result stays within 31 characters.
    """
    taken = {r.casefold() for r in reserved}
    out: list[str] = []
    for i, name in enumerate(names, start=1):
        base = legal_sheet_name(name, f"Sheet {i}")
        candidate = base
        n = 2
        while candidate.casefold() in taken:
            suffix = f" ({n})"
            candidate = truncate_utf16(base, SHEET_NAME_MAX - len(suffix)).rstrip() + suffix
            n += 1
        taken.add(candidate.casefold())
        out.append(candidate)
    return out


def slugify(text: str, *, max_length: int = FILE_STEM_MAX) -> str:
    """A lowercase ASCII slug: letters, digits and single hyphens. May be empty."""
    normal = unicodedata.normalize("NFKD", text)
    ascii_text = normal.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rstrip("-")
    return slug


def safe_file_stem(text: str, *, taken: set[str], fallback: str = "organisation") -> str:
    """A file-name stem safe on Windows, macOS and Linux, unique within TAKEN (case-folded).

    Adds the result to TAKEN.
    """
    stem = slugify(text) or slugify(fallback) or "organisation"
    if stem.split(".")[0] in _WINDOWS_RESERVED:
        stem = f"{stem}-org"
    candidate = stem
    n = 2
    while candidate.casefold() in taken:
        suffix = f"-{n}"
        candidate = stem[: FILE_STEM_MAX - len(suffix)].rstrip("-") + suffix
        n += 1
    taken.add(candidate.casefold())
    return candidate


def normalise_label(text: str) -> str:
    """The form in which a typed stage is compared with labels and ids.

    Case-insensitive; spaces, hyphens, dashes and underscores are all one separator; extra
    spaces are ignored. "WELL-DEVELOPED " and "well developed" are the same.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[\s\-‐‑‒–—_]+", " ", text)
    return text.strip()
