"""Finding the campaign folder and naming its round folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlsxkit.campaign.locate import (
    CampaignError,
    CampaignFolder,
    find_campaign,
    is_round_slug,
    round_slug,
)


@pytest.mark.parametrize("marker", ["xlsxkit.yaml", "xlsxkit.db"])
def test_the_campaign_is_found_from_any_folder_inside_it(tmp_path: Path, marker: str) -> None:
    (tmp_path / marker).write_text("")
    deep = tmp_path / "rounds" / "2027-spring" / "inbox"
    deep.mkdir(parents=True)
    assert find_campaign(start=deep) == CampaignFolder(root=tmp_path)
    assert find_campaign(start=tmp_path) == CampaignFolder(root=tmp_path)


def test_the_nearest_campaign_wins(tmp_path: Path) -> None:
    (tmp_path / "xlsxkit.yaml").write_text("")
    inner = tmp_path / "archive" / "old-campaign"
    inner.mkdir(parents=True)
    (inner / "xlsxkit.yaml").write_text("")
    assert find_campaign(start=inner / ".") == CampaignFolder(root=inner)


def test_outside_a_campaign_nothing_is_found(tmp_path: Path) -> None:
    (tmp_path / "xlsxkit.yaml").mkdir()  # a folder with the name is not a campaign
    assert find_campaign(start=tmp_path) is None


def test_the_current_folder_is_the_default_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "xlsxkit.yaml").write_text("")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert find_campaign() == CampaignFolder(root=tmp_path)


def test_an_explicit_folder_wins_over_the_current_one(tmp_path: Path) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    for folder in (here, there):
        folder.mkdir()
        (folder / "xlsxkit.yaml").write_text("")
    assert find_campaign(there, start=here) == CampaignFolder(root=there)
    assert find_campaign(there / "xlsxkit.yaml", start=here) == CampaignFolder(root=there)


def test_an_explicit_folder_that_is_no_campaign_is_an_error_saying_what_to_do(
    tmp_path: Path,
) -> None:
    with pytest.raises(CampaignError, match=r"not a campaign folder .* run 'xlsxkit init"):
        find_campaign(tmp_path)
    with pytest.raises(CampaignError, match="does not exist"):
        find_campaign(tmp_path / "missing")
    (tmp_path / "file.txt").write_text("")
    with pytest.raises(CampaignError, match="is not a folder"):
        find_campaign(tmp_path / "file.txt")


def test_the_folder_layout(tmp_path: Path) -> None:
    campaign = CampaignFolder(root=tmp_path)
    assert campaign.settings == tmp_path / "xlsxkit.yaml"
    assert campaign.store == tmp_path / "xlsxkit.db"
    assert campaign.framework == tmp_path / "framework.yaml"
    assert campaign.partners == tmp_path / "partners.csv"
    assert campaign.templates == tmp_path / "templates"
    spring = campaign.round(round_slug("2027 Spring"))
    assert spring.root == tmp_path / "rounds" / "2027-spring"
    assert spring.outbox == tmp_path / "rounds" / "2027-spring" / "outbox"
    assert spring.inbox == tmp_path / "rounds" / "2027-spring" / "inbox"
    assert spring.summary == tmp_path / "rounds" / "2027-spring" / "summary.xlsx"
    assert spring.data == tmp_path / "rounds" / "2027-spring" / "data"
    spring.make()
    spring.make()  # again: nothing to do
    assert all(p.is_dir() for p in (spring.outbox, spring.inbox, spring.data))


def test_a_file_in_the_way_of_a_round_folder_is_an_error(tmp_path: Path) -> None:
    spring = CampaignFolder(root=tmp_path).round("2027-spring")
    spring.root.mkdir(parents=True)
    spring.inbox.write_text("not a folder")
    with pytest.raises(CampaignError, match="inbox: a file is in the way"):
        spring.make()


@pytest.mark.parametrize("bad", ["../x", "a/b", "", "Spring", "con", "a--b", "-a"])
def test_only_slugs_name_round_folders(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        CampaignFolder(root=tmp_path).round(bad)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("2027 Spring", "2027-spring"),
        ("  Année 2026 / Q4 ", "annee-2026-q4"),
        ("CON", "con-round"),
        ("com1", "com1-round"),
    ],
)
def test_round_slugs(name: str, slug: str) -> None:
    assert round_slug(name) == slug


def test_a_name_without_latin_letters_still_gets_its_own_folder() -> None:
    first, second = round_slug("第一轮"), round_slug("第二轮")
    assert first.startswith("round-") and second.startswith("round-") and first != second


def test_a_blank_round_name_is_refused() -> None:
    with pytest.raises(ValueError):
        round_slug("  ")


@settings(deadline=None)  # the machine may be busy: no timing here
@given(st.text(min_size=1).filter(lambda t: t.strip()))
def test_every_round_name_gets_a_portable_folder_name(name: str) -> None:
    slug = round_slug(name)
    assert is_round_slug(slug)
    assert slug == slug.lower() and slug.isascii()
    assert os.sep not in slug and not slug.startswith("-")
