"""Find the returned files under SOURCES: every entry once, and never in a loop.

The rules (the README's import section states them for users):

- Folders are searched recursively, in name order. Lock, temporary and hidden files, and
  everything inside a hidden folder, are listed as ``skipped``.
- A link is followed only when its target, resolved to its real path, lies inside one of
  the SOURCES. Everything inside the SOURCES is reached through its real path anyway, so a
  link that stays inside is listed as a ``duplicate`` of the entry it points to and the
  file is read once, under its own name. A link pointing outside the SOURCES, a broken
  link and a link back to a folder that contains it (a loop) are listed as ``skipped`` with
  the reason. A hidden link is treated as hidden by its own name only after that.
- A SOURCE given on the command line is read even when it is a link: the user named it.
- A folder that cannot be opened is a ``rejected`` entry that says what to do. So is a
  FIFO, socket or device file: it is never opened (a FIFO would block the reader).
- A file reached twice (two SOURCES that overlap, or a hard link) is read once.

File names that are not valid UTF-8 (common in attachments unzipped on Windows) are
shown with replacement characters; the file itself is still read through its real name.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from xlsxkit.codes import Code
from xlsxkit.framework.model import Return, ReturnStatus
from xlsxkit.problems import error, info
from xlsxkit.workbook.read import rejected


@dataclass(frozen=True, kw_only=True, slots=True)
class Found:
    """A file to read: its real path on disk and the name it is shown under."""

    path: Path
    display: str


@dataclass(kw_only=True)
class Discovery:
    files: list[Found] = field(default_factory=list)  # to read, in walk order
    listed: list[Return] = field(default_factory=list)  # skipped, duplicate, rejected


def display_path(path: Path | str) -> str:
    """PATH as text that can be written anywhere: undecodable bytes become U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")


def skip_reason(name: str) -> str | None:
    """Why a file named NAME is not a return, or None."""
    if name.startswith("~$"):
        return "an Office lock file (the workbook was open when it was copied); not a return"
    if name.startswith(".~lock.") and name.endswith("#"):
        return "a LibreOffice lock file; not a return"
    if name.startswith("."):
        return "a hidden file; not a return"
    if name.endswith(("~", ".tmp", ".TMP")) or name.lower() in ("thumbs.db", "desktop.ini"):
        return "a temporary or system file; not a return"
    return None


def _real(path: Path) -> str | None:
    try:
        return os.path.realpath(path, strict=True)
    except (OSError, RuntimeError):
        return None


def _within(real: str, folder: str) -> bool:
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)


def _inside(real: str, roots: Iterable[str]) -> bool:
    return any(_within(real, root) for root in roots)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    return "not a regular file"


