"""Ctrl-C at any point of a real run: the earlier outputs stay whole or the new ones are all
in place, never a mix; no temporary file anywhere; exit 130 and one line, no traceback.

Each run is paused at a checkpoint (see tests/procs.py), then sent SIGINT as a terminal
sends it, to the whole process group (the CSV writer and the workbook writers included).
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests import procs
from tests.filling import random_answers
from tests.helpers import generate_batch, orgs, write_filled
from xlsxkit.framework.model import Framework
from xlsxkit.workbook.manifest import read_manifest

FW = str(procs.FRAMEWORK)
INTERRUPTED = "xlsxkit: interrupted; no output was left half-written"
PROGRESS_LABELS = ("Reading returns", "Writing workbooks")
PEOPLE = ("Alpha Trust", "Bravo Health", "Charlie Care")


def the_one_line(err: str) -> list[str]:
    """stderr without the progress bar's label (all a bar prints when not on a terminal)."""
    return [line for line in err.splitlines() if line not in PROGRESS_LABELS]


def interrupt_at(
    point: str, args: list[str | Path], tmp_path: Path, *, how: str = "ctrl-c"
) -> procs.Ended:
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir(exist_ok=True)
    flag = tmp_path / f"paused-{point.replace(':', '-')}"
    proc = procs.start(*args, tmpdir=private_tmp, pause=point, flag=flag)
    try:
        procs.wait_for(flag, proc)
        if how == "ctrl-c":
            procs.ctrl_c(proc)
        else:
            proc.send_signal(signal.SIGTERM)  # to the main process only, as `kill` does
    finally:
        # Lets a paused child go on (it ignores Ctrl-C: its parent stops it), and ends a
        # pause in which the signal is held back (the final renames).
        procs.release(flag)
    ended = procs.finish(proc)
    assert list(private_tmp.iterdir()) == [], "temporary files left in $TMPDIR"
    return ended


# import ---------------------------------------------------------------------------------


def _import_setup(framework: Framework, tmp_path: Path) -> tuple[list[str | Path], Path]:
    """An earlier import's outputs in place, then a third return and a stray PDF arrive,
    so that every output of the next run differs from the earlier one."""
    outbox, inbox, out = tmp_path / "outbox", tmp_path / "inbox", tmp_path / "results"
    inbox.mkdir()
    people = orgs(*PEOPLE)
    batch = generate_batch(framework, outbox, people)
    tokens = {r.org_id: r.token for r in batch.rows}

    def send(i: int) -> None:
        org = people[i]
        answers = random_answers(framework, i)
        write_filled(framework, inbox / f"{org.id}.xlsx", org, answers, token=tokens[org.id])

    send(0)
    send(1)
    args: list[str | Path] = ["import", inbox, "--out", out / "summary.xlsx"]
    args += ["--data", out / "data", "--manifest", batch.manifest, "--framework", FW]
    assert procs.run(*args, tmpdir=tmp_path).code == 0
    send(2)
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.7\n")
    return args, out


def _outputs(out: Path) -> dict[str, bytes]:
    return {
        **procs.snapshot(out),
        **{f"data/{k}": v for k, v in procs.snapshot(out / "data").items()},
    }


@pytest.mark.parametrize(
    ("point", "outcome"),
    [
        ("import:read", "old"),  # read, nothing written yet
        ("import:summary-written", "old"),  # the new summary complete, not yet in place
        ("import:data-written", "old"),  # the CSV child has written, and waits
        ("commit", "new"),  # Ctrl-C during the final renames is held until they are done
    ],
)
def test_ctrl_c_during_import_leaves_one_whole_set_and_no_temporary_file(
    framework: Framework, tmp_path: Path, point: str, outcome: str
) -> None:
    args, out = _import_setup(framework, tmp_path)
    before = _outputs(out)
    assert len(before) == 5
    ended = interrupt_at(point, args, tmp_path)
    assert ended.code == 130, ended.err
    assert the_one_line(ended.err) == [INTERRUPTED]
    assert "Traceback" not in ended.err + ended.out
    after = _outputs(out)
    assert set(after) == set(before)
    changed = {name for name in before if after[name] != before[name]}
    assert changed == (set() if outcome == "old" else set(before)), changed
    assert procs.leftovers(tmp_path) == []


