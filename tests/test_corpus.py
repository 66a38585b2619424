"""Issue 5: a corpus of bad, odd and hostile returns. Every file gets its expected verdict,
the batch always finishes, and nothing is lost or injected."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.corpus import Corpus, build_corpus
from tests.helpers import generate_batch, one_answer, orgs, write_filled
from xlsxkit.cli import cli
from xlsxkit.framework.model import Framework, ReturnStatus
from xlsxkit.inbound.batch import ImportRequest, run_import
from xlsxkit.workbook.read import read_return


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, framework: Framework) -> Corpus:
    base = tmp_path_factory.mktemp("corpus")
    batch = generate_batch(framework, base / "sent", orgs("Template Org"))
    generic = generate_batch(framework, base / "generic", [])
    return build_corpus(
        base / "returns",
        framework,
        batch.out_dir / batch.rows[0].file,
        generic.out_dir / generic.rows[0].file,
    )


@pytest.fixture(scope="module")
def imported(corpus: Corpus, framework: Framework):  # type: ignore[no-untyped-def]
    return run_import(ImportRequest(sources=[corpus.root], framework=framework, jobs=2))


def test_corpus_is_big_enough(corpus: Corpus) -> None:
    bad_or_odd = [c for c in corpus.cases if c.status != "accepted" or c.warnings]
    assert len(corpus.cases) >= 40
    assert len(bad_or_odd) >= 25


def test_every_file_gets_its_verdict(corpus: Corpus, imported) -> None:  # type: ignore[no-untyped-def]
    by_file = {str(Path(r.source).relative_to(corpus.root)): r for r in imported.returns}
    mismatches = []
    for case in corpus.cases:
        r = by_file.get(case.file)
        if r is None:
            mismatches.append((case.file, "not reported"))
            continue
        got = (r.status, r.code if case.code else "")
        if got != (case.status, case.code):
            mismatches.append((case.file, got, r.reason))
            continue
        if case.reason and case.reason.lower() not in r.reason.lower():
            mismatches.append((case.file, "reason", r.reason))
        if case.org and r.org_id != case.org:
            mismatches.append((case.file, "org", r.org_id))
        if case.status == "accepted":
            codes = tuple(sorted(p.code for p in r.problems))
            if codes != tuple(sorted(case.warnings)):
                mismatches.append((case.file, "warnings", codes))
    assert mismatches == [], "\n".join(map(repr, mismatches))


def test_every_file_is_accounted_for_exactly_once(corpus: Corpus, imported) -> None:  # type: ignore[no-untyped-def]
    on_disk = {str(p.relative_to(corpus.root)) for p in corpus.root.rglob("*") if p.is_file()}
    reported = [str(Path(r.source).relative_to(corpus.root)) for r in imported.returns]
    assert Counter(reported) == Counter(on_disk)
    assert all(r.reason or r.status == ReturnStatus.ACCEPTED for r in imported.returns)


def test_problems_are_located(corpus: Corpus, imported) -> None:  # type: ignore[no-untyped-def]
    for r in imported.returns:
        for p in r.problems:
            assert p.location.file == r.source
            if p.code in ("unreadable-stage", "unreadable-tick", "missing-cached-value"):
                assert p.location.sheet and p.location.cell, p
    pasted = next(r for r in imported.returns if r.source.endswith("pasted-over-dropdowns.xlsx"))
    messages = sorted(p.message for p in pasted.problems)
    assert any("'Well developped'" in m for m in messages)
    assert any("the number 2" in m for m in messages)
    assert any("'Advanced'" in m for m in messages)


def test_answers_survive_the_mess(corpus: Corpus, imported, framework: Framework) -> None:  # type: ignore[no-untyped-def]
    by_name = {Path(r.source).name: r for r in imported.returns}

    def answers(name: str) -> dict[str, object]:
        return {a.item_id: a for a in by_name[name].answers}

    crit = framework.criteria
    pasted = answers("pasted-over-dropdowns.xlsx")
    assert [pasted[c.id].stage_id for c in crit] == [  # type: ignore[attr-defined]
        "well-developed",
        "some-work-done",
        None,
        None,
        None,
        "not-well-developed",
    ]
    ticks = answers("typed-ticks.xlsx")
    done = [ticks[a.id].done for a in framework.actions[:11]]  # type: ignore[attr-defined]
    assert done == [True, True, True, True, True, True, True, False, False, False, None]
    text = answers("long-free-text.xlsx")[crit[0].id]
    assert text.comment == corpus.answers["long-free-text.xlsx"][(crit[0].id, "comment")]  # type: ignore[attr-defined]
    nv = answers("no-cached-values.xlsx")[crit[0].actions[0].id]
    assert nv.done is None  # type: ignore[attr-defined]
    lo = answers("libreoffice-booleans.xlsx")
    assert all(lo[a.id].done for a in crit[0].actions)  # type: ignore[attr-defined]
    for name in (
        "junk-far-away.xlsx",
        "enormous-sheet.xlsx",
        "extra-sheets.xlsx",
        "renamed-sheets.xlsx",
    ):
        expected = corpus.answers[name]
        got = answers(name)
        for (item, field), value in expected.items():
            if field == "stage":
                label = {s.label: s.id for s in framework.stages}[value]  # type: ignore[index]
                assert got[item].stage_id == label, (name, item)  # type: ignore[attr-defined]
            elif field == "done":
                assert got[item].done is value, (name, item)  # type: ignore[attr-defined]


def test_cli_import_of_the_whole_corpus(corpus: Corpus, tmp_path: Path) -> None:
    out, data = tmp_path / "summary.xlsx", tmp_path / "data"
    result = CliRunner().invoke(
        cli, ["import", str(corpus.root), "--out", str(out), "--data", str(data), "--jobs", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    returns = list(csv.DictReader(io.StringIO((data / "returns.csv").read_text("utf-8-sig"))))
    sources = [r["source"] for r in returns]
    assert len(sources) == len(set(sources)) == len(corpus.cases)
    wb = openpyxl.load_workbook(out, read_only=True)
    listed = [
        row[0]
        for row in wb["Returns"].iter_rows(min_row=5, values_only=True)
        if isinstance(row[0], str)  # the counts of files by verdict come first
    ]
    assert Counter(s for s in listed if s.startswith(str(corpus.root))) == Counter(sources)
    strict = CliRunner().invoke(
        cli, ["import", str(corpus.root), "--out", str(tmp_path / "s2.xlsx"), "--strict"]
    )
    assert strict.exit_code == 1


def test_importing_twice_gives_the_same_result(
    corpus: Corpus, imported, framework: Framework
) -> None:  # type: ignore[no-untyped-def]
    again = run_import(ImportRequest(sources=[corpus.root], framework=framework, jobs=1))
    assert again.returns == imported.returns


# --------------------------------------------------------------------------------------
# Files that are not returns get advice for what they are


def test_an_email_signature_image_is_skipped_as_not_a_spreadsheet(
    framework: Framework, tmp_path: Path
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    (tmp_path / "image001.png").write_bytes(png)
    (tmp_path / "logo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    (tmp_path / "photo-of-our-return.xlsx").write_bytes(png)  # meant as the return
    got = {p.name: read_return(p, framework) for p in tmp_path.iterdir()}
    for name in ("image001.png", "logo.jpg"):
        assert (got[name].status, got[name].code) == ("skipped", "not-a-spreadsheet"), name
        assert "not a spreadsheet" in got[name].reason and "ask the partner" not in got[name].reason
    sent = got["photo-of-our-return.xlsx"]
    assert (sent.status, sent.code) == ("rejected", "not-a-workbook")
    assert "send back the workbook" in sent.reason


def test_a_saved_email_says_to_save_its_attachment(framework: Framework, tmp_path: Path) -> None:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "partner@example.org"
    message["To"] = "coordinator@example.org"
    message["Subject"] = "Our return"
    message["Date"] = "Mon, 30 Nov 2026 10:00:00 +0000"
    message.set_content("Please find our return attached.")
    message.add_attachment(
        b"PK\x03\x04 not really",
        maintype="application",
        subtype="octet-stream",
        filename="alpha-trust.xlsx",
    )
    (tmp_path / "Our return.eml").write_bytes(bytes(message))
    r = read_return(tmp_path / "Our return.eml", framework)
    assert (r.status, r.code) == ("rejected", "email-message")
    assert "save the attached workbook" in r.reason and "'alpha-trust.xlsx'" in r.reason
    assert "send back the workbook" not in r.reason
    msg = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    msg += "__substg1.0_0037001F".encode("utf-16-le").ljust(128, b"\x00")
    (tmp_path / "Our return.msg").write_bytes(bytes(msg))
    r = read_return(tmp_path / "Our return.msg", framework)
    assert (r.status, r.code) == ("rejected", "email-message")
    assert "Outlook" in r.reason and "save the attached workbook" in r.reason


def test_xlsxkit_outputs_among_the_sources_are_skipped_not_rejected(
    framework: Framework, tmp_path: Path
) -> None:
    batch = generate_batch(framework, tmp_path / "out", orgs("Alpha"))
    inbox = tmp_path / "in"
    inbox.mkdir()
    write_filled(
        framework,
        inbox / "alpha.xlsx",
        orgs("Alpha")[0],
        one_answer(framework),
        token=batch.rows[0].token,
    )
    first = CliRunner().invoke(
        cli,
        ["import", str(inbox), "--out", str(inbox / "old-summary.xlsx"), "--data", str(inbox)],
    )
    assert first.exit_code == 0, first.output
    shutil.copy(batch.manifest, inbox / "manifest.csv")
    again = CliRunner().invoke(cli, ["import", str(inbox), "--out", str(tmp_path / "s.xlsx")])
    assert again.exit_code == 0, again.output
    assert "0 rejected" in again.output
    result = run_import(ImportRequest(sources=[inbox], framework=framework, jobs=1))
    verdicts = {Path(r.source).name: (r.status, r.code) for r in result.returns}
    outputs = ["old-summary.xlsx", "returns.csv", "stages.csv", "actions.csv", "problems.csv"]
    for name in [*outputs, "manifest.csv"]:
        assert verdicts[name] == ("skipped", "xlsxkit-output"), name
    assert verdicts["alpha.xlsx"][0] == "accepted"
    reasons = {Path(r.source).name: r.reason for r in result.returns}
    assert "an xlsxkit output" in reasons["old-summary.xlsx"]
    assert "an xlsxkit output" in reasons["returns.csv"]


def test_xlsxkit_outputs_are_recognised_by_the_writers_own_headers() -> None:
    from xlsxkit.render import csv as data_csv
    from xlsxkit.workbook.manifest import LEGACY_MANIFEST_COLUMNS, MANIFEST_COLUMNS
    from xlsxkit.workbook.safety import XLSXKIT_CSV_HEADERS

    written = [
        data_csv.RETURNS_COLUMNS,
        data_csv.STAGES_COLUMNS,
        data_csv.ACTIONS_COLUMNS,
        data_csv.PROBLEMS_COLUMNS,
        data_csv.PROGRESS_COLUMNS,
        MANIFEST_COLUMNS,
        LEGACY_MANIFEST_COLUMNS,
    ]
    # every header written now is recognised (and so are those of earlier versions)
    assert {",".join(columns) for columns in written} <= set(XLSXKIT_CSV_HEADERS)


def test_a_partners_own_csv_is_still_a_rejected_return(
    framework: Framework, tmp_path: Path
) -> None:
    (tmp_path / "ours.csv").write_text("org_id,org_name,status\nalpha,Alpha,done\n")
    r = read_return(tmp_path / "ours.csv", framework)
    assert (r.status, r.code) == ("rejected", "not-a-workbook")


def test_an_apple_numbers_file_is_named_and_export_is_advised(
    framework: Framework, tmp_path: Path
) -> None:
    path = tmp_path / "return.numbers"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("Index/Document.iwa", b"\x00\x01iwa")
        z.writestr("Metadata/Properties.plist", b"bplist00")
        z.writestr("preview.jpg", b"\xff\xd8\xff")
    r = read_return(path, framework)
    assert (r.status, r.code) == ("rejected", "not-a-workbook")
    assert "Apple Numbers" in r.reason and "Export To > Excel" in r.reason
    assert "zip archive" not in r.reason


def test_a_zip_of_workbooks_says_to_unzip_it(framework: Framework, tmp_path: Path) -> None:
    path = tmp_path / "returns.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("alpha.xlsx", b"x")
        z.writestr("notes/readme.txt", b"x")
    r = read_return(path, framework)
    assert (r.status, r.code) == ("rejected", "not-a-workbook")
    assert "zip archive" in r.reason and "'alpha.xlsx'" in r.reason and "unzip it" in r.reason
    assert "(not zipped)" not in r.reason
