"""Every input a coordinator gives (framework, organisation list, manifest, template) is read
within a bound, and a spreadsheet organisation list is checked and parsed like a return.

Cases that would exhaust or crash the process on failure run the real command in a child
process under a memory limit, so that a regression fails the test instead of the test run.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner

from xlsxkit.cli import cli
from xlsxkit.inbound.orgs import MAX_SHEET_CHARS
from xlsxkit.inbound.pool import SandboxFailure, run_sandboxed
from xlsxkit.inputs import (
    MAX_FRAMEWORK_BYTES,
    MAX_MANIFEST_BYTES,
    MAX_ORG_LIST_BYTES,
    MAX_TEMPLATE_BYTES,
    InputFileError,
    InputProblem,
    read_bounded,
)

ROOT = Path(__file__).resolve().parent.parent
CHILD_MEMORY = 1024 * 1024 * 1024
#: Only a guard against a hang: every case here answers in a second or two.
GUARD_SECONDS = 120


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))


def run_child(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command in a child process with 1 GB of address space."""
    return subprocess.run(
        [sys.executable, "-m", "xlsxkit", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=GUARD_SECONDS,
        preexec_fn=_limited,
        check=False,
    )


def orgs_xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Partners")
    ws.write_row(0, 0, ["id", "name", "contact", "email"])
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, row)
    wb.close()
    return path


