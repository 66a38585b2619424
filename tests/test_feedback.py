"""``xlsxkit feedback``: a workbook per partner with an accepted return, in a real campaign
run through the CLI (init, generate, returns filled in, import, a second round, feedback),
and stand-alone from SOURCES.

The feedback of a partner never names or identifies another (every cell and every XML part
is scanned, docProps included); a criterion's distribution is withheld below 5 partners
answering; every problem of its return reaches it, in plain words with the cell."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from tests.filling import Answers, fill_with_openpyxl
from tests.helpers import import_paths, orgs, write_filled
from xlsxkit.cli import cli
from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Framework
from xlsxkit.render.xlsx.feedback import SHEETS
from xlsxkit.results.consolidate import consolidate
from xlsxkit.results.feedback import MIN_GROUP, WITHHELD, feedback_view

ROOT = Path(__file__).resolve().parent.parent
NAMES = (
    "Aldergrove Health Trust",
    "Birchwood Borough Council",
    "Cedarbank Hospice",
    "Damsonfield Carers Network",
    "Elmstead Library Service",
    "Fernhill Youth Service",
)
CRITERION = "people-staff-engagement"  # 7 actions at or below Well-developed


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def answers_for(framework: Framework, i: int, *, round_two: bool = False) -> Answers:
    """Partner I's answers: criterion 1 answered by all, criterion 2 by the first four."""
    crit = framework.criteria
    stage = framework.stages[(i + round_two) % len(framework.stages)].label
    out: Answers = {(crit[0].id, "stage"): stage}
    if i < 4:
        out[(crit[1].id, "stage")] = framework.stages[0].label
    for n, a in enumerate(crit[0].actions):
        out[(a.id, "done")] = n < 5
        if n == 6:
            out[(a.id, "lead")] = f"Lead of partner {i}"
            out[(a.id, "target_date")] = dt.date(2027, 9, 30)
    return out


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two rounds of six partners; in round 2 the first partner's return has an unreadable
    date, tick and stage and the issue's inconsistent stage, and one partner sends none."""
    root = tmp_path_factory.mktemp("fb") / "camp"
    assert run("init", str(root)).exit_code == 0
    with (root / "partners.csv").open("a", encoding="utf-8") as fh:
        for i, name in enumerate(NAMES):
            fh.write(f"p{i + 1}-{name.split()[0].lower()},{name},Contact {i},c{i}@example.org\n")
    framework = require_framework(root / "framework.yaml")
    for round_name, two in (("2026 autumn", False), ("2027 spring", True)):
        got = run(
            "generate", "--campaign", str(root), "--round", round_name, "--deadline", "2027-06-30"
        )
        assert got.exit_code == 0, got.output
        slug = round_name.replace(" ", "-")
        outbox = root / "rounds" / slug / "outbox"
        inbox = root / "rounds" / slug / "inbox"
        sent = sorted(outbox.glob("*.xlsx"))
        assert len(sent) == len(NAMES)
        for i, src in enumerate(sent):
            if two and i == 5:
                continue  # never returns round 2
            answers = answers_for(framework, i, round_two=two)
            if two and i == 0:
                crit = framework.criterion(CRITERION)
                answers[(crit.id, "stage")] = "Well-developed"
                for n, a in enumerate(crit.actions):
                    answers[(a.id, "done")] = n < 3  # 3 of 7: flagged
                answers[(crit.actions[6].id, "target_date")] = "3/4/2027"
                answers[(crit.actions[5].id, "done")] = "maybe"
                answers[(framework.criteria[2].id, "stage")] = "Nearly there"
            fill_with_openpyxl(src, inbox / f"returned {src.name}", answers)
        got = run("import", "--campaign", str(root))
        assert got.exit_code == 0, got.output
    got = run("feedback", "--campaign", str(root))
    assert got.exit_code == 0, got.output
    return root


def _feedbacks(campaign: Path) -> list[Path]:
    return sorted((campaign / "rounds" / "2027-spring" / "feedback").glob("*-feedback.xlsx"))


