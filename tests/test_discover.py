"""Discovery: every entry under the sources appears exactly once, links are followed only
inside the sources, and nothing can make it loop, hang or stop."""

from __future__ import annotations

import csv
import io
import os
import pickle
import shutil
import stat
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import import_paths, one_answer, orgs, write_filled
from xlsxkit.cli import cli
from xlsxkit.framework.model import Framework, Return, ReturnStatus
from xlsxkit.inbound.discover import Discovery, discover


@pytest.fixture()
def inbox(framework: Framework, tmp_path: Path) -> Path:
    inbox = tmp_path / "in"
    inbox.mkdir()
    for org in orgs("Alpha", "Bravo"):
        write_filled(framework, inbox / f"{org.id}.xlsx", org, one_answer(framework))
    return inbox


def entries(found: Discovery, root: Path) -> dict[str, tuple[str, str]]:
    """Entry (relative to ROOT) -> (status, reason); files to read are 'read'."""
    out: dict[str, tuple[str, str]] = {}
    for f in found.files:
        key = os.path.relpath(f.display, root)
        assert key not in out, key
        out[key] = ("read", "")
    for r in found.listed:
        key = os.path.relpath(r.source, root)
        assert key not in out, key
        out[key] = (r.status, r.reason)
    return out


def test_a_file_and_a_link_to_it_are_read_once(inbox: Path) -> None:
    (inbox / "link.xlsx").symlink_to(inbox / "alpha.xlsx")
    got = entries(discover([inbox]), inbox)
    assert got["alpha.xlsx"] == ("read", "")
    status, reason = got["link.xlsx"]
    assert status == ReturnStatus.DUPLICATE and "alpha.xlsx" in reason
    assert len(got) == 3


def test_a_linked_subfolder_inside_the_sources_is_listed_once(inbox: Path) -> None:
    (inbox / "late").mkdir()
    shutil.copy(inbox / "alpha.xlsx", inbox / "late" / "alpha-2.xlsx")
    (inbox / "also-late").symlink_to(inbox / "late", target_is_directory=True)
    got = entries(discover([inbox]), inbox)
    assert got["late/alpha-2.xlsx"] == ("read", "")
    status, reason = got["also-late"]
    assert status == ReturnStatus.DUPLICATE and "folder" in reason and "late" in reason
    assert not any(k.startswith("also-late/") for k in got)


def test_a_linked_folder_outside_the_sources_is_skipped_with_the_reason(
    inbox: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(inbox / "alpha.xlsx", elsewhere / "late.xlsx")
    (inbox / "late").symlink_to(elsewhere, target_is_directory=True)
    (inbox / ".cfg").symlink_to("/etc", target_is_directory=True)
    got = entries(discover([inbox]), inbox)
    assert got["late"][0] == ReturnStatus.SKIPPED
    assert "outside the folders given" in got["late"][1] and "as a source" in got["late"][1]
    assert got[".cfg"][0] == ReturnStatus.SKIPPED and "/etc" in got[".cfg"][1]
    assert len(got) == 4  # two returns, two links: nothing from /etc
    # Given as a source too, the folder is searched, once, under its own name.
    both = discover([inbox, elsewhere])
    assert [f.display for f in both.files].count(str(elsewhere / "late.xlsx")) == 1
    [link] = [r for r in both.listed if r.source == str(inbox / "late")]
    assert link.status == ReturnStatus.DUPLICATE


def test_a_hidden_link_to_its_own_folder_hides_nothing(inbox: Path) -> None:
    (inbox / ".alias").symlink_to(".", target_is_directory=True)
    (inbox / "sub").mkdir()
    (inbox / "sub" / "up").symlink_to("..", target_is_directory=True)
    got = entries(discover([inbox]), inbox)
    assert got["alpha.xlsx"] == got["bravo.xlsx"] == ("read", "")
    for link in (".alias", "sub/up"):
        assert got[link][0] == ReturnStatus.SKIPPED and "a loop" in got[link][1], link
    assert len(got) == 4


def test_a_broken_link_is_skipped(inbox: Path) -> None:
    (inbox / "gone.xlsx").symlink_to(inbox / "nowhere.xlsx")
    got = entries(discover([inbox]), inbox)
    assert got["gone.xlsx"][0] == ReturnStatus.SKIPPED and "broken link" in got["gone.xlsx"][1]


def test_overlapping_sources_read_each_file_once(inbox: Path) -> None:
    (inbox / "sub").mkdir()
    shutil.copy(inbox / "alpha.xlsx", inbox / "sub" / "x.xlsx")
    found = discover([inbox, inbox / "sub", inbox / "alpha.xlsx"])
    displays = [f.display for f in found.files]
    assert Counter(displays) == Counter(
        [str(inbox / "alpha.xlsx"), str(inbox / "bravo.xlsx"), str(inbox / "sub" / "x.xlsx")]
    )


def test_a_fifo_is_rejected_without_being_opened(framework: Framework, inbox: Path) -> None:
    os.mkfifo(inbox / "pipe.xlsx")  # opening it for reading would block forever
    result = import_paths(framework, inbox)
    [r] = [r for r in result.returns if r.source.endswith("pipe.xlsx")]
    assert (r.status, r.code) == (ReturnStatus.REJECTED, "not-a-file")
    assert "named pipe" in r.reason and "not a regular file" in r.reason
    assert sum(r.status == ReturnStatus.ACCEPTED for r in result.returns) == 2


def test_a_device_given_as_a_source_is_rejected_without_being_opened(
    framework: Framework,
) -> None:
    [r] = import_paths(framework, Path("/dev/zero")).returns
    assert (r.status, r.code) == (ReturnStatus.REJECTED, "not-a-file")
    assert "device file" in r.reason


def _as_nobody(fn: Callable[[], Discovery]) -> Discovery:
    """FN's result, run in a child without root's power to read any folder."""
    if os.geteuid() != 0:
        return fn()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read)
            os.setgid(65534)
            os.setuid(65534)
            os.write(write, pickle.dumps(fn()))
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    found = pickle.loads(data)
    assert isinstance(found, Discovery)
    return found


