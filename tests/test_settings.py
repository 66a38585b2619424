"""The campaign settings file: read as text with line numbers, every problem located."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from xlsxkit.campaign.settings import (
    MAX_SETTINGS_BYTES,
    Settings,
    SettingsError,
    default_settings_text,
    load_settings,
    parse_settings,
    require_settings,
)
from xlsxkit.results.consistency import ConsistencyRule

FULL = """\
title: "Engaging people: 2027"
return_to: ip-team@example.org
mail:
  from: "Programme team <ip-team@example.org>"
  reply_to: coordinator@example.org
defaults:
  deadline: 2027-06-30
  jobs: 4
consistency:
  threshold: 60%
  min_actions: 4
"""


def _problems(text: str) -> list[tuple[int | None, str]]:
    result = parse_settings(text, file="xlsxkit.yaml")
    assert result.settings is None
    return [(p.location.line, p.message) for p in result.report.errors]


def test_every_setting_is_read() -> None:
    result = parse_settings(FULL)
    assert result.ok
    assert result.settings == Settings(
        title="Engaging people: 2027",
        return_to="ip-team@example.org",
        mail_from="Programme team <ip-team@example.org>",
        reply_to="coordinator@example.org",
        deadline=dt.date(2027, 6, 30),
        jobs=4,
        consistency=ConsistencyRule(threshold=0.6, min_actions=4),
    )


@pytest.mark.parametrize("text", ["", "# only a comment\n", "title:\nmail:\ndefaults:\n"])
def test_an_empty_file_means_the_defaults(text: str) -> None:
    assert parse_settings(text).settings == Settings()


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        (
            "title: x\nretrun_to: a@b.org\n",
            2,
            "unknown key 'retrun_to' at the top level; did you mean 'return_to'?",
        ),
        ("mail:\n  form: a@b.org\n", 2, "unknown key 'form' in 'mail'; did you mean 'from'?"),
        (
            "defaults:\n  deadline: 30/06/2027\n",
            2,
            "the deadline '30/06/2027' is not a date written YYYY-MM-DD",
        ),
        ("defaults:\n  deadline: 2027-02-30\n", 2, "not a date written YYYY-MM-DD"),
        ("defaults:\n  jobs: 0\n", 2, "jobs '0' must be a whole number of processes from 1 to"),
        ("defaults:\n  jobs: four\n", 2, "must be a whole number"),
        (
            "return_to: not an address\n",
            1,
            "'return_to' is not an email address ('not an address')",
        ),
        ("return_to: Team <a@b.org>\n", 1, "'return_to' is not an email address"),
        ("mail:\n  from: a@b.org, c@d.org\n", 2, "'from' is not an email address"),
        ("mail:\n  reply_to: Ann <ann@\n", 2, "'reply_to' is not an email address"),
        ('mail:\n  from: "a@b.org\\r\\nBcc: x@evil.org"\n', 2, "one line of text"),
        ("title: [a, b]\n", 1, "'title' must be a single value"),
        ("mail: a@b.org\n", 1, "'mail' must be a section of 'key: value' lines"),
        ("consistency: [1]\n", 1, "'consistency' must be a section"),
        ("- title\n", 1, "the file must be 'key: value' lines"),
        ("title: a\ntitle: b\n", 2, "duplicate key 'title'"),
        ("title: 'open\n", 2, "YAML syntax error"),
    ],
)
def test_each_problem_names_its_line(text: str, line: int, says: str) -> None:
    found = _problems(text)
    assert any(where == line and says in message for where, message in found), found


def test_all_problems_are_reported_at_once() -> None:
    found = _problems("title: x\nbogus: 1\ndefaults:\n  jobs: 0\n  deadline: soon\n")
    assert sorted(line or 0 for line, _ in found) == [2, 4, 5]


def test_a_display_name_with_a_comma_in_quotes_is_one_address() -> None:
    settings = parse_settings("mail:\n  from: '\"Team, North\" <n@example.org>'\n").settings
    assert settings is not None and settings.mail_from == '"Team, North" <n@example.org>'


def test_the_file_is_read_from_disk_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "xlsxkit.yaml"
    path.write_text(FULL, encoding="utf-8")
    assert require_settings(path).jobs == 4
    path.write_text("defaults:\n  jobs: -1\n", encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        require_settings(path)
    assert f"{path}:2:" in str(caught.value)
    assert "the campaign settings are not valid (1 problem)" in str(caught.value)


def test_files_that_cannot_be_settings_are_refused_without_reading_them(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_SETTINGS_BYTES + 1))
    assert "at most" in load_settings(big).report.errors[0].message
    assert "no such file" in load_settings(tmp_path / "none.yaml").report.errors[0].message
    assert "not a file" in load_settings(tmp_path).report.errors[0].message
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    assert "not a file" in load_settings(fifo).report.errors[0].message
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"title: caf\xe9\n")
    problem = load_settings(latin).report.errors[0]
    assert (problem.code, problem.location.line) == ("not-utf8", 1)


def test_the_default_file_is_valid_and_commented() -> None:
    text = default_settings_text()
    assert parse_settings(text).settings == Settings()
    assert text.count("\n#") >= 5
    for key in ("title:", "return_to:", "mail:", "from:", "reply_to:", "deadline:", "jobs:"):
        assert key in text


@hypothesis_settings(deadline=None)  # the machine may be busy: no timing here
@given(
    title=st.text(
        st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=200
    ).filter(lambda t: t.strip() == t),
    deadline=st.none() | st.dates(min_value=dt.date(1000, 1, 1)),
)
def test_the_default_file_keeps_any_title_and_deadline_given(
    title: str, deadline: dt.date | None
) -> None:
    text = default_settings_text(title=title, return_to="ip@example.org", deadline=deadline)
    result = parse_settings(text)
    assert result.settings is not None, result.report.render_text()
    assert (result.settings.title, result.settings.return_to, result.settings.deadline) == (
        title,
        "ip@example.org",
        deadline,
    )
