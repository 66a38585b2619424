"""``xlsxkit init``: a folder with editable copies of the framework and templates, and an
empty partner list, from which every other command runs without options.

It never overwrites anything. Every target is checked before the first byte is written, and
each file is created exclusively, so that even a file that appears in the meantime is never
replaced; should that happen, what this run wrote is removed again and the folder is left
as it was found.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xlsxkit.errors import InitError
from xlsxkit.resources import starter_files


@dataclass(frozen=True, kw_only=True)
class Starter:
    directory: Path
    files: tuple[Path, ...]  # relative to the directory, in the order written


def _refusal(directory: Path, existing: list[Path]) -> InitError:
    listed = "\n".join(f"  {directory / p}" for p in existing)
    one = len(existing) == 1
    return InitError(
        f"{'this file already exists' if one else 'these files already exist'}, and init "
        f"never overwrites a file:\n{listed}\nMove {'it' if one else 'them'} away or choose "
        "another folder; nothing was written"
    )


def write_starter(
    directory: Path, extra: Sequence[tuple[Path, bytes]] = (), reserved: Sequence[Path] = ()
) -> Starter:
    """Write the starter files (and EXTRA ones) into DIRECTORY (made if need be). Raises
    :class:`InitError` when any of them, or a RESERVED path (a file the caller makes after),
    exists already, writing nothing."""
    if directory.exists() and not directory.is_dir():
        raise InitError(f"{directory}: is a file, not a folder; give a folder")
    files = [*starter_files(), *extra]
    existing = [rel for rel, _ in files if os.path.lexists(directory / rel)]
    existing += [rel for rel in reserved if os.path.lexists(directory / rel)]
    existing += [
        rel.parent
        for rel, _ in files
        if rel.parent != Path(".")
        and (directory / rel.parent).exists()
        and not (directory / rel.parent).is_dir()
    ]
    if existing:
        raise _refusal(directory, existing)
    made_dirs: list[Path] = []
    written: list[Path] = []
    try:
        for rel, content in files:
            target = directory / rel
            for parent in reversed(target.parents):
                if not parent.exists():
                    parent.mkdir()
                    made_dirs.append(parent)
            with target.open("xb") as fh:
                written.append(target)
                fh.write(content)
    except FileExistsError as exc:
        _undo(written, made_dirs)
        raise _refusal(directory, [Path(exc.filename).relative_to(directory)]) from None
    except OSError as exc:
        _undo(written, made_dirs)
        raise InitError(
            f"{exc.filename or directory}: cannot write the starter files "
            f"({exc.strerror or exc}); nothing was written"
        ) from None
    return Starter(directory=directory, files=tuple(rel for rel, _ in files))


def _undo(written: list[Path], made_dirs: list[Path]) -> None:
    for path in reversed(written):
        with contextlib.suppress(OSError):
            path.unlink()
    for folder in reversed(made_dirs):
        with contextlib.suppress(OSError):
            folder.rmdir()
