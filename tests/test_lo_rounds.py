"""Two campaign rounds end to end through a real LibreOffice (headless, through UNO:
tests/lo), as partners would do them, and through the command line as a coordinator would.

Round 1: three partners fill in their workbooks in LibreOffice (stages and targets picked in
the dropdown cells, ticks, comments) and save them as xlsx, ods and xls, one format each →
``xlsxkit import``. Round 2 is generated pre-filled from those returns; in LibreOffice one
partner changes two stages (one up, one down) and one target and saves, another saves its
pre-filled workbook as it is (as ods) → ``xlsxkit import``. progress.csv must show exactly
those two changes, the rest ``same``, and stages.csv the new target.

Without LibreOffice these tests are skipped; with the environment variable CI set they fail.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.filling import FIELD_COLUMNS, rows_by_id
from tests.lo import Batch, Edit, require_lo
from xlsxkit.cli import cli
from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Framework
from xlsxkit.workbook import layout as L

pytestmark = pytest.mark.libreoffice

AUTUMN, SPRING = "2026 autumn", "2027 spring"
#: org id, name, file sent, the format its LibreOffice saves round 1 in
PARTNERS = [
    ("north", "North Trust", "north-trust", "xlsx"),
    ("south", "South Health", "south-health", "ods"),
    ("east", "East Care", "east-care", "xls"),
]


def run(*args: str | Path, cwd: Path) -> Result:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, [str(a) for a in args])
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))


class Cells:
    """Where a workbook's input cells are, by item id and field (from its id column)."""

    def __init__(self, workbook: Path) -> None:
        self.rows = rows_by_id(workbook)

    def __call__(self, item_id: str, field: str) -> tuple[str, str]:
        sheet, row = self.rows[item_id]
        return sheet, f"{L.col_letter(FIELD_COLUMNS[field])}{row}"


def round_one(fw: Framework, i: int, cells: Cells) -> tuple[list[Edit], dict[str, tuple[str, str]]]:
    """Partner I's round-1 edits, as a person makes them: a stage picked in every stage
    dropdown, a target on every other criterion, comments, some actions ticked. Returns the
    edits and criterion id -> (stage id, target stage id or "")."""
    edits: list[Edit] = []
    expected: dict[str, tuple[str, str]] = {}
    for n, c in enumerate(fw.criteria):
        stage = fw.stages[(n + i) % len(fw.stages)]
        edits.append(Edit.text(*cells(c.id, "stage"), stage.label))
        target = ""
        if n % 2 == 0:
            target = fw.stages[-1].id
            edits.append(Edit.text(*cells(c.id, "target_stage"), fw.stages[-1].label))
        if n % 3 == 0:
            edits.append(Edit.text(*cells(c.id, "comment"), f"Evidence {i}.{n} – Zoë ✓"))
        expected[c.id] = (stage.id, target)
        for j, a in enumerate(c.actions):
            if (j + i) % 2 == 0:
                edits.append(Edit.boolean(*cells(a.id, "done"), True))
    return edits, expected


@pytest.fixture(scope="module")
def lo() -> None:
    require_lo()


