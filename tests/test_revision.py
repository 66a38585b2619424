"""A framework revised between rounds, through the command line: round 1 is generated and
returned, framework.yaml is edited (one action added, one removed, one criterion reworded;
ids kept), round 2 is generated. The generate report says exactly what changed, by id; the
pre-fill carries over by id and the new action starts blank; the import of round 2 takes
the answers with no wording warning (the hash is of the wording the round-2 workbook
shows); progress.csv compares the rounds; and round 1, imported again after the revision,
is still checked against the framework it was generated with."""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from tests.filling import Answers, fill_with_openpyxl
from xlsxkit.cli import cli
from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Framework
from xlsxkit.workbook.read import read_return

AUTUMN, SPRING = "2026 autumn", "2027 spring"
PARTNERS = [("north", "North Trust"), ("south", "South Health"), ("east", "East Care")]
REWORDED = "people-staff-engagement"  # a criterion
REMOVED = "people-use-staff-engagement-opportunities"  # an action of that criterion
ADDED = "people-new-induction-briefing"  # a new action of it


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


def revise(path: Path) -> None:
    """framework.yaml edited as a coordinator would: ids kept, one criterion reworded,
    one action removed, one added, a new version."""
    doc: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
    doc["framework"]["version"] = "1.1"
    criterion = doc["dimensions"][0]["criteria"][0]
    assert criterion["id"] == REWORDED
    criterion["text"] = "Staff at every level of the partner organisations are engaged."
    actions = criterion["actions"]
    assert actions["some-work-done"][1]["id"] == REMOVED
    del actions["some-work-done"][1]
    actions["not-well-developed"].append(
        {"id": ADDED, "text": "Brief new staff on IP at their induction."}
    )
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), "utf-8")


def answers_of(framework: Framework, i: int) -> Answers:
    """A full return: a stage and a comment for every criterion, every action ticked or
    not with notes, and a target on every other criterion."""
    answers: Answers = {}
    stages = framework.stages
    for n, c in enumerate(framework.criteria):
        answers[(c.id, "stage")] = stages[(n + i) % len(stages)].label
        answers[(c.id, "comment")] = f"evidence {i}-{n}"
        if n % 2 == 0:
            answers[(c.id, "target_stage")] = stages[-1].label
    for n, a in enumerate(framework.actions):
        answers[(a.id, "done")] = (n + i) % 2 == 0
        answers[(a.id, "notes")] = f"note {i}-{n}"
    return answers


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    folder = tmp_path / "campaign"
    assert run("init", folder, cwd=tmp_path).exit_code == 0
    with (folder / "partners.csv").open("a", encoding="utf-8") as fh:
        for org_id, name in PARTNERS:
            fh.write(f"{org_id},{name},,\n")
    return folder