def test_sigterm_during_import_cleans_up_like_ctrl_c(framework: Framework, tmp_path: Path) -> None:
    args, out = _import_setup(framework, tmp_path)
    before = _outputs(out)
    ended = interrupt_at("import:summary-written", args, tmp_path, how="sigterm")
    assert ended.code == 128 + signal.SIGTERM
    assert the_one_line(ended.err) == [INTERRUPTED]
    assert _outputs(out) == before
    assert procs.leftovers(tmp_path) == []


# generate -------------------------------------------------------------------------------


def _generate_setup(
    framework: Framework, tmp_path: Path, n: int, jobs: int
) -> tuple[list[str | Path], Path]:
    out = tmp_path / "outbox"
    names = [f"Organisation {i:02d}" for i in range(n)]
    generate_batch(framework, out, orgs(*names), round="2026 Q4")
    args: list[str | Path] = ["generate", "--out", out, "--round", "2026 Q4", "--force"]
    args += ["--jobs", str(jobs), "--framework", FW]
    args += [a for name in names for a in ("--org", name)]
    return args, out


@pytest.mark.parametrize(
    ("point", "n", "jobs", "outcome"),
    [
        ("generate:workbook", 3, 1, "old"),  # after the first workbook, in this process
        ("generate:workbook", 30, 2, "old"),  # in the worker processes of a large batch
        ("generate:written", 3, 1, "old"),  # every workbook written, not the manifest
        ("generate:manifest-written", 3, 1, "old"),  # all written, nothing renamed
        ("commit", 3, 1, "new"),  # held until every rename is done
    ],
)
def test_ctrl_c_during_generate_keeps_manifest_and_workbooks_in_agreement(
    framework: Framework, tmp_path: Path, point: str, n: int, jobs: int, outcome: str
) -> None:
    args, out = _generate_setup(framework, tmp_path, n, jobs)
    before = procs.snapshot(out)
    ended = interrupt_at(point, args, tmp_path)
    assert ended.code == 130, ended.err
    assert the_one_line(ended.err) == [INTERRUPTED]
    after = procs.snapshot(out)
    procs.batch_agrees(framework, out)
    if outcome == "old":
        assert after == before
    else:
        assert set(after) == set(before)
        assert all(after[name] != before[name] for name in before)
    assert procs.leftovers(tmp_path) == []


def test_ctrl_c_while_adding_a_late_partner_leaves_the_batch_as_it_was(
    framework: Framework, tmp_path: Path
) -> None:
    out = tmp_path / "outbox"
    generate_batch(framework, out, orgs(*PEOPLE), round="2026 Q4")
    before = procs.snapshot(out)
    args: list[str | Path] = ["generate", "--out", out, "--round", "2026 Q4", "--framework", FW]
    args += [a for name in (*PEOPLE, "Delta Dental") for a in ("--org", name)]
    ended = interrupt_at("generate:manifest-written", args, tmp_path)
    assert ended.code == 130 and the_one_line(ended.err) == [INTERRUPTED]
    assert procs.snapshot(out) == before
    assert [r.org_name for r in read_manifest(out / "manifest.csv")] == list(PEOPLE)
    assert procs.leftovers(tmp_path) == []


def test_ctrl_c_in_a_first_run_leaves_no_output_folder_behind(
    framework: Framework, tmp_path: Path
) -> None:
    args, _ = _import_setup(framework, tmp_path)
    fresh = tmp_path / "new" / "results"
    args = [*args[:3], fresh / "summary.xlsx", "--data", fresh / "data", *args[6:]]
    ended = interrupt_at("import:summary-written", args, tmp_path)
    assert ended.code == 130 and the_one_line(ended.err) == [INTERRUPTED]
    assert not (tmp_path / "new").exists()