def test_two_rounds_filled_in_libreoffice_show_exactly_the_changes_in_progress_csv(
    lo: None, tmp_path: Path
) -> None:
    folder = tmp_path / "campaign"
    assert run("init", folder, cwd=tmp_path).exit_code == 0
    with (folder / "partners.csv").open("a", encoding="utf-8") as fh:
        for org_id, name, _, _ in PARTNERS:
            fh.write(f"{org_id},{name},,\n")
    fw = require_framework(folder / "framework.yaml")
    assert len(fw.stages) == 3 and len(fw.criteria) >= 3
    generated = run("generate", "--round", AUTUMN, cwd=folder)
    assert generated.exit_code == 0, generated.output
    autumn = folder / "rounds" / "2026-autumn"

    # Round 1, in LibreOffice: one format per partner.
    batch = Batch()
    expected: dict[str, dict[str, tuple[str, str]]] = {}
    for i, (org_id, _, stem, fmt) in enumerate(PARTNERS):
        sent = autumn / "outbox" / f"{stem}.xlsx"
        edits, expected[org_id] = round_one(fw, i, Cells(sent))
        batch.edit(sent, edits, {fmt: autumn / "inbox" / f"{stem}.{fmt}"})
    done = batch.run()
    assert done.ok, done.error
    for index in range(len(PARTNERS)):
        done.job(index)
    imported = run("import", cwd=folder)
    assert imported.exit_code == 0, imported.output
    returns = {r["org_id"]: r["status"] for r in csv_rows(autumn / "data" / "returns.csv")}
    assert returns == {"north": "accepted", "south": "accepted", "east": "accepted"}
    stages = csv_rows(autumn / "data" / "stages.csv")
    assert {
        (r["org_id"], r["criterion_id"]): (r["stage_id"], r["target_stage_id"]) for r in stages
    } == {(o, c): v for o, answers in expected.items() for c, v in answers.items()}

    # Round 2, pre-filled from round 1.
    generated = run("generate", "--round", SPRING, cwd=folder)
    assert generated.exit_code == 0, generated.output
    for _, name, _, _ in PARTNERS:
        assert f"  {name}: pre-filled from '{AUTUMN}'" in generated.output
    spring = folder / "rounds" / "2027-spring"

    # North changes two stages (one up, one down) and one target in the dropdowns; South
    # saves its pre-filled workbook as it is, as ods; East does not return.
    north_sent = spring / "outbox" / "north-trust.xlsx"
    cells = Cells(north_sent)
    ladder = [s.id for s in fw.stages]
    label = {s.id: s.label for s in fw.stages}
    c_up, c_down, c_target = fw.criteria[0], fw.criteria[1], fw.criteria[2]
    # North's round-1 stages: criterion n had ladder[n % 3].
    assert expected["north"][c_up.id][0] == ladder[0]
    assert expected["north"][c_down.id][0] == ladder[1]
    assert expected["north"][c_target.id][1] == ladder[-1]
    changes = [
        Edit.text(*cells(c_up.id, "stage"), label[ladder[2]]),
        Edit.text(*cells(c_down.id, "stage"), label[ladder[0]]),
        Edit.text(*cells(c_target.id, "target_stage"), label[ladder[1]]),
    ]
    batch = Batch()
    batch.edit(north_sent, changes, {"xlsx": spring / "inbox" / "north-trust.xlsx"})
    batch.edit(spring / "outbox" / "south-health.xlsx", [], {"ods": spring / "inbox" / "s.ods"})
    done = batch.run()
    assert done.ok, done.error
    for index in (0, 1):
        done.job(index)
    imported = run("import", cwd=folder)
    assert imported.exit_code == 0, imported.output
    returns = {r["org_id"]: r["status"] for r in csv_rows(spring / "data" / "returns.csv")}
    assert returns == {"north": "accepted", "south": "accepted", "east": "missing"}

    progress = csv_rows(spring / "data" / "progress.csv")
    got = {(r["org_id"], r["criterion_id"]): r for r in progress}
    assert set(got) == {(o, c.id) for o in ("north", "south") for c in fw.criteria}
    assert {r["previous_round"] for r in progress} == {AUTUMN}
    moved = {k: (r["previous_stage_id"], r["stage_id"], r["change"]) for k, r in got.items()}
    assert moved.pop(("north", c_up.id)) == (ladder[0], ladder[2], "up")
    assert moved.pop(("north", c_down.id)) == (ladder[1], ladder[0], "down")
    assert {change for _, _, change in moved.values()} == {"same"}
    assert all(before == now for before, now, _ in moved.values())

    # The new target is in stages.csv; every other answer is round 1's, carried over.
    stages = {
        (r["org_id"], r["criterion_id"]): (r["stage_id"], r["target_stage_id"], r["round"])
        for r in csv_rows(spring / "data" / "stages.csv")
    }
    want = {(o, c): (*v, SPRING) for o in ("north", "south") for c, v in expected[o].items()}
    want[("north", c_up.id)] = (ladder[2], expected["north"][c_up.id][1], SPRING)
    want[("north", c_down.id)] = (ladder[0], expected["north"][c_down.id][1], SPRING)
    want[("north", c_target.id)] = (expected["north"][c_target.id][0], ladder[1], SPRING)
    assert stages == want
