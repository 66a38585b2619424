"""Import: identity, framework match, duplicates, superseded, missing, tokens."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl

from tests.filling import fill_with_openpyxl, random_answers
from tests.fwtools import write
from tests.helpers import (
    assert_answers_match,
    by_id,
    generate_batch,
    import_paths,
    one_answer,
    only,
    orgs,
    write_filled,
)
from xlsxkit.framework.load import load_framework
from xlsxkit.framework.model import Framework, ReturnStatus
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.write import CellValue

ROOT = Path(__file__).resolve().parent.parent


def statuses(result) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {Path(r.source).name: r.status for r in result.returns}


def test_latest_save_wins_and_copies_are_duplicates(framework: Framework, tmp_path: Path) -> None:
    [org] = orgs("North Trust")
    inbox = tmp_path / "in"
    inbox.mkdir()
    early = random_answers(framework, 1)
    late = random_answers(framework, 2)
    write_filled(
        framework, inbox / "a-first.xlsx", org, early, saved=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )
    write_filled(
        framework, inbox / "b-second.xlsx", org, late, saved=dt.datetime(2026, 11, 5, tzinfo=dt.UTC)
    )
    shutil.copy(inbox / "a-first.xlsx", inbox / "c-copy.xlsx")
    result = import_paths(framework, inbox)
    assert statuses(result) == {
        "a-first.xlsx": "superseded",
        "b-second.xlsx": "accepted",
        "c-copy.xlsx": "duplicate",
    }
    sup = next(r for r in result.returns if r.status == "superseded")
    assert "b-second.xlsx" in sup.reason and "saved later" in sup.reason
    dup = next(r for r in result.returns if r.status == "duplicate")
    assert "a-first.xlsx" in dup.reason
    assert_answers_match(framework, only(result), late)


def test_saved_time_falls_back_to_file_time(framework: Framework, tmp_path: Path) -> None:
    import os

    [org] = orgs("North Trust")
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name, seed, mtime in (("x.xlsx", 1, 1_700_000_000), ("y.xlsx", 2, 1_600_000_000)):
        path = write_filled(framework, inbox / name, org, random_answers(framework, seed))
        # Remove the saved time from the document properties.
        wb = openpyxl.load_workbook(path)
        wb.properties.modified = None
        wb.save(path)
        import zipfile

        data = zipfile.ZipFile(path).read("docProps/core.xml")
        if b"dcterms:modified" in data:
            rebuilt = tmp_path / "r.xlsx"
            with zipfile.ZipFile(path) as zin, zipfile.ZipFile(rebuilt, "w") as zout:
                for info in zin.infolist():
                    body = zin.read(info)
                    if info.filename == "docProps/core.xml":
                        import re

                        body = re.sub(
                            rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", b"", body
                        )
                    zout.writestr(info, body)
            shutil.move(rebuilt, path)
        os.utime(path, (mtime, mtime))
    result = import_paths(framework, inbox)
    assert statuses(result) == {"x.xlsx": "accepted", "y.xlsx": "superseded"}
    assert only(result).saved_at_source == "file"


def test_missing_and_forwarded_copy(framework: Framework, tmp_path: Path) -> None:
    batch = generate_batch(framework, tmp_path / "out", orgs("North", "South", "East"))
    north, _south, _east = batch.rows
    inbox = tmp_path / "in"
    inbox.mkdir()
    n_org, s_org = orgs("North", "South")[0], orgs("North", "South")[1]
    write_filled(
        framework, inbox / "north.xlsx", n_org, random_answers(framework, 1), token=north.token
    )
    # A sister organisation filled in North's forwarded workbook, from an earlier batch.
    write_filled(
        framework,
        inbox / "north-forwarded.xlsx",
        n_org,
        random_answers(framework, 2),
        token="old-batch-token",
        saved=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )
    # South's file came from an older batch, and nothing else came from South.
    write_filled(
        framework, inbox / "south.xlsx", s_org, random_answers(framework, 3), token="stale"
    )
    result = import_paths(framework, inbox, manifest=batch.manifest)
    assert statuses(result) == {
        "north.xlsx": "accepted",
        "north-forwarded.xlsx": "rejected",
        "south.xlsx": "accepted",
    }
    fwd = next(r for r in result.returns if r.status == "rejected")
    assert fwd.code == "token-mismatch"
    south_r = next(r for r in result.returns if r.source.endswith("south.xlsx"))
    assert [p.code for p in south_r.problems] == ["token-mismatch"]
    assert [m.org_name for m in result.missing] == ["East"]
    assert result.expected == 3


def test_generic_workbook_takes_the_typed_name(framework: Framework, tmp_path: Path) -> None:
    batch = generate_batch(framework, tmp_path / "out", [])
    assert batch.generic
    src = batch.out_dir / batch.rows[0].file
    inbox = tmp_path / "in"
    inbox.mkdir()
    answers = random_answers(framework, 4)
    fill_with_openpyxl(
        src,
        inbox / "filled.xlsx",
        {**answers, (L.START_ORG_ROW_ID, "org_name"): "  Hilltop   Hospice "},
    )
    fill_with_openpyxl(src, inbox / "blank-name.xlsx", answers)
    result = import_paths(framework, inbox)
    r = only(result)
    assert (r.org_id, r.org_name, r.generic) == ("hilltop-hospice", "Hilltop Hospice", True)
    assert_answers_match(framework, r, answers)
    rejected = only(result, ReturnStatus.REJECTED)
    assert rejected.code == "no-organisation"
    assert "type it" in rejected.reason


def test_generic_workbook_matches_a_manifest_name(framework: Framework, tmp_path: Path) -> None:
    batch = generate_batch(framework, tmp_path / "out", orgs("Hilltop Hospice"))
    generic = generate_batch(framework, tmp_path / "generic", [])
    inbox = tmp_path / "in"
    inbox.mkdir()
    fill_with_openpyxl(
        generic.out_dir / generic.rows[0].file,
        inbox / "g.xlsx",
        {(L.START_ORG_ROW_ID, "org_name"): "HILLTOP hospice", **one_answer(framework)},
    )
    result = import_paths(framework, inbox, manifest=batch.manifest)
    r = only(result)
    assert (r.org_id, r.org_name) == ("hilltop-hospice", "Hilltop Hospice")
    assert result.missing == ()


def test_another_framework_is_rejected(framework: Framework, tmp_path: Path) -> None:
    from tests.fwtools import minimal

    other = load_framework(write(tmp_path, minimal())).framework
    assert other is not None
    path = write_filled(other, tmp_path / "other.xlsx", orgs("X")[0], {})
    r = only(import_paths(framework, path), ReturnStatus.REJECTED)
    assert r.code == "other-framework"
    assert "demo version 1" in r.reason and "--framework" in r.reason


def test_other_version_takes_common_ids_with_a_warning(
    framework: Framework, tmp_path: Path
) -> None:
    text = (ROOT / "framework.yaml").read_text("utf-8")
    text = text.replace('version: "1.0"', 'version: "1.1"')
    text = text.replace("label: Some work done", "label: Partly developed")
    text = text.replace("id: people-network-group-time", "id: people-network-time-new")
    newer = load_framework(write(tmp_path, text, "v11.yaml")).framework
    assert newer is not None
    answers: dict[tuple[str, str], CellValue] = {
        ("people-staff-engagement", "stage"): "Some work done",
        ("people-cascade-learning", "done"): True,
        ("people-network-group-time", "done"): True,
    }
    path = write_filled(framework, tmp_path / "old.xlsx", orgs("North")[0], answers)
    r = only(import_paths(newer, path))
    [warning] = [p for p in r.problems if p.code == "framework-version"]
    assert "version 1.0" in warning.message and "people-network-group-time" in warning.message
    assert "people-network-time-new" in warning.message
    got = by_id(r)
    # The old label maps through the stage id the workbook carried.
    assert got["people-staff-engagement"].stage_id == "some-work-done"
    assert got["people-cascade-learning"].done is True
    assert "people-network-time-new" not in got


def test_messy_values_are_normalised_or_reported(framework: Framework, tmp_path: Path) -> None:
    answers: dict[tuple[str, str], CellValue] = {
        ("people-staff-engagement", "stage"): " WELL DEVELOPED ",
        ("people-user-involvement", "stage"): 2,
        ("culture-organisational-priority", "stage"): "Advanced",
        ("people-map-clinician-links", "done"): "x",
        ("people-plan-promotion-to-staff", "done"): "✓",
        ("people-identify-clinical-champions", "done"): "Yes",
        ("people-use-staff-engagement-opportunities", "done"): 1,
        ("people-cascade-learning", "done"): "maybe",
        ("people-cascade-learning", "target_date"): "03/04/2027",
        ("people-network-group-time", "target_date"): "2027-06-30",
    }
    path = write_filled(framework, tmp_path / "m.xlsx", orgs("North")[0], answers)
    r = only(import_paths(framework, path))
    got = by_id(r)
    assert got["people-staff-engagement"].stage_id == "well-developed"
    assert got["people-user-involvement"].stage_id is None
    assert got["culture-organisational-priority"].stage_id is None
    assert [
        got[a].done
        for a in (
            "people-map-clinician-links",
            "people-plan-promotion-to-staff",
            "people-identify-clinical-champions",
            "people-use-staff-engagement-opportunities",
        )
    ] == [True, True, True, True]
    assert got["people-cascade-learning"].done is None
    assert got["people-cascade-learning"].target_date == ""
    assert got["people-network-group-time"].target_date == "2027-06-30"
    located = {(p.code, p.location.sheet, p.location.cell) for p in r.problems}
    rows = {a.item_id: a.row for a in r.answers}
    assert located == {
        ("unreadable-stage", "People", f"E{rows['people-user-involvement']}"),
        ("unreadable-stage", "Culture", f"E{rows['culture-organisational-priority']}"),
        ("unreadable-tick", "People", f"E{rows['people-cascade-learning']}"),
        ("unreadable-date", "People", f"H{rows['people-cascade-learning']}"),
    }
    messages = " ".join(p.message for p in r.problems)
    assert "the number 2" in messages and "'Advanced'" in messages and "'maybe'" in messages
    assert all(p.location.file == str(path) for p in r.problems)


def test_skipped_lock_and_hidden_files(framework: Framework, tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    (inbox / ".hidden-dir").mkdir(parents=True)
    write_filled(framework, inbox / "ok.xlsx", orgs("North")[0], one_answer(framework))
    (inbox / "~$ok.xlsx").write_bytes(b"lock")
    (inbox / ".~lock.ok.xlsx#").write_text("lock")
    (inbox / ".DS_Store").write_bytes(b"\x00\x01")
    (inbox / ".hidden-dir" / "x.xlsx").write_bytes(b"x")
    result = import_paths(framework, inbox)
    assert statuses(result) == {
        "ok.xlsx": "accepted",
        "~$ok.xlsx": "skipped",
        ".~lock.ok.xlsx#": "skipped",
        ".DS_Store": "skipped",
        "x.xlsx": "skipped",
    }
    assert len(result.returns) == 5


def test_sources_are_never_modified(framework: Framework, tmp_path: Path) -> None:
    import hashlib
    import os

    inbox = tmp_path / "in"
    inbox.mkdir()
    write_filled(framework, inbox / "a.xlsx", orgs("North")[0], random_answers(framework, 1))
    (inbox / "b.pdf").write_bytes(b"%PDF-1.4 nothing")
    before = {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), os.stat(p).st_mtime_ns)
        for p in inbox.iterdir()
    }
    import_paths(framework, inbox)
    after = {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), os.stat(p).st_mtime_ns)
        for p in inbox.iterdir()
    }
    assert before == after


def test_parallel_and_serial_give_the_same_result(framework: Framework, tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i, org in enumerate(orgs(*(f"Org {n}" for n in range(12)))):
        write_filled(framework, inbox / f"{i:02}.xlsx", org, random_answers(framework, i))
    one = import_paths(framework, inbox, jobs=1)
    two = import_paths(framework, inbox, jobs=2)
    assert one.returns == two.returns
