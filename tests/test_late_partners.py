"""A late partner: generate into the folder of the batch already sent adds its workbook and
nothing else; import takes the manifests of several batches."""

from __future__ import annotations

import hashlib
from pathlib import Path

from click.testing import CliRunner

from tests import fwtools
from tests.filling import random_answers
from tests.helpers import orgs, write_filled
from xlsxkit.cli import cli
from xlsxkit.framework.model import Framework
from xlsxkit.workbook.manifest import LEGACY_MANIFEST_COLUMNS, read_manifest

NAMES = ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot")
LATE = "Golf"


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result.exit_code, result.output


def generate(out: Path, *names: str, extra: tuple[str, ...] = ()) -> tuple[int, str]:
    org_args = [a for n in names for a in ("--org", n)]
    return run("generate", *org_args, "--out", out, "--round", "2026 Q4", *extra)


def files_of(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_generate_into_its_own_batch_adds_only_the_late_partner(tmp_path: Path) -> None:
    out = tmp_path / "outbox"
    assert generate(out, *NAMES)[0] == 0
    before = files_of(out)
    code, output = generate(out, *NAMES, LATE, extra=("--deadline", "2027-02-01"))
    assert code == 0, output
    assert output.strip().endswith(
        f"6 already there (left unchanged); added 1 workbook (golf.xlsx) to {out} and to its "
        "manifest.csv (ip-engaging-people 1.0, round 2026 Q4). Send only the new ones."
    )
    after = files_of(out)
    assert set(after) == set(before) | {"golf.xlsx"}
    for name, data in before.items():
        if name != "manifest.csv":
            assert after[name] == data, name  # byte for byte: they may have been sent
    assert after["manifest.csv"].startswith(before["manifest.csv"])
    rows = read_manifest(out / "manifest.csv")
    assert [r.org_name for r in rows] == [*NAMES, LATE]
    golf = rows[-1]
    assert golf.file == "golf.xlsx" and golf.round == "2026 Q4"
    assert golf.sha256 == hashlib.sha256((out / "golf.xlsx").read_bytes()).hexdigest()
    assert len({r.token for r in rows}) == 7


def test_returns_of_the_first_batch_and_of_the_late_partner_all_match_their_tokens(
    framework: Framework, tmp_path: Path
) -> None:
    out, inbox = tmp_path / "outbox", tmp_path / "inbox"
    inbox.mkdir()
    assert generate(out, *NAMES)[0] == 0
    assert generate(out, *NAMES, LATE)[0] == 0
    for i, row in enumerate(read_manifest(out / "manifest.csv")):
        [org] = orgs(row.org_name)
        write_filled(
            framework, inbox / row.file, org, random_answers(framework, i), token=row.token
        )
    code, output = run(
        "import", inbox, "--out", tmp_path / "s.xlsx", "--manifest", out / "manifest.csv"
    )
    assert code == 0, output
    assert "7 accepted" in output and "0 missing" in output
    assert "token" not in output


def test_generate_again_with_the_same_list_adds_nothing(tmp_path: Path) -> None:
    out = tmp_path / "outbox"
    assert generate(out, *NAMES)[0] == 0
    before = files_of(out)
    code, output = generate(out, *NAMES[:4])
    assert code == 0
    assert "already holds a workbook for every organisation given (6 in manifest.csv)" in output
    assert "nothing was added" in output and "--force" in output
    assert files_of(out) == before


def test_generate_force_regenerates_all_and_says_the_old_ones_are_invalid(tmp_path: Path) -> None:
    out = tmp_path / "outbox"
    assert generate(out, *NAMES)[0] == 0
    old = {r.org_id: r.token for r in read_manifest(out / "manifest.csv")}
    code, output = generate(out, *NAMES, LATE, extra=("--force",))
    assert code == 0, output
    assert "Wrote 7 workbooks" in output
    assert "The 6 workbooks generated there before are no longer valid" in output
    new = {r.org_id: r.token for r in read_manifest(out / "manifest.csv")}
    assert len(new) == 7 and not set(old.values()) & set(new.values())
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".xlsx") == sorted(
        f"{n.lower()}.xlsx" for n in (*NAMES, LATE)
    )


