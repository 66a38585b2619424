"""The value normalisers: what is unambiguous is read, the rest is never guessed."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from xlsxkit.framework.model import Framework
from xlsxkit.workbook.normalise import UNREADABLE, StageMatcher, parse_date, parse_done, text_value

TRUE_FORMS = ["TRUE", "true", "True", "x", "X", "✓", "✔", "yes", "YES", "y", "Y", "1", " x "]
FALSE_FORMS = ["FALSE", "false", "no", "No", "n", "N", "0", "", "   "]


def test_checkbox_forms() -> None:
    assert all(parse_done(v) is True for v in [*TRUE_FORMS, True, 1, 1.0])
    assert all(parse_done(v) is False for v in [*FALSE_FORMS, False, 0, 0.0, None])
    for bad in ["maybe", "done?", "2", 2.0, -1, "TRUEE", "✗", dt.date(2026, 1, 1)]:
        assert parse_done(bad) is UNREADABLE, bad


@given(st.text(max_size=12))
def test_checkbox_never_guesses(text: str) -> None:
    result = parse_done(text)
    word = text.strip().casefold()
    if word in {t.strip().casefold() for t in TRUE_FORMS}:
        assert result is True
    elif word in {f.strip().casefold() for f in FALSE_FORMS}:
        assert result is False
    elif word not in ("=true()", "=true", "=false()", "=false"):
        assert result is UNREADABLE


def test_stage_forms(framework: Framework) -> None:
    m = StageMatcher(framework.stages)
    assert m.match("well developed") == "well-developed"
    assert m.match("WELL-DEVELOPED ") == "well-developed"
    assert m.match("  Some   work-done") == "some-work-done"
    assert m.match("not well developed") == "not-well-developed"
    assert m.match("some-work-done") == "some-work-done"
    assert m.match("") is None and m.match(None) is None and m.match("  ") is None
    for bad in ["Well", "developed", "Advanced", "2", 2.0, True, "Somework done"]:
        assert m.match(bad) is UNREADABLE, bad


@given(
    st.sampled_from(["Not well-developed", "Some work done", "Well-developed"]),
    st.lists(st.sampled_from([" ", "  ", "\t"]), max_size=3),
    st.booleans(),
    st.booleans(),
)
def test_stage_variants_match(label: str, pad: list[str], upper: bool, swap: bool) -> None:
    from tests.conftest import ROOT
    from xlsxkit.framework.load import require_framework

    fw = require_framework(ROOT / "framework.yaml")
    text = label.upper() if upper else label.lower()
    if swap:
        text = text.replace("-", " ").replace(" ", "-", 1)
    text = "".join(pad) + text + "".join(pad)
    expected = next(s.id for s in fw.stages if s.label == label)
    assert StageMatcher(fw.stages).match(text) == expected


@given(st.text(max_size=20))
def test_stage_matching_never_guesses(text: str) -> None:
    from tests.conftest import ROOT
    from xlsxkit.framework.load import require_framework
    from xlsxkit.names import normalise_label

    fw = require_framework(ROOT / "framework.yaml")
    result = StageMatcher(fw.stages).match(text)
    forms = {normalise_label(s.label): s.id for s in fw.stages} | {
        normalise_label(s.id): s.id for s in fw.stages
    }
    if not text.strip():
        assert result is None
    else:
        assert result == forms.get(normalise_label(text), UNREADABLE)


def test_older_labels_map_by_stage_id(framework: Framework) -> None:
    m = StageMatcher(framework.stages, aliases=[("Partly there", "some-work-done"), ("X", "gone")])
    assert m.match("partly there") == "some-work-done"
    assert m.match("X") is UNREADABLE


def test_dates() -> None:
    assert parse_date(dt.date(2027, 3, 31)) == dt.date(2027, 3, 31)
    assert parse_date(dt.datetime(2027, 3, 31, 0, 0)) == dt.date(2027, 3, 31)
    assert parse_date("2027-03-31") == dt.date(2027, 3, 31)
    assert parse_date("31 March 2027") == dt.date(2027, 3, 31)
    assert parse_date("March 31, 2027") == dt.date(2027, 3, 31)
    assert parse_date("") is None and parse_date(None) is None
    for ambiguous in ["03/04/2027", "3/4/27", "next spring", "2027-02-30", 45000.0]:
        assert parse_date(ambiguous) is UNREADABLE, ambiguous


def test_text_values() -> None:
    assert text_value(1001.0) == "1001"
    assert text_value(2.5) == "2.5"
    assert text_value(True) == "TRUE"
    assert text_value(dt.date(2027, 1, 2)) == "2027-01-02"
    assert text_value("  padded  ") == "padded"
    assert text_value(None) == ""


def test_a_numeric_date_with_only_one_valid_reading_is_read() -> None:
    assert parse_date("31/03/2027") == dt.date(2027, 3, 31)
    assert parse_date("03/31/2027") == dt.date(2027, 3, 31)
    assert parse_date("31.03.2027") == dt.date(2027, 3, 31)
    assert parse_date("13-12-2027") == dt.date(2027, 12, 13)
    assert parse_date("05/05/2027") == dt.date(2027, 5, 5)  # both readings agree


def test_a_numeric_date_with_two_readings_is_not_guessed() -> None:
    for ambiguous in ["03/04/2027", "12/11/2027", "1/2/2027"]:
        assert parse_date(ambiguous) is UNREADABLE, ambiguous
    for impossible in ["31/31/2027", "00/05/2027", "30/02/2027", "31/03/27", "31/03-2027"]:
        assert parse_date(impossible) is UNREADABLE, impossible
