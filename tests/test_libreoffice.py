"""Issue 6: prove it in a real spreadsheet app.

LibreOffice (headless, through UNO: tests/lo) opens generated workbooks, picks stages in
the dropdown cells, ticks and unticks actions, types notes, leads, dates and comments in
several scripts, and saves as .xlsx, .ods and .xls. Each saved file is imported and every
answer is compared, by id, with what was set. The Start sheet's live progress table, as
LibreOffice recalculates it, must agree with xlsxkit's own figures for that file. Generated
and summary workbooks are rendered to PDF and PNG pages (kept in tests/_rendered/ for a
person to look at), and their layout is checked.

Without LibreOffice these tests are skipped; with the environment variable CI set they fail.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.filling import FIELD_COLUMNS, rows_by_id
from tests.fwtools import big_framework, write
from tests.helpers import generate_batch, import_paths, orgs, write_filled
from tests.lo import Batch, Edit, RunResult, pdf_page_count, pdf_to_pngs, pids_with, require_lo
from xlsxkit.framework.load import load_framework, require_framework
from xlsxkit.framework.model import Framework, Organisation, Return
from xlsxkit.inbound.resolve import ImportResult
from xlsxkit.render.xlsx import write_summary
from xlsxkit.results.consolidate import consolidate
from xlsxkit.workbook import layout as L

pytestmark = pytest.mark.libreoffice

ROOT = Path(__file__).resolve().parent.parent
RENDERED = ROOT / "tests" / "_rendered"
FORMATS = ("xlsx", "ods", "xls")
TEXTS = [
    "Agreed at the March board – see minutes ✓",
    "Zoë Ó Briain, 東京 office",
    "خطة العمل جاهزة",
    "План утверждён",
    "Lead: Ωmega team; target slipped",
]


@dataclass(kw_only=True)
class Scenario:
    name: str
    framework: Framework
    source: Path
    edits: list[Edit]
    #: item id -> field -> expected value after the edits (stage as stage id)
    expected: dict[str, dict[str, Any]]
    outputs: dict[str, Path] = field(default_factory=dict)
    edit_job: int = -1
    read_jobs: dict[str, int] = field(default_factory=dict)  # format -> read job


def make_scenario(name: str, fw: Framework, folder: Path, seed: int) -> Scenario:
    """A generated workbook with some actions already ticked, and what a partner does to
    it in LibreOffice: stages, ticks and unticks, text in several scripts, dates."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    org = Organisation(id=f"{name}-org", name=f"North & East – Zoë ({name})")
    pre = {(c.actions[0].id, "done"): True for c in fw.criteria if c.actions}
    source = write_filled(fw, folder / "sent.xlsx", org, pre, token=f"{name}-token")
    where = rows_by_id(source)
    edits: list[Edit] = []
    expected: dict[str, dict[str, Any]] = {}

    def ref(item: str, what: str) -> tuple[str, str]:
        sheet, row = where[item]
        return sheet, f"{L.col_letter(FIELD_COLUMNS[what])}{row}"

    for i, c in enumerate(fw.criteria):
        exp: dict[str, Any] = {"stage_id": None, "comment": ""}
        if i % 4 != 3:  # every fourth criterion is left unassessed
            stage = fw.stages[rng.randrange(len(fw.stages))]
            edits.append(Edit.text(*ref(c.id, "stage"), stage.label))
            exp["stage_id"] = stage.id
        if i % 2 == 0:
            text = TEXTS[i % len(TEXTS)]
            edits.append(Edit.text(*ref(c.id, "comment"), text))
            exp["comment"] = text
        expected[c.id] = exp
        for j, a in enumerate(c.actions):
            before = (a.id, "done") in pre
            done = rng.random() < 0.5
            if j == 0 and i % 3 == 0:
                done = False  # untick a prefilled one
            if done != before:
                edits.append(Edit.boolean(*ref(a.id, "done"), done))
            exp = {"done": done, "notes": "", "lead": "", "target_date": ""}
            if rng.random() < 0.4:
                exp["notes"] = TEXTS[(i + j) % len(TEXTS)]
                edits.append(Edit.text(*ref(a.id, "notes"), exp["notes"]))
            if rng.random() < 0.3:
                exp["lead"] = rng.choice(["Ada Ñúñez", "Bó Wén", "Comms team"])
                edits.append(Edit.text(*ref(a.id, "lead"), exp["lead"]))
            if rng.random() < 0.3:
                day = dt.date(2027, rng.randint(1, 12), rng.randint(1, 28))
                exp["target_date"] = day.isoformat()
                edits.append(Edit.date(*ref(a.id, "target_date"), day))
            expected[a.id] = exp
    return Scenario(name=name, framework=fw, source=source, edits=edits, expected=expected)


