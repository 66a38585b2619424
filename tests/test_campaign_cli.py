"""The campaign through the command line: init makes the folder, every command finds it the
way git finds its repository, and ``generate --round`` writes a round from the store, with
late partners and pre-fill from earlier rounds' accepted answers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from xlsxkit.campaign.store import AcceptedReturn, AnswerRecord, ItemKind, Store
from xlsxkit.cli import cli
from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Answer, Framework
from xlsxkit.workbook.manifest import read_manifest
from xlsxkit.workbook.plan import plan_workbook
from xlsxkit.workbook.read import read_return

PARTNERS = [("north", "North Trust"), ("south", "South Trust"), ("east", "East"), ("west", "West")]


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


def add_partners(folder: Path, partners: list[tuple[str, str]]) -> None:
    with (folder / "partners.csv").open("a", encoding="utf-8") as fh:
        for org_id, name in partners:
            fh.write(f"{org_id},{name},,\n")


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    folder = tmp_path / "campaign"
    result = run("init", folder, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    add_partners(folder, PARTNERS)
    return folder


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.iterdir()
        if p.suffix == ".xlsx"
    }


def test_init_makes_a_campaign_folder_with_settings_and_an_empty_store(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    result = run("init", folder, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "xlsxkit.yaml" in result.output and "xlsxkit.db" in result.output
    assert "title:" in (folder / "xlsxkit.yaml").read_text("utf-8")
    with Store.open(folder / "xlsxkit.db") as store:
        assert store.rounds() == () and store.organisations() == ()
        assert store.integrity_check() == ["ok"]


def test_init_says_what_each_file_it_wrote_is_for(tmp_path: Path) -> None:
    result = run("init", tmp_path / "c", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    listed = [line.split() for line in result.output.splitlines() if line.startswith("  ")]
    described = {words[0]: " ".join(words[1:]) for words in listed if len(words) > 1}
    for template in ("email.txt", "reminder.txt", "feedback.txt", "instructions.txt"):
        assert (tmp_path / "c" / "templates" / template).is_file()
    assert "xlsxkit send" in described["templates/email.txt"]
    assert "--remind" in described["templates/reminder.txt"]
    assert "--feedback" in described["templates/feedback.txt"]
    assert "Start sheet" in described["templates/instructions.txt"]
    # Every file gets its own words: none of them falls back to a generic description.
    assert len(set(described.values())) == len(described)


@pytest.mark.parametrize("existing", ["xlsxkit.yaml", "xlsxkit.db"])
def test_init_never_overwrites_the_settings_or_the_store(existing: str, tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / existing).write_bytes(b"mine\n")
    result = run("init", folder, cwd=tmp_path)
    assert result.exit_code == 1
    assert str(folder / existing) in result.output and "nothing was written" in result.output
    assert [p.name for p in folder.iterdir()] == [existing]
    assert (folder / existing).read_bytes() == b"mine\n"


def test_a_round_for_four_partners_then_a_late_fifth_touches_nothing_written(
    campaign: Path,
) -> None:
    result = run("generate", "--round", "2027 spring", "--deadline", "2027-06-30", cwd=campaign)
    assert result.exit_code == 0, result.output
    assert "Round '2027 spring', due 2027-06-30 (new): wrote 4 workbooks" in result.output
    outbox = campaign / "rounds" / "2027-spring" / "outbox"
    first = digests(outbox)
    assert sorted(first) == ["east.xlsx", "north-trust.xlsx", "south-trust.xlsx", "west.xlsx"]
    for sub in ("inbox", "data"):
        assert (campaign / "rounds" / "2027-spring" / sub).is_dir()

    # Nothing new: nothing written, and the command says so.
    again = run("generate", "--round", "2027 spring", cwd=campaign)
    assert again.exit_code == 0 and "nothing was written" in again.output
    assert digests(outbox) == first

    # A late partner, from a folder below the campaign, with the latest round by default.
    add_partners(campaign, [("late", "Late Partner")])
    below = campaign / "rounds"
    late = run("generate", cwd=below)
    assert late.exit_code == 0, late.output
    assert "wrote 1 workbook" in late.output and "4 written before" in late.output
    now = digests(outbox)
    assert {k: v for k, v in now.items() if k in first} == first
    assert set(now) - set(first) == {"late-partner.xlsx"}

    manifest = read_manifest(outbox / "manifest.csv")
    assert [r.org_id for r in manifest] == ["north", "south", "east", "west", "late"]
    with Store.open(campaign / "xlsxkit.db") as store:
        [rnd] = store.rounds()
        assert (rnd.name, rnd.deadline) == ("2027 spring", dt.date(2027, 6, 30))
        recorded = {(w.org_id, w.file, w.token, w.sha256) for w in store.workbooks(rnd.slug)}
    # manifest.csv is an export of the store, and the store knows every file's bytes
    assert recorded == {
        (r.org_id, f"rounds/2027-spring/outbox/{r.file}", r.token, r.sha256) for r in manifest
    }
    assert {Path(f).name: s for _, f, _, s in recorded} == now


def test_campaign_option_names_the_folder_from_anywhere(campaign: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run("generate", "--campaign", campaign, "--round", "R1", cwd=elsewhere)
    assert result.exit_code == 0, result.output
    assert len(digests(campaign / "rounds" / "r1" / "outbox")) == 4
    assert not any(elsewhere.iterdir())
    status = run("status", "--campaign", campaign, cwd=elsewhere)
    assert status.exit_code == 0 and "4 missing" in status.output


def test_explicit_options_override_the_campaign(campaign: Path, tmp_path: Path) -> None:
    # An explicit --out writes a plain batch, as outside a campaign, with the explicit orgs.
    out = tmp_path / "batch"
    result = run("generate", "--org", "Solo", "--out", out, cwd=campaign)
    assert result.exit_code == 0, result.output
    assert sorted(digests(out)) == ["solo.xlsx"]
    assert not (campaign / "rounds").exists()
    # An explicit --framework is the one validated, not the campaign's.
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\n", "utf-8")
    assert run("validate", cwd=campaign).exit_code == 0
    assert run("validate", "--framework", broken, cwd=campaign).exit_code == 1


def test_commands_in_a_subfolder_use_the_campaign_framework(campaign: Path) -> None:
    below = campaign / "notes"
    below.mkdir()
    fw = campaign / "framework.yaml"
    fw.write_text(fw.read_text("utf-8").replace("version:", "#version:", 1), "utf-8")
    result = run("validate", cwd=below)
    assert result.exit_code == 1
    assert str(fw) in result.output


def test_outside_a_campaign_commands_behave_as_before(tmp_path: Path) -> None:
    missing = run("generate", "--org", "A", cwd=tmp_path)
    assert missing.exit_code == 2 and "--out" in missing.output
    status = run("status", cwd=tmp_path)
    assert status.exit_code == 1
    assert "not in one" in status.output and "xlsxkit init" in status.output
    not_one = run("status", "--campaign", tmp_path, cwd=tmp_path)
    assert not_one.exit_code == 1 and "not a campaign folder" in not_one.output


def test_a_campaign_round_refuses_force_and_an_empty_partner_list(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    assert run("init", folder, cwd=tmp_path).exit_code == 0
    empty = run("generate", "--round", "R1", cwd=folder)
    assert empty.exit_code == 1 and "partners.csv" in empty.output
    assert "add one row per organisation" in empty.output
    add_partners(folder, [("a", "A")])
    forced = run("generate", "--round", "R1", "--force", cwd=folder)
    assert forced.exit_code == 2 and "never replaced" in forced.output
    first = run("generate", cwd=folder)
    assert first.exit_code == 2 and "no round yet" in first.output


# --------------------------------------------------------------------------------------
# pre-fill


def filled_answers(framework: Framework) -> list[Answer]:
    """A full return: every stage, comment, tick, note, lead and target date given."""
    plan = plan_workbook(framework)
    answers = []
    for i, c in enumerate(framework.criteria):
        where = plan.items[c.id]
        stage = framework.stages[i % len(framework.stages)].id
        target = framework.stages[(i + 1) % len(framework.stages)].id if i % 2 else None
        answers.append(
            Answer(
                item_id=c.id,
                sheet=where.sheet,
                row=where.row + 1,
                stage_id=stage,
                target_stage_id=target,
                comment=f"c{i}",
            )
        )
    for i, a in enumerate(framework.actions):
        where = plan.items[a.id]
        answers.append(
            Answer(
                item_id=a.id,
                sheet=where.sheet,
                row=where.row + 1,
                done=i % 2 == 0,
                notes=f"n{i}" if i % 3 else "",
                lead=f"Lead {i}" if i % 4 else "",
                target_date=f"2027-0{1 + i % 9}-1{i % 10}" if i % 5 else "",
            )
        )
    return answers


def as_records(framework: Framework, answers: list[Answer]) -> list[AnswerRecord]:
    """The answers as the store keeps an accepted return's, targets included."""
    return [
        dataclasses.replace(
            AnswerRecord.from_answer(
                a,
                kind=ItemKind.CRITERION if framework.has_criterion(a.item_id) else ItemKind.ACTION,
            ),
            target_stage_id=a.target_stage_id,
        )
        for a in answers
    ]


