"""Sheet names, slugs and file names: property tests."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from xlsxkit.names import (
    SHEET_NAME_FORBIDDEN,
    legal_sheet_name,
    make_sheet_names,
    normalise_label,
    safe_file_stem,
    sheet_name_problems,
    slugify,
    utf16_len,
)

WINDOWS_RESERVED = (
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)

names = st.text(min_size=0, max_size=80)


@given(st.lists(names, min_size=1, max_size=14))
@settings(max_examples=300)
def test_sheet_names_are_always_legal_and_unique(raw: list[str]) -> None:
    out = make_sheet_names(raw, reserved=("Start", "xlsxkit"))
    assert len(out) == len(raw)
    folded = [n.casefold() for n in out]
    assert len(set(folded)) == len(out)
    assert "start" not in folded and "xlsxkit" not in folded
    for name in out:
        assert sheet_name_problems(name) == [], name
        assert 0 < utf16_len(name) <= 31


@given(names)
def test_a_legal_name_is_kept(name: str) -> None:
    if not sheet_name_problems(name) and name == name.strip():
        assert legal_sheet_name(name, "x") == name


def test_sheet_name_shortening_is_predictable() -> None:
    long = "A very long dimension name that will not fit"
    out = make_sheet_names([long, long, "History", "a/b"], reserved=["Start"])
    assert out == [
        "A very long dimension name that",
        "A very long dimension name (2)",
        "History (sheet)",
        "a-b",
    ]
    assert not set("".join(out)) & SHEET_NAME_FORBIDDEN


@given(names)
@settings(max_examples=300)
def test_file_stems_are_safe_everywhere(name: str) -> None:
    taken: set[str] = set()
    stem = safe_file_stem(name, taken=taken)
    assert stem
    assert len(stem) <= 60
    assert not set(stem) & set('\\/:*?"<>|')
    assert stem.isascii()
    assert stem.split(".")[0].lower() not in WINDOWS_RESERVED
    assert not stem.startswith(("-", "."))
    assert stem.casefold() in taken


@given(st.lists(names, min_size=2, max_size=20))
def test_file_stems_are_unique_even_when_names_slug_alike(raw: list[str]) -> None:
    taken: set[str] = set()
    stems = [safe_file_stem(n, taken=taken) for n in raw]
    assert len({s.casefold() for s in stems}) == len(stems)


def test_reserved_and_alike_names() -> None:
    taken: set[str] = set()
    assert safe_file_stem("CON", taken=taken) == "con-org"
    assert safe_file_stem("North Trust", taken=taken) == "north-trust"
    assert safe_file_stem("north  trust!", taken=taken) == "north-trust-2"
    assert safe_file_stem("--leading dash", taken=taken) == "leading-dash"


@given(names)
def test_slug_shape(text: str) -> None:
    slug = slugify(text)
    assert slug == slug.strip("-")
    assert "--" not in slug
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in slug)
    assert slug == slug.lower()


@given(st.text(alphabet=st.sampled_from(" -_\t–Well-developed"), max_size=30))
def test_label_normalisation_ignores_case_spaces_and_hyphens(text: str) -> None:
    form = normalise_label(text)
    assert form == form.strip()
    assert "  " not in form
    assert "-" not in form and "_" not in form
    assert normalise_label(text.upper()) == form