class _Walk:
    def __init__(
        self, sources: list[Path], exclude: Iterable[Path], shown_from: Path | None = None
    ) -> None:
        self.shown_from = os.fspath(shown_from) if shown_from is not None else None
        self.out = Discovery()
        self.excluded = {_real(p) or os.path.abspath(p) for p in exclude}
        self.roots = [r for r in (_real(s) for s in sources) if r is not None]
        self.by_real: dict[str, str] = {}  # real path -> display of the entry listing it
        self.by_inode: dict[tuple[int, int], str] = {}
        self.links: list[tuple[Path, bool]] = []  # (link, inside a hidden folder)

    def show(self, path: Path | str) -> str:
        """PATH as shown: relative to SHOWN_FROM when below it (a campaign folder: the same
        text whatever folder the command runs in), else as given."""
        text = os.fspath(path)
        root = self.shown_from
        if root is not None and os.path.isabs(text) and _within(text, root) and text != root:
            text = text[len(root.rstrip(os.sep)) + 1 :]
        return display_path(text)

    # one entry each -----------------------------------------------------------------
    def skip(self, display: str, reason: str) -> None:
        verdict = info(Code.SKIPPED, reason, file=display)
        self.out.listed.append(Return(source=display, status=ReturnStatus.SKIPPED, verdict=verdict))

    def reject(self, display: str, code: Code, reason: str) -> None:
        self.out.listed.append(rejected(display, error(code, reason)))

    def duplicate(self, display: str, reason: str) -> None:
        verdict = info(Code.DUPLICATE, reason, file=display)
        self.out.listed.append(
            Return(source=display, status=ReturnStatus.DUPLICATE, verdict=verdict)
        )

    def seen(self, path: Path, st: os.stat_result, display: str) -> str | None:
        """The display of an entry already listing this file, or None (and remember it)."""
        real = os.path.realpath(path)
        inode = (st.st_dev, st.st_ino)
        earlier = self.by_real.get(real) or (self.by_inode.get(inode) if st.st_ino else None)
        if earlier is not None:
            return earlier
        self.by_real[real] = display
        if st.st_ino:
            self.by_inode[inode] = display
        return None

    # the walk -----------------------------------------------------------------------
    def source(self, path: Path) -> None:
        display = self.show(path)
        real = _real(path)
        if real is None:
            self.skip(display, "a broken link or a path that does not exist; nothing to read")
            return
        if real in self.excluded:
            return
        try:
            st = os.stat(path)
        except OSError as exc:
            self.reject(display, Code.UNREADABLE, f"cannot read it ({exc.strerror or exc})")
            return
        if stat.S_ISDIR(st.st_mode):
            if self.seen(path, st, display) is None:
                self.folder(path, hidden=False)
        else:
            self.file(path, st, display, hidden=False)

    def file(self, path: Path, st: os.stat_result, display: str, *, hidden: bool) -> None:
        if os.path.realpath(path) in self.excluded:
            return
        earlier = self.seen(path, st, display)
        if earlier is not None:
            self.duplicate(display, f"the same file as {earlier} (read once, under that name)")
            return
        reason = "in a hidden folder; not a return" if hidden else skip_reason(path.name)
        if reason is not None:
            self.skip(display, reason)
        elif not stat.S_ISREG(st.st_mode):
            self.reject(
                display,
                Code.NOT_A_FILE,
                f"this is {_kind(st.st_mode)}, not a regular file; it was not opened. Save "
                "the returned workbook as an ordinary file and import again",
            )
        else:
            self.out.files.append(Found(path=path, display=display))

    def folder(self, path: Path, *, hidden: bool) -> None:
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.reject(
                self.show(path),
                Code.UNREADABLE_FOLDER,
                f"cannot open this folder ({exc.strerror or exc}), so the files in it were not "
                "searched; give yourself permission to read it (or copy its files into "
                "another folder) and import again",
            )
            return
        subfolders: list[tuple[Path, bool]] = []
        for entry in entries:
            child = Path(entry.path)
            if entry.is_symlink():
                self.links.append((child, hidden))
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                self.reject(
                    self.show(child), Code.UNREADABLE, f"cannot read it ({exc.strerror or exc})"
                )
                continue
            if stat.S_ISDIR(st.st_mode):
                if self.seen(child, st, self.show(child)) is None:  # a bind-mount loop
                    subfolders.append((child, hidden or entry.name.startswith(".")))
            else:
                self.file(child, st, self.show(child), hidden=hidden)
        for child, child_hidden in subfolders:
            self.folder(child, hidden=child_hidden)

    def link(self, path: Path, hidden: bool) -> None:
        """A link found while walking, decided once the real entries are all known."""
        display = self.show(path)
        real = _real(path)
        if real is None:
            self.skip(display, "a broken link (its target does not exist); not a return")
            return
        shown = self.show(real)
        if real in self.excluded:
            return
        parent = os.path.realpath(path.parent)
        if _within(parent, real):
            self.skip(
                display, f"a link to {shown}, a folder that contains it (a loop); not followed"
            )
            return
        if not _inside(real, self.roots):
            self.skip(
                display,
                f"a link to {shown}, outside the folders given to import; not followed (to "
                "import it, give that path as a source)",
            )
            return
        if hidden:
            self.skip(display, "in a hidden folder; not a return")
            return
        if path.name.startswith("."):
            self.skip(display, "a hidden link; not a return")
            return
        earlier = self.by_real.get(real)
        if earlier is None:  # inside the sources, yet not reached: only an excluded parent
            self.skip(display, f"a link to {shown}, which is not searched; not followed")
            return
        what = "folder" if os.path.isdir(real) else "file"
        self.duplicate(
            display, f"a link to the {what} {earlier}, which is listed under its own name"
        )


def discover(
    sources: Iterable[Path], exclude: Iterable[Path] = (), *, shown_from: Path | None = None
) -> Discovery:
    """Every entry under SOURCES, once: the files to read, and the entries listed with
    their verdict already (skipped, duplicate, rejected). Entries below the absolute folder
    SHOWN_FROM are shown relative to it."""
    source_list = [Path(s) for s in sources]
    walk = _Walk(source_list, exclude, shown_from)
    for source in source_list:
        walk.source(source)
    for link, hidden in walk.links:
        walk.link(link, hidden)
    return walk.out
