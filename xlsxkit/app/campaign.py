"""The campaign as the commands see it: making the folder, finding its inputs and its
rounds.

The commands stay thin: they pass what the user typed (None for an option not given) and
this module decides where each input comes from. An explicit option always wins; inside a
campaign folder (found as git finds its repository, or named by ``--campaign``) the
campaign's own files and settings come next; outside one, the defaults are exactly those of
the commands before campaigns existed (``./framework.yaml``, ``./templates/``, the bundled
files), so a command given explicit paths runs as it always did.

The store is the campaign's memory and the one source of truth: a round's ``manifest.csv``
is an export of it, rewritten after every generate, never read back.

The commands' other campaign steps live beside this module: generating a round with its
pre-fill (:mod:`xlsxkit.app.campaign_round`), the status of a round
(:mod:`xlsxkit.app.campaign_status`) and the import (:mod:`xlsxkit.app.campaign_import`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from xlsxkit import resources
from xlsxkit.campaign.locate import SETTINGS_NAME, STORE_NAME, CampaignFolder, find_campaign
from xlsxkit.errors import CampaignError

if TYPE_CHECKING:
    from xlsxkit.app.starter import Starter
    from xlsxkit.campaign.settings import Settings
    from xlsxkit.campaign.store import RoundRecord, Store

# The starter, the settings and the store (SQLite) are imported where they are used, so
# that a command that only looks for the campaign (validate, outside one) does not load them.

TEMPLATE_NAME = "instructions.txt"


# --------------------------------------------------------------------------------------
# init


def init_campaign(directory: Path) -> Starter:
    """Make DIRECTORY a campaign folder: the starter files, the settings file and an empty
    store. Refuses (writing nothing) when any of them exists already."""
    from xlsxkit.app.starter import Starter, write_starter
    from xlsxkit.campaign.settings import default_settings_text
    from xlsxkit.campaign.store import Store

    settings = (Path(SETTINGS_NAME), default_settings_text().encode("utf-8"))
    starter = write_starter(directory, extra=[settings], reserved=[Path(STORE_NAME)])
    store_path = directory / STORE_NAME
    try:
        Store.open(store_path, create=True).close()
    except BaseException:
        # The store is the last file made: undo the starter files too, as init promises.
        with contextlib.suppress(OSError):
            store_path.unlink()
        for rel in reversed(starter.files):
            with contextlib.suppress(OSError):
                (directory / rel).unlink()
        raise
    return Starter(directory=directory, files=(*starter.files, Path(STORE_NAME)))


# --------------------------------------------------------------------------------------
# discovery


@dataclass(frozen=True, kw_only=True)
class Campaign:
    """A campaign folder found, with its settings (the defaults when it has no file)."""

    folder: CampaignFolder
    settings: Settings

    def open_store(self) -> Store:
        from xlsxkit.campaign.store import Store

        return Store.open(self.folder.store, create=True)


def locate(explicit: Path | None) -> Campaign | None:
    """The campaign the command runs in: ``--campaign DIR`` when given, else the first
    campaign folder from the current one upward; None outside a campaign."""
    folder = find_campaign(explicit)
    if folder is None:
        return None
    from xlsxkit.campaign.settings import Settings, require_settings

    settings = require_settings(folder.settings) if folder.settings.is_file() else Settings()
    return Campaign(folder=folder, settings=settings)


def require(explicit: Path | None, command: str) -> Campaign:
    campaign = locate(explicit)
    if campaign is None:
        raise CampaignError(
            f"'xlsxkit {command}' works on a campaign, and this folder is not in one; run it "
            "in the folder made by 'xlsxkit init', or give --campaign DIR"
        )
    return campaign


def framework_path(campaign: Campaign | None, explicit: Path | None) -> Path:
    """--framework, else the campaign's framework.yaml, else ./framework.yaml or the
    bundled one (as outside a campaign)."""
    if explicit is not None:
        return explicit
    if campaign is not None and campaign.folder.framework.is_file():
        return shown_path(campaign.folder.framework)
    return resources.default_framework()


def shown_path(path: Path) -> Path:
    """PATH as the user would type it: relative to the current folder when it is below."""
    if not path.is_absolute():
        return path
    try:
        return path.relative_to(Path.cwd())
    except (ValueError, OSError):
        return path


def instructions_path(campaign: Campaign | None, explicit: Path | None) -> Path | None:
    """--instructions, else the campaign's templates/instructions.txt; None: the default."""
    if explicit is not None:
        return explicit
    if campaign is not None:
        path = campaign.folder.templates / TEMPLATE_NAME
        if path.is_file():
            return path
    return None


def orgs_path(campaign: Campaign | None, explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    if campaign is not None and campaign.folder.partners.is_file():
        return campaign.folder.partners
    return None


def return_to(campaign: Campaign | None, explicit: str) -> str:
    return explicit or (campaign.settings.return_to if campaign else "")


def deadline(campaign: Campaign | None, explicit: dt.date | None) -> dt.date | None:
    if explicit is not None:
        return explicit
    return campaign.settings.deadline if campaign else None


def jobs(campaign: Campaign | None, explicit: int | None) -> int | None:
    if explicit is not None:
        return explicit
    return campaign.settings.jobs if campaign else None


def pick_round(store: Store, name: str | None, *, command: str) -> RoundRecord:
    """The round called NAME, or the latest round when NAME is None."""
    if name is not None and name.strip():
        found = store.round_named(name.strip())
        if found is None:
            names = ", ".join(f"'{r.name}'" for r in store.rounds()) or "none yet"
            raise CampaignError(
                f"there is no round '{name.strip()}' in this campaign (rounds: {names}); "
                f"check the name, or make it with 'xlsxkit generate --round \"{name.strip()}\"'"
            )
        return found
    latest = store.latest_round()
    if latest is None:
        raise CampaignError(
            f"this campaign has no round yet, so '{command}' has nothing to show; make one "
            "with 'xlsxkit generate --round \"2027 spring\"'"
        )
    return latest
