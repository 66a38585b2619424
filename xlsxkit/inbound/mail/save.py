"""Saving collected spreadsheets into a folder: safe unique names, atomic, never over a file.

- *No path from a file name.* An attachment's name is untrusted (``../../x.xlsx``,
  ``C:\\x.xlsx``, ``CON.xlsx``, a NUL, right-to-left overrides): the saved name is made by
  :func:`xlsxkit.names.safe_file_stem` from its last part only (ASCII letters, digits and
  hyphens, Windows reserved names avoided), with the suffix of what the file is.
- *Never over another file.* The content is written to a hidden temporary file in the
  folder, flushed to disk, then *linked* to its name: a link fails when the name exists, so
  a file already there (a partner's earlier return, a file the coordinator put there) is
  never replaced; the next free name ("-2", "-3"...) is taken instead. Where the file
  system has no hard links, it is renamed after checking the name is free. A reader never
  sees a half-written file.
- *Once per content.* A spreadsheet whose sha256 is already in the folder (saved by an
  earlier collect, or put there by hand) is not saved again: it is a duplicate of that file.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from xlsxkit.inbound.mail.attachments import RETURN_SUFFIXES
from xlsxkit.names import safe_file_stem
from xlsxkit.workbook.safety import MAX_FILE_BYTES

_TEMP_PREFIX = ".xlsxkit-collect-"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class SaveFolder:
    """A folder spreadsheets are saved into (a round's inbox, or ``--out DIR``)."""

    def __init__(self, folder: Path, *, known: Mapping[str, Path] | None = None) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.by_sha: dict[str, Path] = {}
        self.stems: set[str] = set()
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            self.stems.add(Path(entry.name).stem.casefold())
            if not entry.name.lower().endswith(RETURN_SUFFIXES):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                if entry.stat(follow_symlinks=False).st_size > MAX_FILE_BYTES:
                    continue
                with open(entry.path, "rb") as fh:
                    digest = sha256(fh.read(MAX_FILE_BYTES + 1))
            except OSError:
                continue
            self.by_sha.setdefault(digest, Path(entry.path))
        for digest, path in (known or {}).items():
            if path.exists():
                self.by_sha.setdefault(digest, path)

    def existing(self, digest: str) -> Path | None:
        """Where content with this sha256 already is in the folder (None when it is not)."""
        return self.by_sha.get(digest)

    def save(self, data: bytes, *, original_name: str, suffix: str) -> Path:
        """Write DATA under a new safe name made from ORIGINAL_NAME; returns the path.
        Raises OSError when the folder cannot be written."""
        digest = sha256(data)
        temp = self.folder / f"{_TEMP_PREFIX}{secrets.token_hex(8)}.part"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            seed = Path(original_name).stem if original_name else ""
            while True:
                stem = safe_file_stem(seed, taken=self.stems, fallback="attachment")
                target = self.folder / f"{stem}{suffix}"
                if _place(temp, target):
                    break
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        self.by_sha[digest] = target
        return target


def _place(temp: Path, target: Path) -> bool:
    """Give TEMP's content the name TARGET unless that name is taken (False then)."""
    try:
        os.link(temp, target)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
    if os.path.lexists(target):  # no hard links here: check, then rename
        return False
    os.rename(temp, target)
    return True