def test_a_framework_revised_between_rounds_is_reported_carried_over_by_id_and_imported(
    campaign: Path,
) -> None:
    v1 = require_framework(campaign / "framework.yaml")
    r1 = run("generate", "--round", AUTUMN, cwd=campaign)
    assert r1.exit_code == 0, r1.output
    autumn = campaign / "rounds" / "2026-autumn"
    # The round keeps the framework it was generated with, byte for byte.
    assert (autumn / "framework.yaml").read_bytes() == (campaign / "framework.yaml").read_bytes()
    sent = {"north": "north-trust.xlsx", "south": "south-health.xlsx", "east": "east-care.xlsx"}
    filled = {org: answers_of(v1, i) for i, org in enumerate(("north", "south"))}
    for org, answers in filled.items():
        fill_with_openpyxl(autumn / "outbox" / sent[org], autumn / "inbox" / sent[org], answers)
    imported = run("import", cwd=campaign)
    assert imported.exit_code == 0, imported.output

    revise(campaign / "framework.yaml")
    v2 = require_framework(campaign / "framework.yaml")
    r2 = run("generate", "--round", SPRING, cwd=campaign)
    assert r2.exit_code == 0, r2.output
    out = r2.output
    assert "Framework changes since '2026 autumn' (ip-engaging-people 1.0 then, " in out
    assert f"  added, starting blank: {ADDED}\n" in out
    assert f"  removed, dropped from the pre-fill: {REMOVED}\n" in out
    assert f"  reworded, answers kept (ask partners to re-read them): {REWORDED}\n" in out
    assert out.count(REMOVED) == 1 and out.count(ADDED) == 1  # said once, not per partner
    n_answers = len(v2.criteria) + len(v2.actions) - 1  # every item but the new one
    assert f"  North Trust: pre-filled from '2026 autumn' ({n_answers} answers)\n" in out
    assert f"  South Health: pre-filled from '2026 autumn' ({n_answers} answers)\n" in out
    assert "Blank (no earlier accepted return): East Care" in out

    # The pre-fill, read back from the round-2 workbooks: carried by id, the new action
    # blank, the removed one gone, the reworded criterion keeps its answer.
    spring = campaign / "rounds" / "2027-spring"
    labels = {s.label: s.id for s in v1.stages}
    for org, answers in filled.items():
        got = {a.item_id: a for a in read_return(spring / "outbox" / sent[org], v2).answers}
        assert REMOVED not in got
        assert got[ADDED].done is False and got[ADDED].notes == ""
        for c in v2.criteria:
            assert got[c.id].stage_id == labels[answers[(c.id, "stage")]], (org, c.id)
            assert got[c.id].comment == answers[(c.id, "comment")]
            target = answers.get((c.id, "target_stage"))
            assert got[c.id].target_stage_id == (labels[target] if target else None)
        for a in v2.actions:
            if a.id != ADDED:
                assert got[a.id].done is answers[(a.id, "done")], (org, a.id)
                assert got[a.id].notes == answers[(a.id, "notes")]

    # Round 2 returned: north changes its reworded criterion's stage, south sends the
    # pre-filled workbook back untouched apart from one tick (so it is not blank).
    stage_ids = [s.id for s in v2.stages]
    before = labels[filled["north"][(REWORDED, "stage")]]
    after = stage_ids[(stage_ids.index(before) + 1) % len(stage_ids)]
    up_or_down = "up" if stage_ids.index(after) > stage_ids.index(before) else "down"
    label = {s.id: s.label for s in v2.stages}
    fill_with_openpyxl(
        spring / "outbox" / sent["north"],
        spring / "inbox" / sent["north"],
        {(REWORDED, "stage"): label[after], (ADDED, "done"): True},
    )
    fill_with_openpyxl(
        spring / "outbox" / sent["south"],
        spring / "inbox" / sent["south"],
        {(ADDED, "done"): True},
    )
    imported = run("import", cwd=campaign)
    assert imported.exit_code == 0, imported.output
    returns = {r["org_id"]: r for r in csv_rows(spring / "data" / "returns.csv")}
    assert {k: v["status"] for k, v in returns.items()} == {
        "north": "accepted",
        "south": "accepted",
        "east": "missing",
    }
    # The reworded criterion shows its new wording in the round-2 workbook, and its hash is
    # of that wording: no "wording edited" warning.
    problems = csv_rows(spring / "data" / "problems.csv")
    assert not [p for p in problems if p["code"] == "wording-edited"], problems
    actions = {(r["org_id"], r["action_id"]): r for r in csv_rows(spring / "data" / "actions.csv")}
    assert actions[("north", ADDED)]["done"] == "true"
    assert actions[("south", ADDED)]["done"] == "true"
    assert ("north", REMOVED) not in actions

    progress = csv_rows(spring / "data" / "progress.csv")
    by_key = {(r["org_id"], r["criterion_id"]): r for r in progress}
    assert set(by_key) == {(o, c.id) for o in ("north", "south") for c in v2.criteria}
    assert by_key[("north", REWORDED)]["change"] == up_or_down
    assert by_key[("north", REWORDED)]["previous_stage_id"] == before
    assert by_key[("north", REWORDED)]["stage_id"] == after
    assert {r["change"] for k, r in by_key.items() if k != ("north", REWORDED)} == {"same"}
    assert {r["previous_round"] for r in progress} == {AUTUMN}

    # Round 1 imported again after the revision: checked against its own framework (its
    # workbooks show the old wording and the removed action), so nothing changes.
    old_stages = (autumn / "data" / "stages.csv").read_bytes()
    again = run("import", "--round", AUTUMN, cwd=campaign)
    assert again.exit_code == 0, again.output
    problems = csv_rows(autumn / "data" / "problems.csv")
    assert not [p for p in problems if p["code"] == "wording-edited"], problems
    assert (autumn / "data" / "stages.csv").read_bytes() == old_stages


def test_a_late_partner_cannot_get_a_workbook_of_a_revised_framework_in_an_old_round(
    campaign: Path,
) -> None:
    assert run("generate", "--round", AUTUMN, cwd=campaign).exit_code == 0
    revise(campaign / "framework.yaml")
    with (campaign / "partners.csv").open("a", encoding="utf-8") as fh:
        fh.write("late,Late Partner,,\n")
    refused = run("generate", "--round", AUTUMN, cwd=campaign)
    assert refused.exit_code == 1, refused.output
    assert "was generated with the framework ip-engaging-people 1.0" in refused.output
    assert "(--framework rounds/2026-autumn/framework.yaml)" in refused.output
    assert not (campaign / "rounds" / "2026-autumn" / "outbox" / "late-partner.xlsx").exists()
    # With the round's own framework, as the message says, the late partner gets theirs.
    kept = campaign / "rounds" / "2026-autumn" / "framework.yaml"
    late = run("generate", "--round", AUTUMN, "--framework", kept, cwd=campaign)
    assert late.exit_code == 0, late.output
    assert (campaign / "rounds" / "2026-autumn" / "outbox" / "late-partner.xlsx").is_file()


def test_a_round_whose_framework_copy_is_missing_says_rewording_cannot_be_told(
    campaign: Path,
) -> None:
    v1 = require_framework(campaign / "framework.yaml")
    assert run("generate", "--round", AUTUMN, cwd=campaign).exit_code == 0
    autumn = campaign / "rounds" / "2026-autumn"
    fill_with_openpyxl(
        autumn / "outbox" / "north-trust.xlsx", autumn / "inbox" / "n.xlsx", answers_of(v1, 0)
    )
    assert run("import", cwd=campaign).exit_code == 0
    (autumn / "framework.yaml").unlink()  # as a round made before copies were kept
    shutil.copy(campaign / "framework.yaml", campaign / "framework-v1.yaml")
    revise(campaign / "framework.yaml")
    r2 = run("generate", "--round", SPRING, cwd=campaign)
    assert r2.exit_code == 0, r2.output
    assert "Framework changes since" not in r2.output
    assert f"dropped 1 no longer in the framework: {REMOVED}" in r2.output
    assert f"1 new since start blank: {ADDED}" in r2.output
    assert "items reworded since cannot be listed" in r2.output