def test_generate_into_a_batch_of_another_round_or_framework_is_refused(
    tmp_path: Path,
) -> None:
    out = tmp_path / "outbox"
    assert generate(out, *NAMES)[0] == 0
    before = files_of(out)
    code, output = run("generate", "--org", LATE, "--out", out, "--round", "2027 Q1")
    assert code == 1
    assert (
        f"{out}: holds another batch (framework ip-engaging-people 1.0, round '2026 Q4', in "
        "manifest.csv), not this one (framework ip-engaging-people 1.0, round '2027 Q1')"
    ) in output
    other = fwtools.write(tmp_path, fwtools.minimal())
    code, output = run(
        "generate", "--org", LATE, "--out", out, "--round", "2026 Q4", "--framework", other
    )
    assert code == 1 and "not this one (framework demo 1, round '2026 Q4')" in output
    assert files_of(out) == before


def test_generate_into_a_batch_from_before_the_batch_columns_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "outbox"
    assert generate(out, *NAMES)[0] == 0
    manifest = out / "manifest.csv"
    lines = manifest.read_text(encoding="utf-8-sig").splitlines()
    legacy = [",".join(LEGACY_MANIFEST_COLUMNS)] + [
        ",".join(line.split(",")[:7]) for line in lines[1:]
    ]
    manifest.write_text("\ufeff" + "\r\n".join(legacy) + "\r\n", encoding="utf-8")
    before = files_of(out)
    code, output = generate(out, *NAMES, LATE)
    assert code == 1
    assert "does not record the framework and round" in output and "--force" in output
    assert files_of(out) == before
    code, output = generate(out, *NAMES, LATE, extra=("--force",))
    assert code == 0, output


def test_a_late_partner_never_takes_the_name_of_a_file_already_there(tmp_path: Path) -> None:
    out = tmp_path / "outbox"
    assert generate(out, *NAMES)[0] == 0
    (out / "golf.xlsx").write_bytes(b"a file the coordinator saved here")
    code, output = generate(out, *NAMES, LATE)
    assert code == 0, output
    assert (out / "golf.xlsx").read_bytes() == b"a file the coordinator saved here"
    assert read_manifest(out / "manifest.csv")[-1].file == "golf-2.xlsx"


# import with several manifests -----------------------------------------------------------


def test_import_takes_the_union_of_several_manifests(framework: Framework, tmp_path: Path) -> None:
    first, late, inbox = tmp_path / "outbox", tmp_path / "late", tmp_path / "inbox"
    inbox.mkdir()
    assert generate(first, "Alpha", "Bravo")[0] == 0
    assert generate(late, LATE)[0] == 0
    [golf] = read_manifest(late / "manifest.csv")
    write_filled(
        framework, inbox / "g.xlsx", orgs(LATE)[0], random_answers(framework, 1), token=golf.token
    )
    code, output = run(
        "import",
        inbox,
        "--out",
        tmp_path / "s.xlsx",
        "--manifest",
        first / "manifest.csv",
        "--manifest",
        late / "manifest.csv",
    )
    assert code == 0, output
    assert "1 accepted" in output and "2 missing" in output
    assert "Missing: Alpha, Bravo" in output and "token" not in output


def test_an_organisation_in_two_manifests_is_an_error_naming_both(tmp_path: Path) -> None:
    first, second, inbox = tmp_path / "a", tmp_path / "b", tmp_path / "inbox"
    inbox.mkdir()
    assert generate(first, "Alpha", "Bravo")[0] == 0
    assert generate(second, "Bravo")[0] == 0
    code, output = run(
        "import",
        inbox,
        "--out",
        tmp_path / "s.xlsx",
        "--manifest",
        first / "manifest.csv",
        "--manifest",
        second / "manifest.csv",
    )
    assert code == 1
    assert (
        f"organisation 'bravo' (Bravo) is in two manifests, {first / 'manifest.csv'} and "
        f"{second / 'manifest.csv'}"
    ) in output
    assert not (tmp_path / "s.xlsx").exists()


def test_the_same_manifest_given_twice_counts_once(tmp_path: Path) -> None:
    out, inbox = tmp_path / "outbox", tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "x.pdf").write_bytes(b"%PDF-1.7\n")
    assert generate(out, "Alpha", "Bravo")[0] == 0
    manifest = out / "manifest.csv"
    code, output = run(
        "import",
        inbox,
        "--out",
        tmp_path / "s.xlsx",
        "--manifest",
        manifest,
        "--manifest",
        manifest,
    )
    assert code == 1  # nothing could be imported: the one file is a PDF
    assert "2 missing" in output, output
