"""A workbook sent back with nothing filled in is `blank`: not received, still to chase."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import shutil
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from tests.filling import fill_with_openpyxl
from tests.helpers import generate_batch, import_paths, one_answer, orgs
from tests.test_consolidate import manifest_row, stage, tick
from xlsxkit.cli import cli
from xlsxkit.codes import Code
from xlsxkit.framework.model import Answer, Framework, Return, ReturnStatus
from xlsxkit.inbound import resolve as resolving
from xlsxkit.inbound.resolve import ImportResult
from xlsxkit.problems import warning
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.manifest import ManifestRow


def resolve(
    returns: list[Return], framework: Framework, manifest: list[ManifestRow] | None
) -> ImportResult:
    """resolve() at a fixed import time (it is pure: the time is an argument)."""
    return resolving.resolve(
        returns, framework, manifest, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    )


def read(org_id: str, *answers: Answer, **kw: object) -> Return:
    """A return as the reader gives it: accepted until resolve() decides."""
    fields: dict[str, object] = {
        "source": f"in/{org_id}.xlsx",
        "sha256": f"h-{org_id}",
        "status": ReturnStatus.ACCEPTED,
        "org_id": org_id,
        "org_name": org_id.title(),
        "answers": answers,
        **kw,
    }
    return Return(**fields)  # type: ignore[arg-type]


def untouched(framework: Framework) -> tuple[Answer, ...]:
    """Every item present and empty, unticked boxes FALSE: a workbook as it was sent."""
    return tuple(Answer(item_id=c.id, sheet="People", row=5) for c in framework.criteria) + tuple(
        Answer(item_id=a.id, sheet="People", row=6, done=False) for a in framework.actions
    )


def statuses(returns: tuple[Return, ...]) -> dict[str, str]:
    return {r.org_id or r.org_name: r.status for r in returns}


# the rule, on constructed returns ------------------------------------------------------


def test_a_return_with_nothing_filled_in_is_blank_and_still_missing(framework: Framework) -> None:
    manifest = [manifest_row("north", "North"), manifest_row("south", "South")]
    result = resolve(
        [read("north", *untouched(framework)), read("south", stage("people-x", None))],
        framework,
        manifest,
    )
    assert statuses(result.returns) == {"north": "blank", "south": "blank"}
    north = result.returns[0]
    assert north.code == "blank" and north.reason.startswith("returned blank")
    assert [m.org_id for m in result.missing] == ["north", "south"]
    assert result.expected == 2


def test_any_single_answer_makes_a_return_received(framework: Framework) -> None:
    c, a = framework.criteria[0], framework.actions[0]
    for answer in (
        stage(c.id, framework.stages[0].id),
        stage(c.id, None, comment="we have started"),
        tick(a.id, True),
        tick(a.id, False, notes="soon"),
        tick(a.id, False, lead="Ann"),
        tick(a.id, False, target_date="2027-03-31"),
    ):
        [r] = resolve([read("north", *untouched(framework)[1:], answer)], framework, None).returns
        assert r.status == ReturnStatus.ACCEPTED, answer


def test_a_generic_workbook_with_only_a_name_typed_is_blank(framework: Framework) -> None:
    generic = read("", *untouched(framework), org_name="Hilltop Hospice", generic=True)
    result = resolve([generic], framework, [manifest_row("hilltop-hospice", "Hilltop Hospice")])
    [r] = result.returns
    assert (r.status, r.org_id) == (ReturnStatus.BLANK, "hilltop-hospice")
    assert [m.org_id for m in result.missing] == ["hilltop-hospice"]


def test_a_return_whose_only_entries_are_unreadable_is_not_blank(framework: Framework) -> None:
    unreadable = read(
        "north",
        *untouched(framework),
        problems=(
            warning(Code.UNREADABLE_STAGE, "'Nearly' is not a stage", sheet="People", cell="E5"),
        ),
    )
    [r] = resolve([unreadable], framework, None).returns
    assert r.status == ReturnStatus.ACCEPTED and r.problems  # its warning says what to fix


def test_a_version_warning_alone_does_not_make_a_return_filled_in(framework: Framework) -> None:
    other_version = read(
        "north", *untouched(framework), problems=(warning(Code.FRAMEWORK_VERSION, "made from v0"),)
    )
    [r] = resolve([other_version], framework, None).returns
    assert r.status == ReturnStatus.BLANK


def test_a_blank_resend_never_replaces_a_filled_in_return(framework: Framework) -> None:
    filled = read("north", stage(framework.criteria[0].id, framework.stages[1].id))
    filled = dataclasses.replace(filled, saved_at="2026-11-01T10:00:00+00:00")
    later_blank = read(
        "north", *untouched(framework), source="in/north again.xlsx", sha256="h-again"
    )
    later_blank = dataclasses.replace(later_blank, saved_at="2026-11-20T10:00:00+00:00")
    result = resolve([filled, later_blank], framework, [manifest_row("north", "North")])
    assert [r.status for r in result.returns] == [ReturnStatus.ACCEPTED, ReturnStatus.BLANK]
    assert result.missing == ()


# end to end, on real workbooks ---------------------------------------------------------


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_the_untouched_workbook_sent_back_is_on_the_chaser_list(
    framework: Framework, tmp_path: Path
) -> None:
    from tests.helpers import write_filled

    north, south = orgs("North", "South")
    batch = generate_batch(framework, tmp_path / "outbox", [north, south])
    rows = {r.org_id: r for r in batch.rows}
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    back = inbox / "RE north.xlsx"
    shutil.copyfile(batch.out_dir / rows["north"].file, back)
    assert hashlib.sha256(back.read_bytes()).hexdigest() == rows["north"].sha256
    write_filled(
        framework, inbox / "south.xlsx", south, one_answer(framework), token=rows["south"].token
    )
    out, data = tmp_path / "summary.xlsx", tmp_path / "data"
    code, output = run("import", inbox, "--out", out, "--manifest", batch.manifest, "--data", data)
    assert code == 0, output
    assert (
        "2 file(s): 1 accepted, 0 superseded, 0 duplicate, 0 rejected, 0 skipped, 1 blank; "
        "1 missing." in output
    )
    assert "Missing: North (returned blank)" in output

    wb = openpyxl.load_workbook(out)
    overview = [[c.value for c in r] for r in wb["Overview"].iter_rows(max_row=8)]
    tiles = dict(zip(overview[5], overview[4], strict=False))
    assert (tiles["Expected"], tiles["Received"], tiles["Missing"]) == (2, 1, 1)
    sentence = overview[6][0]
    assert sentence.startswith("1 of 2 organisations have returned") and "blank" in sentence
    returns_sheet = [[c.value for c in r] for r in wb["Returns"].iter_rows()]
    file_row = next(r for r in returns_sheet if r[0] == str(back))
    assert file_row[1] == "blank"
    chase = next(r for r in returns_sheet if r[0] == "North" and r[1] == "missing")
    assert chase[4] == f"returned blank ({back}): nothing was filled in"  # contact: own columns

    got = list(csv.DictReader(io.StringIO((data / "returns.csv").read_text(encoding="utf-8-sig"))))
    assert [(r["org_id"], r["status"]) for r in got] == [
        ("north", "blank"),
        ("south", "accepted"),
        ("north", "missing"),
    ]
    assert got[2]["reason"].startswith("returned blank (")


def test_importing_the_outbox_by_mistake_imports_nothing(
    framework: Framework, tmp_path: Path
) -> None:
    batch = generate_batch(framework, tmp_path / "outbox", orgs("North", "South", "East"))
    code, output = run(
        "import", batch.out_dir, "--out", tmp_path / "s.xlsx", "--manifest", batch.manifest
    )
    assert code == 1
    assert "0 accepted" in output and "3 blank; 3 missing." in output
    assert "all 3 file(s) found came back blank" in output and "outbox" in output


def test_a_generic_workbook_with_only_the_name_typed_is_blank(
    framework: Framework, tmp_path: Path
) -> None:
    generic = generate_batch(framework, tmp_path / "generic", [])
    inbox = tmp_path / "in"
    inbox.mkdir()
    src = generic.out_dir / generic.rows[0].file
    fill_with_openpyxl(src, inbox / "named.xlsx", {(L.START_ORG_ROW_ID, "org_name"): "Hilltop"})
    fill_with_openpyxl(
        src,
        inbox / "answered.xlsx",
        {(L.START_ORG_ROW_ID, "org_name"): "Dale Trust", **one_answer(framework)},
    )
    result = import_paths(framework, inbox)
    assert {Path(r.source).name: (r.status, r.org_id) for r in result.returns} == {
        "named.xlsx": ("blank", "hilltop"),
        "answered.xlsx": ("accepted", "dale-trust"),
    }
