"""Find the campaign folder, the way git finds its repository, and name its parts.

A campaign folder is the first folder, from the current one upward, that holds the settings
file ``xlsxkit.yaml`` or the store ``xlsxkit.db``; ``--campaign DIR`` names it explicitly.
Outside a campaign nothing is found, and the commands given explicit paths work as before.

Inside, every round has its own folder, named by a slug of the round's name: lowercase
ASCII letters, digits and hyphens only, so it is the same folder on Windows, macOS and Linux
(no case clash, no reserved name such as ``con``, nothing to quote in a shell)::

    xlsxkit.yaml  xlsxkit.db  framework.yaml  partners.csv  templates/
    rounds/<round-slug>/outbox/        what was generated
    rounds/<round-slug>/inbox/         where the returns are saved
    rounds/<round-slug>/summary.xlsx   the summary
    rounds/<round-slug>/data/          the CSVs
    rounds/<round-slug>/framework.yaml the framework the round was generated with
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from xlsxkit.errors import CampaignError

__all__ = [
    "CampaignError",
    "CampaignFolder",
    "RoundFolder",
    "find_campaign",
    "is_round_slug",
    "round_slug",
]
from xlsxkit.names import normalise_label, slugify

SETTINGS_NAME = "xlsxkit.yaml"
#: The store's file name, here and not in the store, so that finding a campaign (which every
#: command does at start-up) does not load SQLite and the store's records.
STORE_NAME = "xlsxkit.db"
FRAMEWORK_NAME = "framework.yaml"
PARTNERS_NAME = "partners.csv"
TEMPLATES_NAME = "templates"
ROUNDS_NAME = "rounds"

#: Longest round slug: the folder name stays short for Windows' path limit.
SLUG_MAX = 48

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Names Windows reserves for devices, whatever follows; slugs are lowercase ASCII already.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10))} | {
    f"lpt{i}" for i in range(10)
}


@dataclass(frozen=True, kw_only=True, slots=True)
class RoundFolder:
    """The folder of one round and its parts."""

    root: Path  # rounds/<slug>

    @property
    def slug(self) -> str:
        return self.root.name

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def summary(self) -> Path:
        return self.root / "summary.xlsx"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def framework(self) -> Path:
        """The framework the round's workbooks were generated with, as it was then."""
        return self.root / "framework.yaml"

    def make(self) -> None:
        """Create the round's outbox, inbox and data folders (those missing)."""
        for folder in (self.outbox, self.inbox, self.data):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except FileExistsError:
                raise CampaignError(
                    f"{folder}: a file is in the way of the round's folder; move it away"
                ) from None
            except OSError as exc:
                raise CampaignError(f"{folder}: cannot make the folder: {exc.strerror}") from None


@dataclass(frozen=True, kw_only=True, slots=True)
class CampaignFolder:
    """A campaign folder and the places of its parts."""

    root: Path

    @property
    def settings(self) -> Path:
        return self.root / SETTINGS_NAME

    @property
    def store(self) -> Path:
        return self.root / STORE_NAME

    @property
    def framework(self) -> Path:
        return self.root / FRAMEWORK_NAME

    @property
    def partners(self) -> Path:
        return self.root / PARTNERS_NAME

    @property
    def templates(self) -> Path:
        return self.root / TEMPLATES_NAME

    @property
    def rounds(self) -> Path:
        return self.root / ROUNDS_NAME

    def round(self, slug: str) -> RoundFolder:
        """The folder of the round with SLUG (see :func:`round_slug`)."""
        if not is_round_slug(slug):
            raise ValueError(f"not a round slug: {slug!r}")
        return RoundFolder(root=self.rounds / slug)


def round_slug(name: str) -> str:
    """The folder name of the round called NAME, e.g. "2027 Spring" -> ``2027-spring``.

    A name with no ASCII letter or digit ("第二轮") gets ``round-`` and a short hash of the
    name, so different names still get different folders; a reserved device name gets
    ``-round`` added.
    """
    if not name.strip():
        raise ValueError("a round needs a name")
    slug = slugify(name, max_length=SLUG_MAX)
    if not slug:
        import hashlib  # rarely needed; finding the campaign at start-up does not load OpenSSL

        digest = hashlib.sha256(normalise_label(name).encode("utf-8")).hexdigest()[:8]
        slug = f"round-{digest}"
    if slug in _RESERVED:
        slug = f"{slug}-round"
    return slug


def is_round_slug(text: str) -> bool:
    return bool(_SLUG.fullmatch(text)) and len(text) <= SLUG_MAX + 6 and text not in _RESERVED


def find_campaign(
    explicit: str | os.PathLike[str] | None = None, *, start: str | os.PathLike[str] | None = None
) -> CampaignFolder | None:
    """The campaign folder: EXPLICIT (``--campaign DIR``) when given, else the first folder
    from START (default: the current folder) upward holding ``xlsxkit.yaml`` or
    ``xlsxkit.db``. None when there is none: the command is run outside a campaign.

    An EXPLICIT folder that is not a campaign raises :class:`CampaignError`; so may naming
    the settings file or the store itself, which is taken to mean its folder.
    """
    if explicit is not None:
        return _explicit(Path(explicit))
    try:
        here = Path(os.path.abspath(start if start is not None else os.getcwd()))
    except OSError as exc:
        raise CampaignError(
            f"the current folder cannot be read ({exc.strerror}); change to another folder "
            "or give --campaign DIR"
        ) from None
    for folder in (here, *here.parents):
        if _marks_campaign(folder):
            return CampaignFolder(root=folder)
    return None


def _explicit(path: Path) -> CampaignFolder:
    if path.name in (SETTINGS_NAME, STORE_NAME) and _is_file(path):
        return CampaignFolder(root=Path(os.path.abspath(path.parent)))
    if not _is_dir(path):
        what = "is not a folder" if _exists(path) else "does not exist"
        raise CampaignError(
            f"{path}: the campaign folder {what}; give the folder made by 'xlsxkit init'"
        )
    if not _marks_campaign(path):
        raise CampaignError(
            f"{path}: this folder is not a campaign folder (it has no {SETTINGS_NAME} or "
            f"{STORE_NAME}); run 'xlsxkit init {path}' to make one"
        )
    return CampaignFolder(root=Path(os.path.abspath(path)))


def _marks_campaign(folder: Path) -> bool:
    return _is_file(folder / SETTINGS_NAME) or _is_file(folder / STORE_NAME)


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return True


def _is_file(path: Path) -> bool:
    """A regular file (a folder or a FIFO with that name does not count); an unreadable
    folder on the way up is not an error, it just holds no campaign we can see."""
    try:
        return path.is_file()
    except OSError:
        return False