def accept(store_path: Path, round_slug: str, org_id: str, records: list[AnswerRecord]) -> None:
    with Store.open(store_path) as store:
        store.set_accepted(
            AcceptedReturn(
                round_slug=round_slug,
                org_id=org_id,
                file_id=None,
                accepted_at=dt.datetime(2027, 5, 1, tzinfo=dt.UTC),
                answers=tuple(records),
            )
        )


def test_round_two_starts_from_each_partners_accepted_answers(campaign: Path) -> None:
    framework = require_framework(campaign / "framework.yaml")
    assert run("generate", "--round", "2027 spring", cwd=campaign).exit_code == 0
    answers = filled_answers(framework)
    records = as_records(framework, answers)
    # An item the framework has since dropped: reported, never written.
    gone = AnswerRecord(item_id="retired-action", kind=ItemKind.ACTION, done=True)
    accept(campaign / "xlsxkit.db", "2027-spring", "north", [*records, gone])

    result = run("generate", "--round", "2027 autumn", cwd=campaign)
    assert result.exit_code == 0, result.output
    assert "North Trust: pre-filled from '2027 spring'" in result.output
    assert f"({len(answers)} answers)" in result.output
    assert "dropped 1 no longer in the framework: retired-action" in result.output
    assert "Blank (no earlier accepted return): South Trust, East, West" in result.output

    outbox = campaign / "rounds" / "2027-autumn" / "outbox"
    north = read_return(outbox / "north-trust.xlsx", framework)
    assert north.round == "2027 autumn"
    # The answers read from the untouched pre-filled workbook are the round-1 answers.
    assert {a.item_id: a for a in north.answers} == {a.item_id: a for a in answers}
    assert any(a.target_stage_id for a in north.answers)
    # Beside each stage, the locked cell says what the last round's answer was.
    book = openpyxl.load_workbook(outbox / "north-trust.xlsx")
    shown = [
        str(c)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
        if isinstance(c, str) and c.startswith("Last round (2027 spring)")
    ]
    assert len(shown) >= len(framework.criteria)
    south = read_return(outbox / "south-trust.xlsx", framework)
    assert all(a.stage_id is None and not a.done and not a.notes for a in south.answers)


