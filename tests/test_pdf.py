"""``import --pdf`` and :mod:`xlsxkit.render.pdf`: real LibreOffice, real files.

The missing-LibreOffice case runs the real command with a PATH that has no soffice on it
(not a mock of the module): the xlsx outputs must still be written and the message must
say what to install. A misbehaving LibreOffice is a real program too: a small script put
in place of soffice that hangs or fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.filling import fill_with_openpyxl
from tests.helpers import orgs, write_filled
from tests.test_campaign_import import PARTNERS, make_campaign, make_round, stages
from xlsxkit.cli import cli
from xlsxkit.errors import PdfError, PdfUnavailable
from xlsxkit.framework.model import Framework
from xlsxkit.outfiles import RUN_DIR_PREFIX
from xlsxkit.render.pdf import NEEDS_LIBREOFFICE, find_soffice, is_xlsxkit_pdf, render_pdf

needs_lo = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    [pages] = [line.split()[-1] for line in out.stdout.splitlines() if line.startswith("Pages:")]
    return int(pages)


def invoke(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


def returns(framework: Framework, folder: Path, n: int = 2) -> Path:
    folder.mkdir(parents=True)
    for i, org in enumerate(orgs(*(f"Partner {k}" for k in range(n)))):
        write_filled(framework, folder / f"{org.id}.xlsx", org, stages(framework, 1 + i % 3, 2))
    return folder


def no_soffice_path(tmp_path: Path) -> str:
    """A PATH with this Python's folder on it and no LibreOffice."""
    bare = tmp_path / "bin-without-soffice"
    bare.mkdir()
    path = os.pathsep.join([str(bare), str(Path(sys.executable).parent), "/nonexistent"])
    assert shutil.which("soffice", path=path) is None
    return path


def fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


@needs_lo
def test_import_pdf_writes_the_summary_pdf_beside_the_summary(
    framework: Framework, tmp_path: Path
) -> None:
    inbox = returns(framework, tmp_path / "in")
    out = tmp_path / "out" / "board summary.xlsx"
    result = invoke("import", inbox, "--out", out, "--pdf")
    assert result.exit_code == 0, result.output
    pdf = out.with_suffix(".pdf")
    assert f"PDF:     {pdf}" in result.output
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf_pages(pdf) >= 2
    assert is_xlsxkit_pdf(pdf)
    # nothing of the run (temporary folders) is left beside the outputs
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "board summary.pdf",
        "board summary.xlsx",
    ]

    # a second run replaces its own PDF
    before = pdf.stat().st_mtime_ns
    assert invoke("import", inbox, "--out", out, "--pdf").exit_code == 0
    assert pdf.stat().st_mtime_ns != before


def test_without_libreoffice_the_xlsx_outputs_are_written_and_the_message_says_what_to_install(
    framework: Framework, tmp_path: Path
) -> None:
    inbox = returns(framework, tmp_path / "in")
    out = tmp_path / "summary.xlsx"
    result = invoke(
        "import", inbox, "--out", out, "--data", tmp_path / "data", "--pdf",
        env={"PATH": no_soffice_path(tmp_path)},
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert NEEDS_LIBREOFFICE in result.output
    assert "apt install libreoffice-calc-nogui" in result.output
    assert out.is_file() and (tmp_path / "data" / "stages.csv").is_file()
    assert not out.with_suffix(".pdf").exists()
    assert "2 accepted" in result.output  # the report of the import is printed first


@needs_lo
def test_campaign_import_pdf_writes_the_rounds_summary_pdf(
    framework: Framework, tmp_path: Path
) -> None:
    campaign = make_campaign(tmp_path / "campaign")
    sent = make_round(campaign, framework, "2026 autumn", PARTNERS)
    inbox = campaign.round("2026-autumn").inbox
    north = PARTNERS[0].id
    fill_with_openpyxl(sent[north], inbox / "north.xlsx", stages(framework, 1, 2))
    result = invoke("import", "--campaign", campaign.root, "--pdf")
    assert result.exit_code == 0, result.output
    pdf = campaign.round("2026-autumn").summary.with_suffix(".pdf")
    assert pdf.is_file() and pdf_pages(pdf) >= 1
    # the PDF is an output, never an input: the next import does not count it
    again = invoke("import", "--campaign", campaign.root)
    assert again.exit_code == 0 and "1 file(s): 1 accepted" in again.output, again.output


def test_a_pdf_that_xlsxkit_did_not_make_is_never_overwritten(
    framework: Framework, tmp_path: Path
) -> None:
    inbox = returns(framework, tmp_path / "in")
    out = tmp_path / "summary.xlsx"
    theirs = out.with_suffix(".pdf")
    theirs.write_bytes(b"%PDF-1.4\n% the board's own minutes\n%%EOF\n")
    result = invoke("import", inbox, "--out", out, "--pdf")
    assert result.exit_code == 2, result.output
    assert "is not a PDF that xlsxkit made" in result.output
    assert theirs.read_bytes().startswith(b"%PDF-1.4\n% the board's own minutes")
    assert not out.exists()


def test_a_hung_libreoffice_is_stopped_and_the_earlier_pdf_is_left_as_it_was(
    framework: Framework, tmp_path: Path
) -> None:
    inbox = returns(framework, tmp_path / "in")
    out = tmp_path / "summary.xlsx"
    assert invoke("import", inbox, "--out", out).exit_code == 0
    target = tmp_path / "summary.pdf"
    target.write_bytes(b"earlier")
    hung = fake_soffice(tmp_path, "sleep 30")
    with pytest.raises(PdfError, match="took longer than 1 s and was stopped") as info:
        render_pdf(out, target, timeout=1, soffice=hung)
    assert (
        str(target) in str(info.value)
        and "the xlsx outputs were written" in str(info.value).lower()
    )
    assert target.read_bytes() == b"earlier"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(RUN_DIR_PREFIX)]


def test_a_failing_libreoffice_is_reported_with_what_it_said(
    framework: Framework, tmp_path: Path
) -> None:
    out = tmp_path / "summary.xlsx"
    out.write_bytes(b"not used by the fake")
    failing = fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 3")
    with pytest.raises(
        PdfError, match=re.escape("exit code 3 (Error: source file could not be loaded)")
    ):
        render_pdf(out, tmp_path / "summary.pdf", soffice=failing)
    silent = fake_soffice(tmp_path, "exit 0")
    with pytest.raises(PdfError, match="finished without writing a PDF"):
        render_pdf(out, tmp_path / "summary.pdf", soffice=silent)
    assert not (tmp_path / "summary.pdf").exists()


def test_render_pdf_without_libreoffice_raises_pdf_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", no_soffice_path(tmp_path))
    assert find_soffice() is None
    with pytest.raises(PdfUnavailable, match="PDF needs LibreOffice"):
        render_pdf(tmp_path / "a.xlsx", tmp_path / "a.pdf")
