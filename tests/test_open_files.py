"""`--jobs` is fitted to the open-files limit (RLIMIT_NOFILE) and to the batch: the real
commands run in child processes with a lowered limit."""

from __future__ import annotations

import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.filling import random_answers
from tests.helpers import orgs, write_filled
from xlsxkit.cli.options import fit_jobs
from xlsxkit.framework.model import Framework

#: Only a guard against a hang (a process pool starved of file descriptors waits forever).
GUARD_SECONDS = 300


def open_files_limit(n: int) -> Callable[[], None]:
    def apply() -> None:
        _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, hard))

    return apply


def xlsxkit(limit: int, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xlsxkit", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=GUARD_SECONDS,
        preexec_fn=open_files_limit(limit),
        check=False,
    )


@pytest.fixture(scope="module")
def inbox(framework: Framework, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inbox")
    for i, org in enumerate(orgs(*(f"Org {n}" for n in range(30)))):
        write_filled(framework, folder / f"{org.id}.xlsx", org, random_answers(framework, i))
    return folder


def test_import_with_more_jobs_than_open_files_allow_uses_fewer(
    inbox: Path, tmp_path: Path
) -> None:
    proc = xlsxkit(40, "import", inbox, "--out", "s.xlsx", "--jobs", "200", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "30 accepted" in proc.stdout
    assert "not 200: the limit on open files (40, see 'ulimit -n') allows no more" in proc.stderr
    assert "internal error" not in proc.stderr


def test_generate_with_more_jobs_than_open_files_allow_uses_fewer(tmp_path: Path) -> None:
    partners = tmp_path / "partners.csv"
    partners.write_text(
        "id,name,contact,email\n" + "".join(f",Org {n},,\n" for n in range(30)), "utf-8"
    )
    proc = xlsxkit(
        40, "generate", "--orgs", partners, "--out", "out", "--jobs", "200", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "not 200: the limit on open files (40" in proc.stderr
    assert len(list((tmp_path / "out").glob("*.xlsx"))) == 30


def test_a_limit_too_low_to_run_is_a_clear_error(inbox: Path, tmp_path: Path) -> None:
    proc = xlsxkit(20, "import", inbox, "--out", "s.xlsx", cwd=tmp_path)
    assert proc.returncode == 1
    assert "the limit on open files is 20 (see 'ulimit -n'), too low" in proc.stderr
    assert "ulimit -n 1024" in proc.stderr
    assert "internal error" not in proc.stderr
    assert not (tmp_path / "s.xlsx").exists()


def test_jobs_are_fitted_to_the_batch_before_the_limit_is_consulted() -> None:
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 1024:
        pytest.skip("needs an open-files limit of 1024 or more")
    assert fit_jobs(200, batch=3) == 3
    assert fit_jobs(2, batch=30) == 2
    assert fit_jobs(None, batch=1) == 1
    assert fit_jobs(5, batch=0) == 1