def test_prefill_takes_the_latest_earlier_round_with_an_accepted_return(campaign: Path) -> None:
    framework = require_framework(campaign / "framework.yaml")
    for name in ("R1", "R2"):
        assert run("generate", "--round", name, cwd=campaign).exit_code == 0
    answers = filled_answers(framework)
    criterion = framework.criteria[0]
    older = answers
    newer = [
        a
        if a.item_id != criterion.id
        else Answer(item_id=a.item_id, sheet=a.sheet, row=a.row, stage_id=framework.stages[-1].id)
        for a in answers
    ]

    def records(items: list[Answer]) -> list[AnswerRecord]:
        return as_records(framework, items)

    store = campaign / "xlsxkit.db"
    accept(store, "r1", "east", records(older))
    accept(store, "r2", "east", records(newer))
    accept(store, "r1", "west", records(older))  # west did not return in R2
    result = run("generate", "--round", "R3", cwd=campaign)
    assert result.exit_code == 0, result.output
    assert "East: pre-filled from 'R2'" in result.output
    assert "West: pre-filled from 'R1'" in result.output
    outbox = campaign / "rounds" / "r3" / "outbox"
    east = {a.item_id: a for a in read_return(outbox / "east.xlsx", framework).answers}
    assert east[criterion.id].stage_id == framework.stages[-1].id
    west = {a.item_id: a for a in read_return(outbox / "west.xlsx", framework).answers}
    assert west == {a.item_id: a for a in older}


def test_a_round_that_cannot_be_written_leaves_no_round_in_the_store(campaign: Path) -> None:
    (campaign / "rounds").mkdir()
    (campaign / "rounds" / "r1").write_bytes(b"in the way")
    failed = run("generate", "--round", "R1", cwd=campaign)
    assert failed.exit_code == 1 and "rounds/r1/outbox: cannot make the folder" in failed.output
    with Store.open(campaign / "xlsxkit.db") as store:
        assert store.rounds() == () and store.workbooks() == ()
    (campaign / "rounds" / "r1").unlink()
    assert run("generate", "--round", "R1", cwd=campaign).exit_code == 0
    with Store.open(campaign / "xlsxkit.db") as store:
        assert [(r.name, r.position) for r in store.rounds()] == [("R1", 1)]


