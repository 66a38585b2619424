"""Real ``xlsxkit`` processes for the output tests: run, pause at a checkpoint, signal.

A checkpoint (``xlsxkit.outfiles.checkpoint``) makes a run create a flag file and wait
until FLAG.go exists, so a test can interrupt or race a real run at a precise point
without any timing guess.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlsxkit.framework.model import Framework
from xlsxkit.outfiles import PAUSE_ENV, PAUSE_FLAG_ENV, RUN_DIR_PREFIX
from xlsxkit.workbook.manifest import read_manifest
from xlsxkit.workbook.read import read_return

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORK = ROOT / "framework.yaml"
#: Longest a test waits for a run to reach a checkpoint or to end (a hang fails the test).
WAIT_SECONDS = 120.0


def env_for(tmpdir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["TMPDIR"] = str(tmpdir)
    env.pop(PAUSE_ENV, None)
    env.pop(PAUSE_FLAG_ENV, None)
    env.update(extra)
    return env


def start(
    *args: str | Path,
    tmpdir: Path,
    pause: str | None = None,
    flag: Path | None = None,
    preexec: Callable[[], None] | None = None,
    cwd: Path | None = None,
    prefix: Sequence[str] = (),
) -> subprocess.Popen[str]:
    extra = {}
    if pause is not None:
        assert flag is not None
        extra = {PAUSE_ENV: pause, PAUSE_FLAG_ENV: str(flag)}
    return subprocess.Popen(
        [*prefix, sys.executable, "-m", "xlsxkit", *(str(a) for a in args)],
        env=env_for(tmpdir, **extra),
        cwd=cwd or tmpdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Its own process group, as a shell gives a command: Ctrl-C signals the whole group.
        start_new_session=True,
        preexec_fn=preexec,
    )


@dataclass(frozen=True, kw_only=True)
class Ended:
    code: int
    out: str
    err: str


def finish(proc: subprocess.Popen[str]) -> Ended:
    out, err = proc.communicate(timeout=WAIT_SECONDS)
    return Ended(code=proc.returncode, out=out, err=err)


def run(*args: str | Path, tmpdir: Path, **kw: object) -> Ended:
    return finish(start(*args, tmpdir=tmpdir, **kw))  # type: ignore[arg-type]


def wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    """Until PATH exists; fails if the run ends first."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not path.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(
                f"the run ended (exit {proc.returncode}) before the checkpoint:\n{out}{err}"
            )
        assert time.monotonic() < deadline, f"no checkpoint {path} after {WAIT_SECONDS} s"
        time.sleep(0.02)


def release(flag: Path) -> None:
    flag.with_name(flag.name + ".go").write_text("go\n")


def ctrl_c(proc: subprocess.Popen[str]) -> None:
    """What Ctrl-C in a terminal does: SIGINT to every process of the command."""
    import signal

    os.killpg(proc.pid, signal.SIGINT)


def leftovers(*folders: Path) -> list[str]:
    """Temporary files or folders of a run, anywhere under FOLDERS."""
    found = []
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            for name in dirs + files:
                if name.startswith(RUN_DIR_PREFIX) or name.endswith(".partial"):
                    found.append(os.path.join(root, name))
    return found


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every regular file directly in FOLDER, by name."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def batch_agrees(framework: Framework, out: Path) -> None:
    """Every workbook in the manifest is on disk, with the manifest's sha256 and token."""
    rows = read_manifest(out / "manifest.csv")
    assert rows
    for row in rows:
        path = out / row.file
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row.sha256, row.file
        assert read_return(path, framework).token == row.token, row.file
