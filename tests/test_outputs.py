"""What xlsxkit writes: never onto an input or a file it did not write, one run at a time,
and a failed write is a plain message (exit 1) with nothing left behind."""

from __future__ import annotations

import csv
import io
import os
import resource
import shutil
import signal
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests import procs
from tests.filling import random_answers
from tests.helpers import generate_batch, orgs, write_filled
from xlsxkit.cli import cli
from xlsxkit.framework.model import Framework
from xlsxkit.outfiles import xlsx_marker
from xlsxkit.workbook.manifest import read_manifest

FW = str(procs.FRAMEWORK)


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result.exit_code, result.output


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@dataclass(frozen=True, kw_only=True)
class Round:
    outbox: Path
    inbox: Path
    manifest: Path


def make_round(framework: Framework, base: Path) -> Round:
    """A batch of three and the returns of two of them (the third is missing)."""
    outbox, inbox = base / "outbox", base / "inbox"
    inbox.mkdir(parents=True)
    people = orgs("Alpha Trust", "Bravo Health", "Charlie Care")
    result = generate_batch(framework, outbox, people)
    tokens = {r.org_id: r.token for r in result.rows}
    for i, org in enumerate(people[:2]):
        write_filled(
            framework,
            inbox / f"{org.id}.xlsx",
            org,
            random_answers(framework, i),
            token=tokens[org.id],
        )
    return Round(outbox=outbox, inbox=inbox, manifest=result.manifest)


@pytest.fixture()
def rnd(framework: Framework, tmp_path: Path) -> Round:
    return make_round(framework, tmp_path)


# an output onto an input ---------------------------------------------------------------


def test_summary_onto_a_return_is_refused_and_the_return_is_kept(
    rnd: Round, tmp_path: Path
) -> None:
    alpha = rnd.inbox / "alpha-trust.xlsx"
    before = alpha.read_bytes()
    code, output = run(
        "import", rnd.inbox, "--out", alpha, "--manifest", rnd.manifest, "--framework", FW
    )
    assert code == 2
    assert f"{alpha}: exists and is not a summary that xlsxkit wrote" in output
    assert "never overwrites it" in output
    assert alpha.read_bytes() == before
    assert procs.leftovers(tmp_path) == []


def test_summary_onto_a_source_given_by_name_is_refused(rnd: Round) -> None:
    alpha = rnd.inbox / "alpha-trust.xlsx"
    before = alpha.read_bytes()
    code, output = run("import", alpha, "--out", alpha, "--framework", FW)
    assert code == 2
    assert f"{alpha}: is one of the files to import" in output
    assert alpha.read_bytes() == before


def test_data_folder_holding_a_csv_a_partner_sent_is_refused(rnd: Round, tmp_path: Path) -> None:
    theirs = rnd.inbox / "returns.csv"
    theirs.write_text("Criterion,Stage\nPeople,Developing\n", encoding="utf-8")
    summary = tmp_path / "summary.xlsx"
    code, output = run(
        "import", rnd.inbox, "--out", summary, "--data", rnd.inbox, "--framework", FW
    )
    assert code == 2
    assert f"{theirs}: exists and is not a returns.csv that xlsxkit wrote" in output
    assert theirs.read_text(encoding="utf-8") == "Criterion,Stage\nPeople,Developing\n"
    assert not summary.exists()
    assert sorted(p.name for p in rnd.inbox.iterdir()) == [
        "alpha-trust.xlsx",
        "bravo-health.xlsx",
        "returns.csv",
    ]


def test_out_given_as_a_link_to_a_return_is_refused(rnd: Round, tmp_path: Path) -> None:
    alpha = rnd.inbox / "alpha-trust.xlsx"
    before = alpha.read_bytes()
    link = tmp_path / "summary.xlsx"
    link.symlink_to(alpha)
    code, output = run("import", rnd.inbox, "--out", link, "--framework", FW)
    assert code == 2
    assert f"{link}: is a link (to {alpha})" in output
    assert link.is_symlink() and alpha.read_bytes() == before