def test_a_round_name_that_would_share_another_rounds_folder_is_refused(campaign: Path) -> None:
    assert run("generate", "--round", "2027 spring", cwd=campaign).exit_code == 0
    clash = run("generate", "--round", "2027 Spring!", cwd=campaign)
    assert clash.exit_code == 1
    assert "rounds/2027-spring" in clash.output and "'2027 spring'" in clash.output
    with Store.open(campaign / "xlsxkit.db") as store:
        assert [r.name for r in store.rounds()] == ["2027 spring"]


def test_a_later_deadline_for_an_existing_round_is_recorded(campaign: Path) -> None:
    assert run("generate", "--round", "R1", "--deadline", "2099-01-31", cwd=campaign).exit_code == 0
    add_partners(campaign, [("late", "Late")])
    late = run("generate", "--round", "R1", "--deadline", "2099-02-28", cwd=campaign)
    assert late.exit_code == 0 and "due 2099-02-28" in late.output
    with Store.open(campaign / "xlsxkit.db") as store:
        assert [r.deadline for r in store.rounds()] == [dt.date(2099, 2, 28)]


def test_the_settings_file_gives_the_defaults_and_is_checked(campaign: Path) -> None:
    settings = campaign / "xlsxkit.yaml"
    text = settings.read_text("utf-8")
    settings.write_text(
        text.replace("return_to:", 'return_to: "ip@example.org"', 1).replace(
            "  deadline:", "  deadline: 2099-03-31", 1
        ),
        "utf-8",
    )
    result = run("generate", "--round", "R1", cwd=campaign)
    assert result.exit_code == 0, result.output
    assert "due 2099-03-31" in result.output
    framework = require_framework(campaign / "framework.yaml")
    north = read_return(campaign / "rounds" / "r1" / "outbox" / "north-trust.xlsx", framework)
    assert north.round == "R1"
    book = openpyxl.load_workbook(campaign / "rounds" / "r1" / "outbox" / "north-trust.xlsx")
    cells = [str(c) for row in book["Start"].iter_rows(values_only=True) for c in row if c]
    assert any("ip@example.org" in c for c in cells)
    with Store.open(campaign / "xlsxkit.db") as store:
        assert [r.deadline for r in store.rounds()] == [dt.date(2099, 3, 31)]
    # An explicit option wins over the settings.
    add_partners(campaign, [("late", "Late")])
    late = run("generate", "--round", "R1", "--deadline", "2099-04-30", cwd=campaign)
    assert late.exit_code == 0 and "due 2099-04-30" in late.output
    # A broken settings file stops every command, with its line.
    settings.write_text("title: [unclosed\n", "utf-8")
    broken = run("validate", cwd=campaign)
    assert broken.exit_code == 1 and "xlsxkit.yaml" in broken.output


def test_an_item_new_since_the_last_round_starts_blank_and_is_reported(campaign: Path) -> None:
    framework = require_framework(campaign / "framework.yaml")
    assert run("generate", "--round", "R1", cwd=campaign).exit_code == 0
    answers = filled_answers(framework)
    new = next(a for a in answers if a.done)  # as if this action was added after R1
    accept(
        campaign / "xlsxkit.db",
        "r1",
        "north",
        as_records(framework, [a for a in answers if a.item_id != new.item_id]),
    )
    result = run("generate", "--round", "R2", cwd=campaign)
    assert result.exit_code == 0, result.output
    assert f"1 new since start blank: {new.item_id}" in result.output
    read = {
        a.item_id: a
        for a in read_return(campaign / "rounds/r2/outbox/north-trust.xlsx", framework).answers
    }
    assert read[new.item_id].done is False and read[new.item_id].notes == ""
    assert all(read[a.item_id] == a for a in answers if a.item_id != new.item_id)


def test_a_round_being_written_by_another_run_is_left_alone(campaign: Path) -> None:
    import fcntl

    first = run("generate", "--round", "2027 spring", cwd=campaign)
    assert first.exit_code == 0, first.output
    outbox = campaign / "rounds" / "2027-spring" / "outbox"
    before = {p.name: p.read_bytes() for p in outbox.iterdir()}
    add_partners(campaign, [("late", "Late Partner")])
    fd = os.open(outbox, os.O_RDONLY)  # another run, holding the outbox's write lock
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        busy = run("generate", "--round", "2027 spring", cwd=campaign)
    finally:
        os.close(fd)
    assert busy.exit_code == 1
    assert "another xlsxkit run is writing into this folder" in busy.output
    assert {p.name: p.read_bytes() for p in outbox.iterdir()} == before
    late = run("generate", "--round", "2027 spring", cwd=campaign)
    assert late.exit_code == 0, late.output
    # no temporary name is left beside the workbooks and the manifest
    assert sorted(p.name for p in outbox.iterdir() if p.name.startswith(".")) == []
