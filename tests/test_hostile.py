"""Hostile input: a crashing or hanging reader, internal errors and bombs never stop the
batch, and each such file gets a precise verdict."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.corpus import raw_zip
from tests.helpers import import_paths, one_answer, orgs, write_filled
from xlsxkit.framework.model import Framework, Return
from xlsxkit.inbound import pool
from xlsxkit.workbook import read as reader
from xlsxkit.workbook.read import read_return


@pytest.fixture()
def inbox(framework: Framework, tmp_path: Path) -> Path:
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i, org in enumerate(orgs("Alpha", "Bravo", "Charlie", "Delta")):
        write_filled(framework, inbox / f"{i}-{org.id}.xlsx", org, one_answer(framework))
    return inbox


def test_a_reader_crash_rejects_only_that_file(
    framework: Framework, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pool.read_return

    def crashing(path: Path, fw: Framework, *, display: str | None = None) -> Return:
        if "bravo" in path.name:
            os.kill(os.getpid(), signal.SIGABRT)  # as a native reader does on a huge allocation
        return real(path, fw, display=display)

    monkeypatch.setattr(pool, "read_return", crashing)
    result = import_paths(framework, inbox, jobs=2)
    verdicts = {Path(r.source).name: (r.status, r.code) for r in result.returns}
    assert verdicts == {
        "0-alpha.xlsx": ("accepted", ""),
        "1-bravo.xlsx": ("rejected", "unsafe-file"),
        "2-charlie.xlsx": ("accepted", ""),
        "3-delta.xlsx": ("accepted", ""),
    }
    crashed = next(r for r in result.returns if r.code == "unsafe-file")
    assert "crashed the reader" in crashed.reason


def test_a_hanging_reader_times_out(
    framework: Framework, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pool.read_return

    def hanging(path: Path, fw: Framework, *, display: str | None = None) -> Return:
        if "charlie" in path.name:
            time.sleep(600)
        return real(path, fw, display=display)

    monkeypatch.setattr(pool, "read_return", hanging)
    monkeypatch.setattr(pool, "FILE_TIMEOUT_SECONDS", 1.5)
    started = time.monotonic()
    result = import_paths(framework, inbox, jobs=1)
    assert time.monotonic() - started < 30
    verdicts = {Path(r.source).name: (r.status, r.code) for r in result.returns}
    assert verdicts["2-charlie.xlsx"] == ("rejected", "too-slow")
    assert sum(status == "accepted" for status, _ in verdicts.values()) == 3


def test_an_internal_error_is_a_verdict(
    framework: Framework, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise KeyError("something xlsxkit did not expect")

    monkeypatch.setattr(reader, "_action_answer", broken)
    r = read_return(inbox / "0-alpha.xlsx", framework)
    assert (r.status, r.code) == ("rejected", "internal-error")
    assert "KeyError" in r.reason and "something xlsxkit did not expect" in r.reason
    assert "bug in xlsxkit" in r.reason


def test_zip_bombs_are_refused_quickly_without_unpacking(
    framework: Framework, tmp_path: Path
) -> None:
    declared = tmp_path / "declared.xlsx"
    declared.write_bytes(raw_zip([("xl/worksheets/sheet1.xml", b"0" * 100, 2**32 - 1)]))
    lying = tmp_path / "lying.xlsx"
    # 1 GiB of zeros deflates to about 1 MB; the entry claims 1 KB.
    lying.write_bytes(
        raw_zip(
            [
                ("xl/workbook.xml", b"<workbook/>", None),
                ("xl/worksheets/sheet1.xml", 1 << 30, 1024),
            ]
        )
    )
    for path, phrase in ((declared, "the limit is"), (lying, "more than the 1,024 bytes")):
        r = read_return(path, framework)
        assert (r.status, r.code) == ("rejected", "too-large"), r.reason
        assert phrase in r.reason


def test_unknown_compression_and_encryption_flags(framework: Framework, tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "bz.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    r = read_return(path, framework)
    assert (r.status, r.code) == ("rejected", "corrupt")
    assert "compression method" in r.reason
    data = bytearray(raw_zip([("xl/workbook.xml", b"<workbook/>", None)]))
    data[6] |= 1  # the local header's "encrypted" flag
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 1
    path = tmp_path / "zipcrypto.xlsx"
    path.write_bytes(bytes(data))
    r = read_return(path, framework)
    assert (r.status, r.code) == ("rejected", "password-protected")