def progress_cells(path: Path, fw: Framework) -> dict[str, tuple[str, str, list[str]]]:
    """Dimension name (and "All areas") -> (sheet, row, cell refs) of the progress table."""
    ws = openpyxl.load_workbook(path)[L.START_SHEET]
    col = L.START_LABEL_COL + 1  # openpyxl is 1-based
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, col).value == "Area")
    width = 1 + 2 + len(fw.stages) + 3
    out = {}
    for r in range(header + 1, header + 2 + len(fw.dimensions)):
        label = ws.cell(r, col).value
        refs = [f"{L.col_letter(L.START_LABEL_COL + k)}{r}" for k in range(1, width)]
        out[str(label)] = (L.START_SHEET, str(r), refs)
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    require_lo()
    base = tmp_path_factory.mktemp("lo")
    bundled = require_framework(ROOT / "framework.yaml")
    edge_doc = big_framework(stages=5, dimensions=3, criteria=2, actions=2)
    edge = load_framework(write(base, edge_doc, "edge.yaml")).framework
    assert edge is not None
    assert len(",".join(s.label for s in edge.stages)) > 255
    scenarios = [
        make_scenario("bundled", bundled, base / "bundled", 1),
        make_scenario("edge", edge, base / "edge", 2),
    ]
    # A generic workbook, a summary workbook and the generated workbook, to render.
    sent = generate_batch(bundled, base / "sent", orgs("North & East Trust", "Hilltop"))
    returns = base / "returns"
    returns.mkdir()
    for i, o in enumerate(orgs("North & East Trust", "Hilltop", "Riverside")):
        from tests.filling import random_answers

        write_filled(bundled, returns / f"{i}.xlsx", o, random_answers(bundled, i))
    summary = base / "summary.xlsx"
    write_summary(consolidate(bundled, import_paths(bundled, returns)), summary)

    batch = Batch()
    for sc in scenarios:
        sc.outputs = {fmt: base / sc.name / f"saved.{fmt}" for fmt in FORMATS}
        sc.edit_job = batch.edit(sc.source, sc.edits, sc.outputs)
    for sc in scenarios:
        cells = [
            (sheet, ref)
            for sheet, _, refs in progress_cells(sc.source, sc.framework).values()
            for ref in refs
        ]
        for fmt in FORMATS:
            sc.read_jobs[fmt] = batch.read(sc.outputs[fmt], cells, recalc=True)
    render = base / "render"
    pdf_jobs = {
        "workbook": batch.convert(sent.out_dir / sent.rows[0].file, "pdf", render / "workbook"),
        "edge-workbook": batch.convert(scenarios[1].source, "pdf", render / "edge-workbook"),
        "summary": batch.convert(summary, "pdf", render / "summary"),
    }
    encrypted = {"ods": base / "encrypted.ods", "xls": base / "encrypted.xls"}
    enc_job = batch.edit(scenarios[0].source, [], encrypted, password="s3cret")
    result = batch.run(timeout=240)
    return {
        "result": result,
        "scenarios": scenarios,
        "pdf_jobs": pdf_jobs,
        "encrypted": encrypted,
        "enc_job": enc_job,
        "bundled": bundled,
    }