def test_output_folder_that_is_a_file_is_refused(rnd: Round, tmp_path: Path) -> None:
    a_file = tmp_path / "notes"
    a_file.write_text("mine\n")
    code, output = run("import", rnd.inbox, "--out", a_file / "s.xlsx", "--framework", FW)
    assert code == 2 and f"{a_file}: is a file, not a folder" in output
    code, output = run(
        "import", rnd.inbox, "--out", tmp_path / "s.xlsx", "--data", a_file, "--framework", FW
    )
    assert code == 2 and f"'{a_file}' is a file" in output
    assert a_file.read_text() == "mine\n" and not (tmp_path / "s.xlsx").exists()


def test_summary_is_marked_as_an_xlsxkit_output(rnd: Round, tmp_path: Path) -> None:
    summary = tmp_path / "summary.xlsx"
    code, output = run("import", rnd.inbox, "--out", summary, "--framework", FW)
    assert code == 0, output
    props = openpyxl.load_workbook(summary).custom_doc_props
    assert props["xlsxkit-output"].value == "summary"
    assert xlsx_marker(summary) == "summary"
    assert xlsx_marker(rnd.inbox / "alpha-trust.xlsx") is None
    assert xlsx_marker(rnd.outbox / "alpha-trust.xlsx") is None


def test_earlier_summary_and_csvs_are_replaced(
    framework: Framework, rnd: Round, tmp_path: Path
) -> None:
    summary, data = tmp_path / "summary.xlsx", tmp_path / "data"
    args = ["import", rnd.inbox, "--out", summary, "--data", data, "--manifest", rnd.manifest]
    assert run(*args, "--framework", FW)[0] == 0
    first = summary.read_bytes()
    [charlie] = [r for r in read_manifest(rnd.manifest) if r.org_id == "charlie-care"]
    org = orgs("Alpha Trust", "Bravo Health", "Charlie Care")[2]
    write_filled(
        framework, rnd.inbox / "c.xlsx", org, random_answers(framework, 7), token=charlie.token
    )
    code, output = run(*args, "--framework", FW)
    assert code == 0, output
    assert summary.read_bytes() != first
    assert {r["org_id"] for r in read_csv(data / "returns.csv")} == {
        "alpha-trust",
        "bravo-health",
        "charlie-care",
    }
    assert procs.leftovers(tmp_path) == []