def _texts(path: Path) -> str:
    """Every XML part of the xlsx, decoded (entities as written)."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def _cells(path: Path) -> list[object]:
    wb = openpyxl.load_workbook(path)
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_one_feedback_per_accepted_return_named_after_its_workbook(campaign: Path) -> None:
    files = _feedbacks(campaign)
    outbox = sorted((campaign / "rounds" / "2027-spring" / "outbox").glob("*.xlsx"))
    assert [f.name for f in files] == [f"{w.stem}-feedback.xlsx" for w in outbox[:5]]
    wb = openpyxl.load_workbook(files[0])
    assert wb.sheetnames == list(SHEETS)


def test_the_feedback_of_a_partner_never_names_another(campaign: Path) -> None:
    ids = [f"p{i + 1}-{n.split()[0].lower()}" for i, n in enumerate(NAMES)]
    for i, path in enumerate(_feedbacks(campaign)):
        own = NAMES[i]
        assert own in _texts(path)  # its own name is there: the scan reads the parts
        others = [x for j, x in enumerate([*NAMES, *ids]) if j % len(NAMES) != i]
        # every part, docProps included, and every cell
        blob = _texts(path).casefold()
        cells = " ".join(str(v) for v in _cells(path) if v is not None).casefold()
        for other in others:
            assert other.casefold() not in blob, (path.name, other)
            assert other.casefold() not in cells, (path.name, other)
            # a distinctive word of another's name does not appear either
            word = other.split()[0].split("-")[-1].casefold()
            assert word not in blob, (path.name, word)


def test_a_distribution_is_withheld_below_five_partners_answering(campaign: Path) -> None:
    """Criterion 1 is answered by 5 partners (shown), criterion 2 by 4 (withheld)."""
    ws = openpyxl.load_workbook(_feedbacks(campaign)[1])["Your results"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    framework = require_framework(campaign / "framework.yaml")
    c1, c2 = framework.criteria[0].text, framework.criteria[1].text
    [r1] = [r for r in rows if r[1] == c1]
    [r2] = [r for r in rows if r[1] == c2]
    assert r1[6] == 5 and sum(r1[7:10]) == 5 and all(isinstance(v, int) for v in r1[7:10])
    assert r2[6] == 4 and r2[7] == WITHHELD and r2[8] is None
    assert MIN_GROUP == 5 and WITHHELD == "fewer than 5 partners answered"


def test_every_problem_of_a_return_reaches_its_feedback(campaign: Path) -> None:
    framework = require_framework(campaign / "framework.yaml")
    inbox = campaign / "rounds" / "2027-spring" / "inbox"
    result = import_paths(framework, *sorted(inbox.glob("*.xlsx"))[:1])
    summary = consolidate(framework, result)
    [(ret, _), *_] = summary.problems
    problems = [p for r, p in summary.problems if r is ret]
    expected = {(p.location.sheet, p.location.cell) for p in problems}
    assert len(expected) >= 4  # date, tick, stage, the flag
    ws = openpyxl.load_workbook(_feedbacks(campaign)[0])["Notes on your return"]
    found = {str(r[0]) for r in ws.iter_rows(values_only=True) if r[0]}
    texts = " ".join(str(r[1]) for r in ws.iter_rows(values_only=True) if r[1])
    assert {f"{s}!{c}" for s, c in expected} <= found
    [date] = [p for p in problems if p.code == "unreadable-date"]
    date_at = f"{date.location.sheet}!{date.location.cell}"
    assert f"We could not read the date in {date_at}: '3/4/2027'" in texts
    assert "we could not read the tick" in texts.casefold()
    # the consistency flag, in plain words, its answer standing
    assert "3 of the 7 suggested actions at or below that stage" in texts
    assert "Your answer stands" in texts
    # and the view holds the same
    view = feedback_view(summary, ret.org_id)
    assert len(view.flags) == 1 and len(view.notes) == len(problems) - 1


def test_change_since_last_round_targets_and_next_steps(campaign: Path) -> None:
    wb = openpyxl.load_workbook(_feedbacks(campaign)[1])
    results = [[c.value for c in row] for row in wb["Your results"].iter_rows()]
    assert "Last round (2026 autumn)" in results[4]
    changes = {r[5] for r in results[5:] if r[1]}
    assert changes & {"▲ up", "▼ down", "= same"}
    steps = [[c.value for c in row] for row in wb["Next steps"].iter_rows()]
    with_lead = [r for r in steps if r[3] == "Lead of partner 1"]
    assert with_lead and isinstance(with_lead[0][4], dt.datetime)
    assert wb["Next steps"].cell(row=1 + steps.index(with_lead[0]), column=5).number_format == (
        "d mmmm yyyy"
    )


def test_no_number_is_stored_as_text(campaign: Path) -> None:
    number = re.compile(r"\s*[-+]?\d+(?:[.,]\d+)?\s*%?\s*")
    for path in _feedbacks(campaign):
        for value in _cells(path):
            if isinstance(value, str):
                assert not number.fullmatch(value), (path.name, value)


def test_stand_alone_feedback_from_sources(framework: Framework, tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i, org in enumerate(orgs(*NAMES[:3])):
        write_filled(framework, inbox / f"{org.id}.xlsx", org, answers_for(framework, i))
    got = run("feedback", str(inbox), "--out", str(tmp_path / "fb"))
    assert got.exit_code == 0, got.output
    files = sorted((tmp_path / "fb").glob("*-feedback.xlsx"))
    assert len(files) == 3
    # 3 partners answered: every distribution withheld
    ws = openpyxl.load_workbook(files[0])["Your results"]
    assert sum(1 for row in ws.iter_rows(values_only=True) if WITHHELD in row) == len(
        framework.criteria
    )
    # a second run replaces its own files; a file it did not write is never replaced
    assert run("feedback", str(inbox), "--out", str(tmp_path / "fb")).exit_code == 0
    stranger = files[0]
    stranger.write_bytes(b"a partner's own file")
    refused = run("feedback", str(inbox), "--out", str(tmp_path / "fb"))
    assert refused.exit_code == 2 and "never overwrites it" in refused.output
    assert stranger.read_bytes() == b"a partner's own file"


def test_pdf_without_libreoffice_says_what_to_install_and_keeps_the_workbooks(
    framework: Framework, tmp_path: Path
) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    [org] = orgs(NAMES[0])
    write_filled(framework, inbox / "a.xlsx", org, answers_for(framework, 0))
    empty = tmp_path / "bin"
    empty.mkdir()
    got = CliRunner().invoke(
        cli,
        ["feedback", str(inbox), "--out", str(tmp_path / "fb"), "--pdf"],
        env={"PATH": str(empty)},
    )
    assert got.exit_code == 1
    assert "install" in got.output and "LibreOffice" in got.output
    assert len(list((tmp_path / "fb").glob("*-feedback.xlsx"))) == 1
    assert not list((tmp_path / "fb").glob("*.pdf"))


@pytest.mark.libreoffice
def test_the_pdf_of_a_feedback_names_no_other_partner(campaign: Path) -> None:
    """--pdf renders every feedback; the PDF's text (pdftotext) names only its partner."""
    from tests.lo import pdf_to_pngs, require_lo

    require_lo()
    got = run("feedback", "--campaign", str(campaign), "--pdf")
    assert got.exit_code == 0, got.output
    ids = [f"p{i + 1}-{n.split()[0].lower()}" for i, n in enumerate(NAMES)]
    rendered = ROOT / "tests" / "_rendered" / "feedback"
    for i, xlsx in enumerate(_feedbacks(campaign)):
        pdf = xlsx.with_suffix(".pdf")
        assert pdf.is_file(), pdf
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert NAMES[i] in text and "Your results" in text and "Notes on your return" in text
        flat = " ".join(text.split()).casefold()
        for j, other in enumerate([*NAMES, *ids]):
            if j % len(NAMES) != i:
                assert other.casefold() not in flat, (pdf.name, other)
        pdf_to_pngs(pdf, rendered)


def test_a_feedback_workbook_among_the_returns_is_skipped_as_an_xlsxkit_output(
    campaign: Path, tmp_path: Path
) -> None:
    """A partner may reply with its feedback attached: it is not read as a return."""
    framework = require_framework(campaign / "framework.yaml")
    [ret] = import_paths(framework, _feedbacks(campaign)[0]).returns
    assert (ret.status, ret.code) == ("skipped", "xlsxkit-output")
    assert "feedback workbook written by 'xlsxkit feedback'" in ret.reason