def test_an_unreadable_folder_is_a_rejected_entry() -> None:
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="xlsxkit-unreadable-"))  # reachable by any user
    root.chmod(0o755)
    (root / "ok.txt").write_text("readable")
    locked = root / "locked"
    locked.mkdir()
    (locked / "return.xlsx").write_bytes(b"x")
    locked.chmod(0)
    try:
        found = _as_nobody(lambda: discover([root]))
    finally:
        locked.chmod(0o755)
        shutil.rmtree(root)
    [r] = found.listed
    assert (r.source, r.status, r.code) == (str(locked), ReturnStatus.REJECTED, "unreadable-folder")
    assert "permission" in r.reason.lower() and "import again" in r.reason
    assert [f.display for f in found.files] == [str(root / "ok.txt")]


def test_a_non_utf8_file_name_is_read_and_shown_with_a_replacement_character(
    framework: Framework, inbox: Path, tmp_path: Path
) -> None:
    raw = os.path.join(os.fsencode(inbox), b"caf\xe9.xlsx")
    shutil.copy(inbox / "alpha.xlsx", raw)
    os.remove(inbox / "alpha.xlsx")
    os.rename(inbox / "bravo.xlsx", os.path.join(os.fsencode(inbox), b"\xff\xfe.xlsx"))
    out, data = tmp_path / "summary.xlsx", tmp_path / "data"
    result = CliRunner().invoke(cli, ["import", str(inbox), "--out", str(out), "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    text = (data / "returns.csv").read_text("utf-8-sig")
    rows = {Path(r["source"]).name: r["status"] for r in csv.DictReader(io.StringIO(text))}
    assert rows == {"caf\ufffd.xlsx": "accepted", "\ufffd\ufffd.xlsx": "accepted"}
    assert out.exists()


def test_every_entry_appears_exactly_once(framework: Framework, inbox: Path) -> None:
    (inbox / "sub" / ".hidden").mkdir(parents=True)
    shutil.copy(inbox / "alpha.xlsx", inbox / "sub" / ".hidden" / "copy.xlsx")
    (inbox / "sub" / "link.xlsx").symlink_to(inbox / "bravo.xlsx")
    (inbox / "sub" / "loop").symlink_to(inbox, target_is_directory=True)
    (inbox / "~$alpha.xlsx").write_bytes(b"lock")
    os.mkfifo(inbox / "fifo")
    result = import_paths(framework, inbox)
    sources = [r.source for r in result.returns]
    assert len(sources) == len(set(sources)) == 7
    status = {os.path.relpath(r.source, inbox): r.status for r in result.returns}
    assert status == {
        "alpha.xlsx": ReturnStatus.ACCEPTED,
        "bravo.xlsx": ReturnStatus.ACCEPTED,
        "sub/.hidden/copy.xlsx": ReturnStatus.SKIPPED,
        "sub/link.xlsx": ReturnStatus.DUPLICATE,
        "sub/loop": ReturnStatus.SKIPPED,
        "~$alpha.xlsx": ReturnStatus.SKIPPED,
        "fifo": ReturnStatus.REJECTED,
    }
    assert all(isinstance(r, Return) and r.reason for r in result.returns if r.status != "accepted")
    assert stat.S_ISFIFO(os.stat(inbox / "fifo").st_mode)  # untouched