def test_summary_written_before_the_marker_existed_is_still_replaced(
    rnd: Round, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.xlsx"
    assert run("import", rnd.inbox, "--out", summary, "--framework", FW)[0] == 0
    old = tmp_path / "old.xlsx"
    with zipfile.ZipFile(summary) as src, zipfile.ZipFile(old, "w") as dst:
        for item in src.infolist():
            if item.filename != "docProps/custom.xml":
                dst.writestr(item, src.read(item))
    old.replace(summary)
    assert xlsx_marker(summary) == "summary"  # by its core properties
    code, output = run("import", rnd.inbox, "--out", summary, "--framework", FW)
    assert code == 0, output
    assert openpyxl.load_workbook(summary).custom_doc_props["xlsxkit-output"].value == "summary"


def test_summary_among_the_returns_is_written_again_and_is_no_return(rnd: Round) -> None:
    summary = rnd.inbox / "summary.xlsx"
    for _ in range(2):
        code, output = run("import", rnd.inbox, "--out", summary, "--framework", FW)
        assert code == 0, output
        assert "2 accepted" in output and "0 rejected" in output


# generate's folder ----------------------------------------------------------------------


def test_generate_never_replaces_a_manifest_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "outbox"
    out.mkdir()
    theirs = out / "manifest.csv"
    theirs.write_text("name,email\nNorth,n@example.org\n")
    for extra in ([], ["--force"]):
        code, output = run("generate", "--org", "North", "--out", out, *extra)
        assert code == 2, output
        assert f"{theirs}: is not a manifest that xlsxkit wrote" in output
    assert theirs.read_text() == "name,email\nNorth,n@example.org\n"
    assert sorted(p.name for p in out.iterdir()) == ["manifest.csv"]


def test_generate_force_leaves_a_workbook_that_changed_since_alone(
    framework: Framework, rnd: Round
) -> None:
    # A partner's filled-in return saved into the outbox, over the workbook sent.
    alpha = rnd.outbox / "alpha-trust.xlsx"
    [row] = [r for r in read_manifest(rnd.manifest) if r.file == alpha.name]
    write_filled(
        framework, alpha, orgs("Alpha Trust")[0], random_answers(framework, 3), token=row.token
    )
    answers = alpha.read_bytes()
    code, output = run(
        "generate",
        "--org",
        "Alpha Trust",
        "--org",
        "Bravo Health",
        "--out",
        rnd.outbox,
        "--force",
        "--round",
        "2026 Q4",
    )
    assert code == 0, output
    assert "Left alone, because they changed since they were generated" in output
    assert alpha.read_bytes() == answers
    files = [r.file for r in read_manifest(rnd.manifest)]
    assert files == ["alpha-trust-2.xlsx", "bravo-health.xlsx"]


def test_generate_force_keeps_a_file_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "outbox"
    out.mkdir()
    (out / "north.xlsx").write_bytes(b"someone's own spreadsheet")
    code, output = run("generate", "--org", "North", "--out", out, "--force")
    assert code == 0, output
    assert (out / "north.xlsx").read_bytes() == b"someone's own spreadsheet"
    assert [r.file for r in read_manifest(out / "manifest.csv")] == ["north-2.xlsx"]


# output failures ------------------------------------------------------------------------


def _without_root_override() -> list[str]:
    """Root writes anywhere, whatever the mode bits: run the command without the
    capabilities that let it (as root is, in CI containers), so a read-only folder is one."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make a folder unwritable")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def _read_only_mount(folder: Path) -> list[str]:
    """Run the command in its own mount namespace where FOLDER is a read-only bind mount."""
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount --bind '{folder}' '{folder}'"],
        capture_output=True,
    )
    if probe.returncode != 0:
        pytest.skip("cannot make a read-only mount here (unshare -m needs privileges)")
    script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, str(folder)]


def test_unwritable_output_folder_is_exit_1_naming_the_path(rnd: Round, tmp_path: Path) -> None:
    locked_away = tmp_path / "readonly"
    locked_away.mkdir()
    locked_away.chmod(0o555)
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    summary = locked_away / "summary.xlsx"
    prefix = _without_root_override()
    ended = procs.run(
        "import", rnd.inbox, "--out", summary, "--framework", FW, tmpdir=private_tmp, prefix=prefix
    )
    assert ended.code == 1, ended.err
    assert f"{summary}: cannot write the output (Permission denied)" in ended.err
    assert f"you cannot write in {locked_away}" in ended.err
    assert "internal error" not in ended.err and "Traceback" not in ended.err
    assert list(locked_away.iterdir()) == [] and list(private_tmp.iterdir()) == []

    outbox = locked_away / "outbox"
    ended = procs.run(
        "generate", "--org", "North", "--out", outbox, tmpdir=private_tmp, prefix=prefix
    )
    assert ended.code == 1, ended.err
    assert f"{outbox}: cannot write the workbooks (Permission denied)" in ended.err
    assert "internal error" not in ended.err
    assert list(locked_away.iterdir()) == []


def test_read_only_file_system_is_exit_1_and_leaves_the_earlier_outputs(
    rnd: Round, tmp_path: Path
) -> None:
    out = tmp_path / "results"
    out.mkdir()
    summary, data = out / "summary.xlsx", out / "data"
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    args = ["import", rnd.inbox, "--out", summary, "--data", data, "--framework", FW]
    assert procs.run(*args, tmpdir=private_tmp).code == 0
    before = {**procs.snapshot(out), **procs.snapshot(data)}
    ended = procs.run(*args, tmpdir=private_tmp, prefix=_read_only_mount(out))
    assert ended.code == 1, ended.err
    assert "(Read-only file system)" in ended.err and "you cannot write in" in ended.err
    assert "internal error" not in ended.err and "Traceback" not in ended.err
    assert {**procs.snapshot(out), **procs.snapshot(data)} == before
    assert procs.leftovers(tmp_path) == [] and list(private_tmp.iterdir()) == []


def _file_size_limit(limit: int) -> Callable[[], None]:
    """A full disk, for one process: writes past LIMIT bytes fail with EFBIG (Python
    ignores SIGXFSZ, so the write fails instead of killing the process)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_full_disk_is_exit_1_and_leaves_the_earlier_outputs_whole(
    rnd: Round, tmp_path: Path
) -> None:
    summary, data = tmp_path / "summary.xlsx", tmp_path / "data"
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    args = ["import", rnd.inbox, "--out", summary, "--data", data, "--framework", FW]
    assert procs.run(*args, tmpdir=private_tmp).code == 0
    before = {**procs.snapshot(tmp_path), **procs.snapshot(data)}
    ended = procs.run(*args, tmpdir=private_tmp, preexec=_file_size_limit(8 * 1024))
    assert ended.code == 1, ended.err
    assert "the disk is full, or a size limit was reached" in ended.err
    assert "File too large" in ended.err
    assert str(summary) in ended.err or str(data) in ended.err
    assert "internal error" not in ended.err and "Traceback" not in ended.err
    assert {**procs.snapshot(tmp_path), **procs.snapshot(data)} == before
    assert procs.leftovers(tmp_path) == [] and list(private_tmp.iterdir()) == []


def test_generate_on_a_full_disk_is_exit_1_and_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "outbox"
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    ended = procs.run(
        "generate",
        "--org",
        "North",
        "--org",
        "South",
        "--out",
        out,
        tmpdir=private_tmp,
        preexec=_file_size_limit(4 * 1024),
    )
    assert ended.code == 1, ended.err
    assert f"{out}: cannot write the workbooks (File too large)" in ended.err
    assert "internal error" not in ended.err
    assert not out.exists() and list(private_tmp.iterdir()) == []


# one run at a time ------------------------------------------------------------------------


def _summary_is_whole(summary: Path) -> None:
    wb = openpyxl.load_workbook(summary, read_only=True)
    assert "Overview" in wb.sheetnames
    assert xlsx_marker(summary) == "summary"


def test_a_second_import_into_the_same_outputs_stops_while_the_first_writes(
    rnd: Round, tmp_path: Path
) -> None:
    summary, data = tmp_path / "summary.xlsx", tmp_path / "data"
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    flag = tmp_path / "paused"
    args = ["import", rnd.inbox, "--out", summary, "--data", data, "--framework", FW]
    first = procs.start(*args, tmpdir=private_tmp, pause="import:summary-written", flag=flag)
    try:
        procs.wait_for(flag, first)
        second = procs.run(*args, tmpdir=private_tmp)
        assert second.code == 1
        assert second.err.strip().endswith(
            f"Error: {tmp_path}: another xlsxkit run is writing into this folder right now; "
            "wait for it to finish (or stop it), then run this command again. Nothing was "
            "written"
        )
        assert not summary.exists()
    finally:
        procs.release(flag)
    ended = procs.finish(first)
    assert ended.code == 0, ended.err
    _summary_is_whole(summary)
    assert procs.leftovers(tmp_path) == [] and list(private_tmp.iterdir()) == []


def test_racing_imports_leave_whole_outputs(rnd: Round, tmp_path: Path) -> None:
    summary, data = tmp_path / "summary.xlsx", tmp_path / "data"
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    args = ["import", rnd.inbox, "--out", summary, "--data", data, "--framework", FW]
    for _ in range(3):
        racers = [procs.start(*args, tmpdir=private_tmp) for _ in range(2)]
        ended = [procs.finish(p) for p in racers]
        assert any(e.code == 0 for e in ended)
        for e in ended:
            assert e.code == 0 or "another xlsxkit run is writing" in e.err, e.err
        _summary_is_whole(summary)
        assert len(read_csv(data / "stages.csv")) == 2 * 6
        assert procs.leftovers(tmp_path) == [] and list(private_tmp.iterdir()) == []


def test_a_second_generate_into_the_same_folder_stops_while_the_first_writes(
    framework: Framework, tmp_path: Path
) -> None:
    out = tmp_path / "outbox"
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    flag = tmp_path / "paused"
    args = ["generate", "--org", "North", "--org", "South", "--out", out, "--framework", FW]
    first = procs.start(*args, "--force", tmpdir=private_tmp, pause="generate:written", flag=flag)
    try:
        procs.wait_for(flag, first)
        second = procs.run(*args, "--force", tmpdir=private_tmp)
        assert second.code == 1
        assert f"{out}: another xlsxkit run is writing into this folder" in second.err
    finally:
        procs.release(flag)
    assert procs.finish(first).code == 0
    procs.batch_agrees(framework, out)
    assert procs.leftovers(tmp_path) == []


def test_a_run_that_finds_a_new_folder_busy_leaves_it_to_the_run_that_has_it(
    framework: Framework, tmp_path: Path
) -> None:
    # Both runs find the folder missing and make it; the one that gets the lock writes,
    # and the other must not remove the folder on its way out.
    out = tmp_path / "new" / "outbox"
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    args = ["generate", "--org", "North", "--out", out, "--framework", FW]
    late_flag, first_flag = tmp_path / "made", tmp_path / "locked"
    late = procs.start(*args, tmpdir=private_tmp, pause="folders-made", flag=late_flag)
    try:
        procs.wait_for(late_flag, late)
        first = procs.start(*args, tmpdir=private_tmp, pause="locked", flag=first_flag)
        try:
            procs.wait_for(first_flag, first)
            procs.release(late_flag)
            ended = procs.finish(late)
            assert ended.code == 1 and "another xlsxkit run is writing" in ended.err
            assert out.is_dir()
        finally:
            procs.release(first_flag)
        ended = procs.finish(first)
    finally:
        procs.release(late_flag)
    assert ended.code == 0, ended.err
    procs.batch_agrees(framework, out)


def test_racing_generate_force_keeps_manifest_and_workbooks_in_agreement(
    framework: Framework, tmp_path: Path
) -> None:
    out = tmp_path / "outbox"
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    args = ["generate", "--out", out, "--force", "--framework", FW]
    args += [a for name in ("North", "South", "East", "West") for a in ("--org", name)]
    for _ in range(3):
        racers = [procs.start(*args, tmpdir=private_tmp) for _ in range(2)]
        ended = [procs.finish(p) for p in racers]
        assert any(e.code == 0 for e in ended)
        for e in ended:
            assert e.code == 0 or "another xlsxkit run is writing" in e.err, e.err
        procs.batch_agrees(framework, out)
        assert procs.leftovers(tmp_path) == [] and list(private_tmp.iterdir()) == []


def test_temporary_files_of_a_run_killed_outright_go_with_the_next_run(
    rnd: Round, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.xlsx"
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    flag = tmp_path / "paused"
    args = ["import", rnd.inbox, "--out", summary, "--framework", FW]
    victim = procs.start(*args, tmpdir=private_tmp, pause="import:summary-written", flag=flag)
    procs.wait_for(flag, victim)
    os.killpg(victim.pid, signal.SIGKILL)
    procs.finish(victim)
    assert procs.leftovers(tmp_path) != []  # a hard kill runs no clean-up at all
    assert not summary.exists()
    assert procs.run(*args, tmpdir=private_tmp).code == 0
    assert procs.leftovers(tmp_path) == []
    _summary_is_whole(summary)