def patch_sheet(src: Path, dest: Path, edit: bytes, *, before: bytes = b"</sheetData>") -> Path:
    """A copy of SRC with EDIT inserted into its first sheet's XML before BEFORE."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(before, edit + before)
            zout.writestr(info, data)
    return dest


# Devices, pipes and sizes ---------------------------------------------------------------

DEVICE_CASES = {
    "orgs": ("generate", "--orgs", "/dev/zero", "--out", "out"),
    "framework": ("generate", "--framework", "/dev/zero", "--out", "out"),
    "instructions": ("generate", "--instructions", "/dev/zero", "--out", "out"),
    "manifest": ("import", ".", "--out", "s.xlsx", "--manifest", "/dev/zero"),
    "validate": ("validate", "/dev/zero"),
}


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("case", sorted(DEVICE_CASES))
def test_an_input_that_is_a_device_is_refused_before_reading(case: str, tmp_path: Path) -> None:
    proc = run_child(*DEVICE_CASES[case], cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout + proc.stderr
    assert "/dev/zero: this is a device, not a file" in out
    assert "internal error" not in out and "Traceback" not in out
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("option", ["--orgs", "--framework", "--instructions"])
def test_an_input_that_is_a_named_pipe_is_refused_without_waiting(
    option: str, tmp_path: Path
) -> None:
    fifo = tmp_path / "list.csv"
    os.mkfifo(fifo)
    proc = run_child("generate", option, fifo, "--out", "out", cwd=tmp_path)
    assert proc.returncode == 1
    assert f"{fifo}: this is a named pipe, not a file" in proc.stdout + proc.stderr


SIZE_CASES = {
    "orgs": (MAX_ORG_LIST_BYTES, "5 MB", ("generate", "--orgs", "{f}", "--out", "out")),
    "framework": (MAX_FRAMEWORK_BYTES, "1 MB", ("generate", "--framework", "{f}", "--out", "o")),
    "instructions": (
        MAX_TEMPLATE_BYTES,
        "64 KB",
        ("generate", "--instructions", "{f}", "--out", "out"),
    ),
    "manifest": (
        MAX_MANIFEST_BYTES,
        "5 MB",
        ("import", ".", "--out", "s.xlsx", "--manifest", "{f}"),
    ),
}


@pytest.mark.parametrize("case", sorted(SIZE_CASES))
def test_an_input_over_its_bound_is_refused_naming_file_bound_and_advice(
    case: str, tmp_path: Path
) -> None:
    limit, shown, args = SIZE_CASES[case]
    big = tmp_path / "big.txt"
    # Text that each reader would otherwise take: a header and then comment-like filler.
    big.write_bytes(b"id,name,contact,email\n" + b"#" * (limit + 1))
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        code, output = run(*(a.format(f=big) for a in args))
    finally:
        os.chdir(old)
    assert code == 1, output
    assert f"{big}: " in output
    assert f"may be at most {shown}" in output
    assert "check that it is the right file" in output


def test_read_bounded_bounds_what_is_read_not_what_the_file_declares() -> None:
    # /proc files declare a size of 0 and hold more: the bound must still hold.
    proc_file = Path("/proc/self/maps")
    if not proc_file.exists():
        pytest.skip("needs /proc")
    with pytest.raises(InputFileError) as info:
        read_bounded(proc_file, 16, "test input")
    assert info.value.problem is InputProblem.TOO_LARGE
    assert "may be at most 16 bytes and this file is larger" in str(info.value)


def test_read_bounded_reads_a_file_up_to_its_bound_exactly(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"x" * 1000)
    assert read_bounded(path, 1000, "test input") == b"x" * 1000
    with pytest.raises(InputFileError) as info:
        read_bounded(path, 999, "test input")
    assert info.value.problem is InputProblem.TOO_LARGE
    with pytest.raises(InputFileError) as info:
        read_bounded(tmp_path / "nope.txt", 10, "test input")
    assert info.value.problem is InputProblem.NOT_FOUND
    with pytest.raises(InputFileError) as info:
        read_bounded(tmp_path, 10, "test input")
    assert info.value.problem is InputProblem.NOT_A_FILE
    assert "this is a folder" in str(info.value)


def test_a_csv_field_over_the_csv_module_limit_is_reported_as_too_long(tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_text("id,name,contact,email\na,Alpha,,\nb,Beta," + "x" * 200_000 + ",\n")
    code, output = run("generate", "--orgs", path, "--out", tmp_path / "out")
    assert code == 1
    assert f"{path}:3: the contact is longer than 200 characters" in output
    assert "internal error" not in output and len(output) < 2000
    assert not (tmp_path / "out").exists()


def test_a_manifest_with_a_giant_field_is_refused_as_not_a_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("org_id,org_name,token\na,Alpha," + "t" * 200_000 + "\n")
    code, output = run("import", tmp_path, "--out", tmp_path / "s.xlsx", "--manifest", manifest)
    assert code == 1
    assert f"{manifest}: not an xlsxkit manifest" in output
    assert "internal error" not in output


# A spreadsheet organisation list is checked and sandboxed like a return --------------------


def test_an_org_list_with_a_cell_far_beyond_excel_is_an_error_not_an_abort(
    tmp_path: Path,
) -> None:
    base = orgs_xlsx(tmp_path / "base.xlsx", [["a", "Alpha", "", ""]])
    far = patch_sheet(
        base,
        tmp_path / "far.xlsx",
        b'<row r="99999999"><c r="XFD99999999" t="inlineStr"><is><t>x</t></is></c></row>',
    )
    proc = run_child("generate", "--orgs", far, "--out", "out", cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert f"{far}: " in out and "nothing was written" in out
    assert "panicked" not in out and "backtrace" not in out.lower()
    assert not (tmp_path / "out").exists()


def test_an_org_list_with_cells_beyond_the_reading_bounds_is_refused_not_cut(
    tmp_path: Path,
) -> None:
    path = tmp_path / "orgs.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Partners")
    ws.write_row(0, 0, ["id", "name", "contact", "email"])
    ws.write_row(1, 0, ["a", "Alpha", "", ""])
    ws.write_row(6000, 0, ["z", "Zeta, listed far below", "", ""])
    wb.close()
    code, output = run("generate", "--orgs", path, "--out", tmp_path / "out")
    assert code == 1
    assert f"{path}: sheet 'Partners': " in output
    assert "beyond row 5,000" in output
    assert not (tmp_path / "out").exists()


def test_an_org_list_that_is_not_a_spreadsheet_says_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "partners.xlsx"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00" * 100)
    code, output = run("generate", "--orgs", path, "--out", tmp_path / "out")
    assert code == 1
    assert f"{path}: this is a PDF document, not a spreadsheet; save the list again" in output


def test_an_org_list_with_too_many_parts_is_refused_before_parsing(tmp_path: Path) -> None:
    base = orgs_xlsx(tmp_path / "base.xlsx", [["a", "Alpha", "", ""]])
    bomb = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(bomb, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        for i in range(1200):
            zout.writestr(f"junk/{i}.bin", b"")
    code, output = run("generate", "--orgs", bomb, "--out", tmp_path / "out")
    assert code == 1
    assert f"{bomb}: the file holds" in output and "parts" in output


def test_an_org_list_repeating_one_huge_text_is_refused_within_a_text_budget(
    tmp_path: Path,
) -> None:
    # One shared string of 2,000 characters in 6,000 cells: a small file that would expand
    # to 12 million characters in the main process.
    path = tmp_path / "orgs.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Partners")
    ws.write_row(0, 0, ["id", "name", "contact", "email"])
    huge = "y" * 2000
    for r in range(1, 2000):
        ws.write_row(r, 0, [f"o{r}", huge, huge, huge])
    wb.close()
    assert path.stat().st_size < 200_000
    code, output = run("generate", "--orgs", path, "--out", tmp_path / "out")
    assert code == 1
    assert f"more than {MAX_SHEET_CHARS:,} characters of text" in output
    assert len(output) < 2000


def test_a_csv_saved_with_a_spreadsheet_name_is_read_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "partners.xlsx"
    path.write_text("id,name,contact,email\n,Alpha,,\n")
    code, output = run("generate", "--orgs", path, "--out", tmp_path / "out")
    assert code == 0, output
    assert (tmp_path / "out" / "alpha.xlsx").exists()


def _abort() -> str:
    os.abort()


def _allocate() -> str:
    return "x" * (4 * 1024 * 1024 * 1024)


def _answer(x: int) -> int:
    return x * 2


def test_the_sandbox_turns_a_crash_or_exhausted_memory_into_a_failure() -> None:
    assert run_sandboxed(_answer, 21) == 42
    crashed = run_sandboxed(_abort)
    assert isinstance(crashed, SandboxFailure) and crashed.code == "unsafe-file"
    assert "crashed the reader" in crashed.message
    exhausted = run_sandboxed(_allocate)
    assert isinstance(exhausted, SandboxFailure) and exhausted.code == "unsafe-file"
