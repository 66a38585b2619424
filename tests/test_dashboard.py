"""The summary's board-facing sheets: the one-page Dashboard, the Heatmap, Trend and
Progress, Next steps and Returns, checked in the file (openpyxl, the sheet XML) and, for
the one page, as LibreOffice prints it."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.filling import fill_with_openpyxl
from tests.summaries import SHARED, big_framework, build
from tests.test_campaign_import import PARTNERS, make_campaign, make_round, stages
from xlsxkit.cli import cli
from xlsxkit.framework.model import Framework
from xlsxkit.render.pdf import find_soffice, render_pdf
from xlsxkit.render.xlsx import write_summary
from xlsxkit.results.consolidate import Summary
from xlsxkit.results.dashboard import CHANGE_TEXT

needs_lo = pytest.mark.skipif(
    find_soffice() is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler are needed",
)
#: Columns whose text may look like a number and is still a label: ids and file names.
TEXT_COLUMNS = {"Org id", "File", "sha256", "Cell", "Sheet", "Round", "Previous round"}
NUMBER = re.compile(r"^\s*[-+]?(\d[\d,]*\.?\d*|\.\d+)\s*%?\s*$")


def written(summary: Summary, path: Path) -> Path:
    write_summary(summary, path, generated_at=dt.datetime(2027, 5, 2, 9, 30, tzinfo=dt.UTC))
    return path


def sheet_xml(path: Path, sheet: str) -> str:
    """The XML of SHEET (XlsxWriter numbers the parts in sheet order)."""
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    with zipfile.ZipFile(path) as z:
        return z.read(f"xl/worksheets/sheet{names.index(sheet) + 1}.xml").decode()


def rows(path: Path, sheet: str) -> list[list[object]]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [[c.value for c in r] for r in ws.iter_rows()]


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@needs_lo
def test_the_dashboard_is_the_first_sheet_and_prints_on_one_page(tmp_path: Path) -> None:
    # 12 areas with an earlier round: 24 bars, the tallest dashboard a framework can give
    # (the lists on the right are at most a few rows, whatever the partnership's size).
    out = written(build(big_framework(), orgs=5, history=True), tmp_path / "summary.xlsx")
    assert openpyxl.load_workbook(out, read_only=True).sheetnames[0] == "Dashboard"
    xml = sheet_xml(out, "Dashboard")
    assert '<pageSetUpPr fitToPage="1"/>' in xml
    setup = re.search(r"<pageSetup [^>]*>", xml)
    assert setup and 'orientation="landscape"' in setup.group(0)
    assert 'paperSize="9"' in setup.group(0)  # A4
    assert "fitToHeight" not in setup.group(0)  # the default: 1 page tall (0 would be any)
    assert "fitToWidth" not in setup.group(0)
    pdf = render_pdf(out, tmp_path / "summary.pdf")
    first, second = page_text(pdf, 1), page_text(pdf, 2)
    assert "Dashboard" in first and "Page 1 of" in first
    assert "Round 2027 spring · deadline 30 Apr 2027" in first
    assert "Overview" in second and "Dashboard" not in second  # page 2 is the next sheet


def test_the_dashboard_shows_the_round_response_rate_movers_and_the_criteria_behind(
    framework: Framework, tmp_path: Path
) -> None:
    s = build(framework, orgs=6, missing=2, history=True)
    out = written(s, tmp_path / "summary.xlsx")
    cells = rows(out, "Dashboard")
    flat = [v for r in cells for v in r if v is not None]
    assert cells[0][0] == framework.title
    assert cells[1][0] == "Round 2027 spring · deadline 30 Apr 2027"
    assert cells[4][0] == pytest.approx(6 / 8)  # the response rate, a number
    assert "Response rate (6 of 8 returned)" in flat
    assert "Furthest behind" in flat and "Most improved criteria" in flat
    assert "Most improved organisations" in flat
    assert any(isinstance(v, str) and v.startswith("Regressions: ") for v in flat)
    # admin counts are not on the board's page, but on the Returns sheet
    assert not any(isinstance(v, str) and "Rejected" in v for v in flat)
    returns = [v for r in rows(out, "Returns")[:6] for v in r]
    assert "Rejected" in returns and "Superseded / duplicate" in returns


def test_no_number_is_stored_as_text_in_any_summary_cell(
    framework: Framework, tmp_path: Path
) -> None:
    out = written(build(framework, orgs=7, missing=2, history=True), tmp_path / "summary.xlsx")
    wb = openpyxl.load_workbook(out)
    bad = []
    for ws in wb.worksheets:
        headers: dict[int, str] = {}
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.fill.fgColor.rgb == "FF1F4E78":  # a header
                    headers[c.column] = c.value
                elif (
                    isinstance(c.value, str)
                    and NUMBER.match(c.value)
                    and headers.get(c.column) not in TEXT_COLUMNS
                ):
                    bad.append((ws.title, c.coordinate, c.value))
    assert not bad
    # times are date-time cells in UTC, not ISO text
    returns = wb["Returns"]
    saved = [r[4] for r in returns.iter_rows() if isinstance(r[4].value, dt.datetime)]
    assert saved and all(c.number_format == "d mmm yyyy hh:mm" for c in saved)
    assert saved[0].value == dt.datetime(2027, 4, 1, 6, 33, 1)


def test_heatmap_headers_stay_distinct_when_criteria_share_a_long_opening(
    tmp_path: Path,
) -> None:
    fw = big_framework()
    assert all(c.text.startswith(SHARED) for c in fw.criteria)  # 120+ shared characters
    out = written(build(fw, orgs=3), tmp_path / "summary.xlsx")
    cells = rows(out, "Heatmap")
    [head] = [r for r in cells if r[0] == "Organisation"]
    criteria = [h for h in head[2 : 2 + len(fw.criteria)]]
    assert len(set(criteria)) == len(criteria) == len(fw.criteria)
    for d in fw.dimensions:
        for i in range(1, len(d.criteria) + 1):
            assert any(
                isinstance(h, str) and h.endswith(f" {i} — " + h.split(" — ", 1)[1])
                for h in criteria
            )
    # the whole texts are in the key below
    key = {r[0]: r[1] for r in cells[cells.index(head) :] if r[1] in {c.text for c in fw.criteria}}
    assert len(key) == len(fw.criteria)


def test_partners_who_never_replied_are_rows_of_the_heatmap_and_rows_are_ranked(
    framework: Framework, tmp_path: Path
) -> None:
    s = build(framework, orgs=5, missing=2)
    out = written(s, tmp_path / "summary.xlsx")
    cells = rows(out, "Heatmap")
    [at] = [i for i, r in enumerate(cells) if r[0] == "Organisation"]
    body = [r for r in cells[at + 1 :] if r[0]]
    names = [r[0] for r in body]
    for m in s.missing:
        row = body[names.index(m.org_name)]
        assert row[2 : 2 + len(framework.criteria)] == ["Not returned"] * len(framework.criteria)
    averages = [r[1] for r in body[: len(s.orgs)]]
    assert all(isinstance(a, int | float) for a in averages) and averages == sorted(
        averages, reverse=True
    )
    assert "Partnership average" in names
    # every organisation's row is as tall as every other's
    ws = openpyxl.load_workbook(out)["Heatmap"]
    heights = {ws.row_dimensions[at + 2 + i].height for i in range(len(s.orgs) + len(s.missing))}
    assert len(heights) == 1
    # no data bars drawn over the percentages
    assert "dataBar" not in sheet_xml(out, "Heatmap")


def test_progress_sheet_says_each_change_in_a_symbol_and_a_word(
    framework: Framework, tmp_path: Path
) -> None:
    s = build(framework, orgs=9, history=True)
    assert s.history is not None
    out = written(s, tmp_path / "summary.xlsx")
    names = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert names[:5] == ["Dashboard", "Overview", "Heatmap", "Trend", "Progress"]
    cells = rows(out, "Progress")
    [at] = [i for i, r in enumerate(cells) if r[0] == "Organisation"]
    assert cells[at][4:7] == ["Then", "Now", "Change"]
    body = cells[at + 1 : at + 1 + len(s.history.movements)]
    assert [r[6] for r in body] == [CHANGE_TEXT[m.change] for m in s.history.movements]
    assert {"▲ up", "▼ down", "= same", "new"} <= {r[6] for r in body}
    trend = rows(out, "Trend")
    assert [r[1] for r in trend if r[1] in ("2026 autumn", "2027 spring")] == [
        "2026 autumn",
        "2027 spring",
    ] * len(framework.dimensions)


def test_a_summary_without_an_earlier_round_has_no_progress_sheets(
    framework: Framework, tmp_path: Path
) -> None:
    out = written(build(framework, orgs=3), tmp_path / "summary.xlsx")
    names = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert "Trend" not in names and "Progress" not in names


def test_next_steps_start_a_new_page_for_every_organisation(
    framework: Framework, tmp_path: Path
) -> None:
    s = build(framework, orgs=4, missing=0)
    out = written(s, tmp_path / "summary.xlsx")
    orgs = {o.org_name for o in s.orgs}
    with_steps = {n.org_name for n in s.next_steps()}
    breaks = [int(b) for b in re.findall(r'<brk id="(\d+)"', sheet_xml(out, "Next steps"))]
    assert len(breaks) == len(with_steps) - 1
    cells = rows(out, "Next steps")
    assert all(cells[b][0] in orgs for b in breaks)  # each page starts with its organisation
    # an organisation's name is its block's heading, not a column repeated on every row
    assert sum(1 for r in cells for v in r if v in orgs) == len(with_steps)


def test_a_campaigns_second_round_summary_compares_with_the_first(
    framework: Framework, tmp_path: Path
) -> None:
    campaign = make_campaign(tmp_path / "campaign")
    first = make_round(campaign, framework, "2026 autumn", PARTNERS)
    north, south = PARTNERS[0].id, PARTNERS[1].id
    inbox = campaign.round("2026-autumn").inbox
    fill_with_openpyxl(first[north], inbox / "n.xlsx", stages(framework, 2, 2, 2))
    fill_with_openpyxl(first[south], inbox / "s.xlsx", stages(framework, 1, 1, 1))
    run = CliRunner().invoke
    assert run(cli, ["import", "--campaign", str(campaign.root)]).exit_code == 0
    summary1 = campaign.round("2026-autumn").summary
    assert "Progress" not in openpyxl.load_workbook(summary1, read_only=True).sheetnames

    second = make_round(campaign, framework, "2027 spring", PARTNERS)
    inbox2 = campaign.round("2027-spring").inbox
    fill_with_openpyxl(second[north], inbox2 / "n.xlsx", stages(framework, 1, 2, 3))
    fill_with_openpyxl(second[south], inbox2 / "s.xlsx", stages(framework, 3, 1, 1))
    result = run(cli, ["import", "--campaign", str(campaign.root)])
    assert result.exit_code == 0, result.output
    out = campaign.round("2027-spring").summary
    dash = [v for r in rows(out, "Dashboard") for v in r if v is not None]
    assert "Answers moved since 2026 autumn" in dash
    # north: 2→1 down, 2→2 same, 2→3 up; south: 1→3 up, then same
    assert "▲ 2 up   ▼ 1 down" in dash
    progress = rows(out, "Progress")
    changes = [r[6] for r in progress if r[6] in CHANGE_TEXT.values()]
    assert changes.count("▲ up") == 2 and changes.count("▼ down") == 1
    assert "North Trust · People 1" in dash  # the regression, named
