"""generate, import and demo through click's CliRunner: exit codes, messages, outputs."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import os
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.filling import random_answers
from tests.helpers import orgs, write_filled
from xlsxkit.cli import cli
from xlsxkit.framework.model import Framework

ROOT = Path(__file__).resolve().parent.parent


def readme_csv_columns() -> dict[str, list[str]]:
    """The column lists of the README's "Data for analysts" table, by file name: the
    documented contract, which the written CSVs must match exactly."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Data for analysts", 1)[1].split("\n#", 1)[0]
    out: dict[str, list[str]] = {}
    for line in section.splitlines():
        m = re.match(r"\| `(\w+\.csv)` \| (.*) \|$", line)
        if m:
            columns = re.sub(r"\([^)]*\)", "", m.group(2)).split(";", 1)[0]
            out[m.group(1)] = [c.strip() for c in columns.split(",")]
    return out


def header_line(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


# generate -----------------------------------------------------------------------------


def test_generate_from_csv(tmp_path: Path) -> None:
    orgs_csv = tmp_path / "orgs.csv"
    orgs_csv.write_text(
        "id,name,contact,email\n,North & East,Ada,ada@x.org\nS1,South,Bob,bob@x.org\n,CON,,\n"
    )
    out = tmp_path / "out"
    code, output = run(
        "generate",
        "--framework",
        ROOT / "framework.yaml",
        "--orgs",
        orgs_csv,
        "--out",
        out,
        "--round",
        "2026 Q4",
        "--deadline",
        "2027-01-15",
        "--return-to",
        "c@x.org",
    )
    assert code == 0, output
    assert output.strip().endswith(
        f"Wrote 3 workbooks and manifest.csv to {out} (ip-engaging-people 1.0, round 2026 Q4)."
    )
    manifest = read_csv(out / "manifest.csv")
    assert [m["org_id"] for m in manifest] == ["north-east", "S1", "con"]
    assert [m["file"] for m in manifest] == ["north-east.xlsx", "south.xlsx", "con-org.xlsx"]
    assert list(manifest[0]) == [
        "org_id",
        "org_name",
        "contact",
        "email",
        "file",
        "token",
        "sha256",
        "framework",
        "framework_version",
        "round",
    ]
    import hashlib

    for m in manifest:
        assert hashlib.sha256((out / m["file"]).read_bytes()).hexdigest() == m["sha256"]
        assert len(m["token"]) == 16
    assert len({m["token"] for m in manifest}) == 3


def test_generate_refuses_bad_list_and_writes_nothing(tmp_path: Path) -> None:
    orgs_csv = tmp_path / "orgs.csv"
    orgs_csv.write_text("id,name,contact,email\n,North,,\n,north,,\n,,,x\n")
    out = tmp_path / "out"
    code, output = run("generate", "--orgs", orgs_csv, "--out", out)
    assert code == 1
    assert f"{orgs_csv}:3: " in output and f"{orgs_csv}:4: " in output
    assert "nothing was written" in output
    assert not out.exists()


def test_generate_refuses_a_non_empty_folder_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    code, output = run("generate", "--org", "North", "--out", out)
    assert code == 1 and "--force" in output
    code, output = run("generate", "--org", "North", "--out", out, "--force")
    assert code == 0
    assert (out / "north.xlsx").exists() and (out / "keep.txt").exists()


def test_generate_generic_and_usage_errors(tmp_path: Path) -> None:
    code, output = run("generate", "--out", tmp_path / "g")
    assert code == 0 and "1 generic workbook" in output
    assert (tmp_path / "g" / "ip-engaging-people-self-assessment.xlsx").exists()
    code, output = run("generate", "--out", tmp_path / "x", "--deadline", "03/04/2027")
    assert code == 2 and "--deadline" in output
    code, output = run("generate", "--out", tmp_path / "x", "--return-to", "nobody")
    assert code == 2 and "not an email address" in output
    code, output = run("generate", "--org", "A")
    assert code == 2 and "--out" in output


def test_generate_help_says_password_is_not_security() -> None:
    code, output = run("generate", "--help")
    assert code == 0
    assert "NOT security" in output


def test_generate_with_bad_template(tmp_path: Path) -> None:
    template = tmp_path / "t.txt"
    template.write_text("Hello $organisation\nBad $nope here\n")
    code, output = run(
        "generate", "--org", "A", "--out", tmp_path / "o", "--instructions", template
    )
    assert code == 1
    assert f"{template}:2: unknown placeholder $nope" in output


# import -------------------------------------------------------------------------------


@pytest.fixture()
def inbox(framework: Framework, tmp_path: Path) -> Path:
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i, org in enumerate(orgs("North", "South")):
        write_filled(framework, inbox / f"{org.id}.xlsx", org, random_answers(framework, i))
    (inbox / "notes.pdf").write_bytes(b"%PDF-1.7\n")
    return inbox


def test_import_writes_summary_and_data(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "summary.xlsx"
    data = tmp_path / "data"
    code, output = run("import", inbox, "--out", out, "--data", data)
    assert code == 0, output
    assert "3 file(s): 2 accepted, 0 superseded, 0 duplicate, 1 rejected, 0 skipped." in output
    assert "notes.pdf: error: this is a PDF document" in output
    assert f"Summary: {out}" in output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [
        "Dashboard",
        "Overview",
        "Heatmap",
        "People",
        "Culture",
        "Systems",
        "Next steps",
        "Comments",
        "Returns",
        "Problems",
        "Data (stages)",
        "Data (actions)",
    ]
    documented = readme_csv_columns()
    assert sorted(documented) == [
        "actions.csv",
        "problems.csv",
        "progress.csv",  # in a campaign only (tests/test_campaign_import.py)
        "returns.csv",
        "stages.csv",
    ]
    assert documented["stages.csv"][-3:] == ["comment", "round", "target_stage_id"]  # parsed
    assert not (data / "progress.csv").exists()
    for name, columns in documented.items():
        if name != "progress.csv":
            assert header_line(data / name) == columns, name
    assert len(read_csv(data / "stages.csv")) == 2 * 6
    assert len(read_csv(data / "actions.csv")) == 2 * 29
    assert {r["done"] for r in read_csv(data / "actions.csv")} == {"true", "false"}


def test_import_exit_codes(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.xlsx"
    code, output = run("import", inbox, "--out", out, "--strict")
    assert code == 1 and "--strict: 1 file(s) rejected" in output
    assert out.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "x.pdf").write_bytes(b"%PDF")
    code, output = run("import", empty, "--out", tmp_path / "e.xlsx")
    assert code == 1 and "nothing could be imported" in output
    code, output = run("import", tmp_path / "nope", "--out", out)
    assert code == 2
    code, output = run("import", inbox, "--out", tmp_path / "s.csv")
    assert code == 2 and "end the name in .xlsx" in output
    bad = tmp_path / "bad.yaml"
    bad.write_text("framework: [\n")
    code, output = run("import", inbox, "--out", out, "--framework", bad)
    assert code == 1 and "not valid" in output


def test_import_twice_gives_the_same_result(inbox: Path, tmp_path: Path) -> None:
    data1, data2 = tmp_path / "d1", tmp_path / "d2"
    run("import", inbox, "--out", inbox / "summary.xlsx", "--data", data1)
    run("import", inbox, "--out", inbox / "summary.xlsx", "--data", data2)
    for name in ("returns.csv", "stages.csv", "actions.csv", "problems.csv"):
        assert (data1 / name).read_bytes() == (data2 / name).read_bytes(), name
    assert "summary.xlsx" not in (data2 / "returns.csv").read_text()


def test_import_help_documents_exit_codes() -> None:
    code, output = run("import", "--help")
    assert code == 0
    assert "Exit codes:" in output and "0  the summary was written" in output


# demo ---------------------------------------------------------------------------------


def test_demo_runs_the_whole_job(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    code, output = run("demo", target)
    assert code == 0, output
    assert "7 accepted, 1 superseded, 1 rejected, 1 skipped, 1 blank, 3 missing" in output
    assert str(target / "summary.xlsx") in output
    # Out by email: a draft per partner, each with its workbook attached, never sent.
    drafts = sorted((target / "drafts").glob("*.eml"))
    assert len(drafts) == 10
    draft = email.message_from_bytes(drafts[0].read_bytes(), policy=email.policy.default)
    assert draft["X-Unsent"] == "1"
    [attached] = [p for p in draft.iter_attachments() if p.get_filename().endswith(".xlsx")]
    assert attached.get_content() == (target / "outbox" / attached.get_filename()).read_bytes()
    # Back by email: the spreadsheets of the mailbox collected, the rest counted.
    assert (
        "Collect: 10 spreadsheets saved into inbox/, 1 duplicate, 1 auto-reply skipped, "
        "1 reply without a workbook." in output
    )
    assert "Feedback: 7 workbooks" in output
    assert len(list((target / "feedback").glob("*-feedback.xlsx"))) == 7
    returns = read_csv(target / "data" / "returns.csv")
    # Every file read says which email it came from.
    read = [r for r in returns if r["status"] in ("accepted", "superseded", "rejected", "blank")]
    assert read and all(r["message_id"].startswith("<demo-") and r["from"] for r in read)
    assert {r["status"] for r in returns} == {
        "accepted",
        "superseded",
        "rejected",
        "skipped",
        "blank",
        "missing",
    }
    [blank] = [r for r in returns if r["status"] == "blank"]
    assert any(
        r["status"] == "missing"
        and r["org_id"] == blank["org_id"]
        and "returned blank" in r["reason"]
        for r in returns
    )
    problems = read_csv(target / "data" / "problems.csv")
    assert {p["code"] for p in problems} >= {
        "unreadable-stage",
        "unreadable-tick",
        "corrupt",
        "stage-not-supported",
    }
    first = (target / "data" / "stages.csv").read_bytes()
    # Reproducible, and running it again replaces the demo.
    code, _ = run("demo", target)
    assert code == 0
    assert (target / "data" / "stages.csv").read_bytes() == first
    other = tmp_path / "other"
    other.mkdir()
    (other / "mine.txt").write_text("x")
    code, output = run("demo", other)
    assert code == 1 and "--force" in output


def test_cli_runs_from_any_folder(tmp_path: Path) -> None:
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        code, output = run("demo")
    finally:
        os.chdir(old)
    assert code == 0, output
    assert (tmp_path / "xlsxkit-demo" / "summary.xlsx").exists()