def imported(fw: Framework, path: Path) -> Return:
    result = import_paths(fw, path)
    [r] = result.returns
    assert r.status == "accepted", r.reason
    return r


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", ["bundled", "edge"])
def test_every_answer_set_in_libreoffice_is_recovered(
    run: dict[str, Any], name: str, fmt: str
) -> None:
    sc = next(s for s in run["scenarios"] if s.name == name)
    run["result"].job(sc.edit_job)
    saved = sc.outputs[fmt]
    r = imported(sc.framework, saved)
    assert r.problems == ()
    assert r.org_id == f"{name}-org" and r.token == f"{name}-token"
    got = {a.item_id: a for a in r.answers}
    assert set(got) == set(sc.expected)
    mismatches = []
    for item, fields in sc.expected.items():
        for what, value in fields.items():
            if getattr(got[item], what) != value:
                mismatches.append((item, what, value, getattr(got[item], what)))
    assert mismatches == []
    n_stages = sum(1 for f in sc.expected.values() if f.get("stage_id"))
    n_ticks = sum(1 for f in sc.expected.values() if f.get("done"))
    assert n_stages >= 2 and n_ticks >= 2  # the scenario exercises real answers


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", ["bundled", "edge"])
def test_live_progress_table_agrees_with_the_import(
    run: dict[str, Any], name: str, fmt: str
) -> None:
    sc = next(s for s in run["scenarios"] if s.name == name)
    cells = run["result"].cells(sc.read_jobs[fmt])
    r = imported(sc.framework, sc.outputs[fmt])
    summary = consolidate(sc.framework, ImportResult(returns=(r,), missing=(), expected=None))
    fw = sc.framework
    table = progress_cells(sc.source, fw)
    totals = [0] * (2 + len(fw.stages) + 2)
    for d in fw.dimensions:
        counts = summary.dimension_stages[d.id]
        done = sum(summary.action_rates[a.id].done for a in d.actions)
        expected = [
            sum(counts[s.id] for s in fw.stages),
            len(d.criteria),
            *(counts[s.id] for s in fw.stages),
            done,
            len(d.actions),
        ]
        totals = [t + e for t, e in zip(totals, expected, strict=True)]
        sheet, _, refs = table[d.name]
        shown = [cells[(sheet, ref)].value for ref in refs]
        assert shown[:-1] == expected, (d.name, shown)
        assert shown[-1] == pytest.approx(done / len(d.actions))
    sheet, _, refs = table["All areas"]
    shown = [cells[(sheet, ref)].value for ref in refs]
    assert shown[:-1] == totals
    assert shown[-1] == pytest.approx(totals[-2] / totals[-1])


@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_password_to_open_is_detected(run: dict[str, Any], fmt: str) -> None:
    run["result"].job(run["enc_job"])
    path = run["encrypted"][fmt]
    result = import_paths(run["bundled"], path)
    [r] = result.returns
    assert (r.status, r.code) == ("rejected", "password-protected"), r.reason
    assert "password to open" in r.reason


def _page_texts(pdf: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")


@pytest.mark.parametrize("which", ["workbook", "edge-workbook", "summary"])
def test_rendered_pages(run: dict[str, Any], which: str) -> None:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed to check the rendered pages")
    pdf = run["result"].outputs(run["pdf_jobs"][which])["pdf"]
    pages = pdf_page_count(pdf)
    target = RENDERED / which
    shutil.rmtree(target, ignore_errors=True)
    pngs = pdf_to_pngs(pdf, target, dpi=70)
    shutil.copy(pdf, target / f"{which}.pdf")
    assert len(pngs) == pages
    assert all(p.stat().st_size > 5000 for p in pngs)  # not blank pages
    texts = _page_texts(pdf)
    assert len(texts) == pages
    if which == "summary":
        assert 8 <= pages <= 40
        assert "Dashboard" in texts[0] and "Stage reached, by area" in texts[0]
        assert "partnership progress" in texts[1]  # the Overview follows the one-page Dashboard
        return
    # A workbook: the Start sheet, then each dimension sheet, one page wide: every page of
    # a dimension sheet shows both the first and the last column's heading (the headings
    # repeat on every page).
    assert 4 <= pages <= 16
    dimension_pages = [t for t in texts if "Stage reached / Done?" in t]
    assert len(dimension_pages) >= 3
    for text in dimension_pages:
        assert "Success criterion / suggested action" in text
        assert "Progress / cross-references" in text
        assert "Page " in text  # the footer
    assert "How to fill it in" in texts[0]


def test_no_libreoffice_left_running(run: dict[str, Any]) -> None:
    result: RunResult = run["result"]
    assert pids_with(Path(result.workdir).name) == []
    assert not Path(result.workdir).exists()
