"""The campaign as the commands see it: making the folder, finding its inputs, generating a
round from the store with pre-fill, and the status of a round.

The commands stay thin: they pass what the user typed (None for an option not given) and
this module decides where each input comes from. An explicit option always wins; inside a
campaign folder (found as git finds its repository, or named by ``--campaign``) the
campaign's own files and settings come next; outside one, the defaults are exactly those of
the commands before campaigns existed (``./framework.yaml``, ``./templates/``, the bundled
files), so a command given explicit paths runs as it always did.

The store is the campaign's memory and the one source of truth: a round's ``manifest.csv``
is an export of it, rewritten after every generate, never read back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import secrets
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from xlsxkit import resources
from xlsxkit.app.campaign_import import round_manifest
from xlsxkit.app.starter import Starter, write_starter
from xlsxkit.campaign.locate import (
    SETTINGS_NAME,
    CampaignFolder,
    find_campaign,
    round_slug,
)
from xlsxkit.campaign.settings import Settings, default_settings_text, require_settings
from xlsxkit.campaign.store import (
    STORE_NAME,
    OrgRecord,
    RoundRecord,
    Store,
    WorkbookRecord,
)
from xlsxkit.csvsafe import write_csv
from xlsxkit.errors import CampaignError, GenerateError
from xlsxkit.framework.model import Answer, Framework, Organisation
from xlsxkit.names import safe_file_stem
from xlsxkit.outbound.generate import GenerateRequest, generate
from xlsxkit.outfiles import OutputSet, locked, write_failure
from xlsxkit.workbook.instructions import InstructionsTemplate
from xlsxkit.workbook.manifest import MANIFEST_COLUMNS, MANIFEST_NAME
from xlsxkit.workbook.prefill import carry_over

TEMPLATE_NAME = "instructions.txt"


# --------------------------------------------------------------------------------------
# init


def init_campaign(directory: Path) -> Starter:
    """Make DIRECTORY a campaign folder: the starter files, the settings file and an empty
    store. Refuses (writing nothing) when any of them exists already."""
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
        return Store.open(self.folder.store, create=True)


def locate(explicit: Path | None) -> Campaign | None:
    """The campaign the command runs in: ``--campaign DIR`` when given, else the first
    campaign folder from the current one upward; None outside a campaign."""
    folder = find_campaign(explicit)
    if folder is None:
        return None
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


# --------------------------------------------------------------------------------------
# generate --round


@dataclass(frozen=True, kw_only=True, slots=True)
class Carried:
    org_id: str
    org_name: str
    previous_round: str
    answers: int
    dropped: tuple[str, ...]  # ids no longer in the framework: their answers dropped
    added: tuple[str, ...] = ()  # ids new since: they start blank
    cleared: tuple[str, ...] = ()  # "item: stage" no longer on the ladder, cleared


@dataclass(frozen=True, kw_only=True)
class RoundRequest:
    campaign: Campaign
    framework: Framework
    organisations: Sequence[Organisation]
    round_name: str
    instructions: InstructionsTemplate
    deadline: dt.date | None = None
    return_to: str = ""
    password: str | None = None
    jobs: int | None = None


@dataclass(frozen=True, kw_only=True)
class RoundResult:
    round: RoundRecord
    new_round: bool
    outbox: Path
    manifest: Path
    written: tuple[WorkbookRecord, ...]  # by this run
    already: int  # workbooks of the round left as they were
    carried: tuple[Carried, ...]  # organisations whose workbook is pre-filled
    blank: tuple[str, ...]  # names of organisations with no earlier accepted return


def _provisional_round(
    request: RoundRequest, slug: str, name: str, now: dt.datetime
) -> RoundRecord:
    fw = request.framework
    return RoundRecord(
        slug=slug,
        name=name,
        position=0,
        created_at=now,
        framework_id=fw.id,
        framework_version=fw.version,
        framework_hash=fw.content_hash,
        stage_ids=tuple(s.id for s in fw.stages),
        deadline=request.deadline,
    )


def _new_round(store: Store, request: RoundRequest, now: dt.datetime) -> RoundRecord:
    fw = request.framework
    return store.add_round(
        slug=round_slug(request.round_name.strip()),
        name=request.round_name.strip(),
        created_at=now,
        framework_id=fw.id,
        framework_version=fw.version,
        framework_hash=fw.content_hash,
        stage_ids=[s.id for s in fw.stages],
        deadline=request.deadline,
    )


def generate_round(
    request: RoundRequest, *, progress: Callable[[int], None] | None = None
) -> RoundResult:
    """Write the workbooks of the round for every organisation that has none in it yet,
    pre-filled from each one's latest accepted return in an earlier round, and record them.

    The workbooks are written to a private folder first and moved into the outbox under
    names no file there has; a workbook already in the outbox is never touched. The store
    records every new workbook in one transaction; manifest.csv is then exported from it.
    """
    name = request.round_name.strip()
    if not name:
        raise CampaignError('the round needs a name, e.g. --round "2027 spring"')
    now = dt.datetime.now(dt.UTC)
    with request.campaign.open_store() as store, contextlib.ExitStack() as guard:
        found = store.round_named(name)
        new_round = found is None
        if found is None:
            slug = round_slug(name)
            clash = store.round(slug)
            if clash is not None:
                raise CampaignError(
                    f"the round '{name}' would use the folder rounds/{slug}, which the round "
                    f"'{clash.name}' has; give --round \"{clash.name}\" for that round, or "
                    "another name"
                )
            # Made in the transaction that records the workbooks: a run that fails leaves
            # no empty round behind.
            rnd = _provisional_round(request, slug, name, now)
            earlier_rounds = store.rounds()
        else:
            rnd = found
            if request.deadline is not None and request.deadline != rnd.deadline:
                rnd = dataclasses.replace(rnd, deadline=request.deadline)
            earlier_rounds = tuple(r for r in store.rounds() if r.position < rnd.position)
        folder = request.campaign.folder.round(rnd.slug)
        folder.make()
        # One run at a time writes a round's outbox (another one stops with exit 1).
        guard.enter_context(locked([folder.outbox], what="the round's workbooks"))
        have = {w.org_id for w in store.workbooks(rnd.slug)} if not new_round else set()
        pending = [o for o in request.organisations if o.id not in have]
        names = {r.slug: r.name for r in earlier_rounds}
        prefill: dict[str, tuple[Answer, ...]] = {}
        previous_round: dict[str, str] = {}
        carried: list[Carried] = []
        blank: list[str] = []
        for org in pending:
            before = next(
                (
                    a
                    for r in reversed(earlier_rounds)
                    if (a := store.accepted(r.slug, org.id)) is not None
                ),
                None,
            )
            if before is None:
                blank.append(org.name)
                continue
            co = carry_over([r.to_answer() for r in before.answers], request.framework)
            earlier_name = names[before.round_slug]
            prefill[org.id] = co.answers
            previous_round[org.id] = earlier_name
            carried.append(
                Carried(
                    org_id=org.id,
                    org_name=org.name,
                    previous_round=earlier_name,
                    answers=len(co.answers),
                    dropped=co.removed,
                    added=co.added,
                    cleared=tuple(f"{c.item_id}: {c.stage_id}" for c in co.cleared),
                )
            )

        def record_round() -> None:
            if new_round:
                _new_round(store, request, now)
            elif found is not None and rnd.deadline != found.deadline:
                store.set_deadline(rnd.slug, rnd.deadline)

        written: list[WorkbookRecord] = []
        if pending:
            written = _write(
                request, store, rnd, pending, prefill, previous_round, record_round, progress
            )
        else:
            record_round()
        rnd = store.round(rnd.slug) or rnd
        manifest = _export_manifest(store, request.campaign.folder, rnd)
        already = len(store.workbooks(rnd.slug)) - len(written)
    return RoundResult(
        round=rnd,
        new_round=new_round,
        outbox=folder.outbox,
        manifest=manifest,
        written=tuple(written),
        already=already,
        carried=tuple(carried),
        blank=tuple(blank),
    )


def _write(
    request: RoundRequest,
    store: Store,
    rnd: RoundRecord,
    pending: Sequence[Organisation],
    prefill: dict[str, tuple[Answer, ...]],
    previous_round: dict[str, str],
    record_round: Callable[[], None],
    progress: Callable[[int], None] | None,
) -> list[WorkbookRecord]:
    folder = request.campaign.folder
    outbox = folder.round(rnd.slug).outbox
    staging = folder.round(rnd.slug).root / f".generating-{secrets.token_hex(4)}"
    moved: list[Path] = []
    try:
        result = generate(
            GenerateRequest(
                framework=request.framework,
                organisations=pending,
                out_dir=staging,
                instructions=request.instructions,
                round=rnd.name,
                deadline=rnd.deadline,
                return_to=request.return_to,
                password=request.password,
                jobs=request.jobs,
                prefill=prefill,
                previous_round=previous_round,
            ),
            progress=progress,
        )
        taken = {p.stem for p in _entries(outbox)} | {MANIFEST_NAME.rsplit(".", 1)[0]}
        records: list[WorkbookRecord] = []
        generated_at = dt.datetime.now(dt.UTC)
        for row in result.rows:
            stem = safe_file_stem(row.file.rsplit(".", 1)[0], taken=taken, fallback=row.org_id)
            target = outbox / f"{stem}.xlsx"
            # link, then unlink: never replaces a file that appeared in the meantime
            os.link(staging / row.file, target)
            moved.append(target)
            records.append(
                WorkbookRecord(
                    token=row.token,
                    round_slug=rnd.slug,
                    org_id=row.org_id,
                    file=target.relative_to(folder.root).as_posix(),
                    sha256=row.sha256,
                    generated_at=generated_at,
                )
            )
        by_id = {o.id: o for o in pending}
        with store.transaction():
            record_round()
            for record in records:
                org = by_id[record.org_id or ""]
                store.put_organisation(
                    OrgRecord(id=org.id, name=org.name, contact=org.contact, email=org.email)
                )
                store.add_workbook(record)
    except BaseException as exc:
        for path in moved:
            with contextlib.suppress(OSError):
                path.unlink()
        if isinstance(exc, OSError):
            raise GenerateError(
                f"{outbox}: cannot write a workbook: {exc.strerror or exc}"
            ) from None
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return records


def _entries(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if not p.name.startswith(".")]
    except OSError:
        return []


def _export_manifest(store: Store, folder: CampaignFolder, rnd: RoundRecord) -> Path:
    """rounds/<slug>/outbox/manifest.csv from the store, replaced atomically."""
    outbox = folder.round(rnd.slug).outbox
    rows = round_manifest(store, rnd) or []
    target = outbox / MANIFEST_NAME
    with OutputSet([target]) as outs:
        try:
            write_csv(
                outs.temp(target),
                MANIFEST_COLUMNS,
                ([getattr(r, c) for c in MANIFEST_COLUMNS] for r in rows),
            )
        except OSError as exc:
            raise write_failure(target, "the manifest", exc) from None
        outs.commit()
    return target


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


# --------------------------------------------------------------------------------------
# status


class PartnerStatus(StrEnum):
    ACCEPTED = "accepted"
    BLANK = "blank"
    REJECTED = "rejected"
    MISSING = "missing"
    OVERDUE = "overdue"


@dataclass(frozen=True, kw_only=True, slots=True)
class PartnerLine:
    org_id: str
    org_name: str
    sent: dt.datetime
    file: str  # the workbook sent, relative to the campaign folder
    status: PartnerStatus
    returned: dt.datetime | None = None
    returned_file: str = ""  # the file accepted (or the latest one seen), as found
    reason: str = ""  # why the latest file was not accepted


@dataclass(frozen=True, kw_only=True)
class RoundStatus:
    round: RoundRecord
    today: dt.date
    partners: tuple[PartnerLine, ...]

    @property
    def counts(self) -> dict[PartnerStatus, int]:
        return {s: sum(1 for p in self.partners if p.status is s) for s in PartnerStatus}


def round_status(store: Store, rnd: RoundRecord, *, today: dt.date) -> RoundStatus:
    """Where every partner sent a workbook in RND stands, from the store only.

    Accepted when the store holds an accepted return; else the verdict of the latest file
    of the organisation still present (blank, rejected); else missing, or overdue once the
    round's deadline has passed. A file that has disappeared since it was imported no
    longer counts."""
    orgs = {o.id: o for o in store.organisations()}
    accepted = {a.org_id: a for a in store.accepted_in_round(rnd.slug)}
    present = [f for f in store.files(rnd.slug) if f.missing_since is None and f.org_id]
    overdue = rnd.deadline is not None and today > rnd.deadline
    lines = []
    for w in store.workbooks(rnd.slug):
        org_id = w.org_id or ""
        org = orgs.get(org_id)
        line = PartnerLine(
            org_id=org_id,
            org_name=org.name if org else org_id,
            sent=w.generated_at,
            file=w.file,
            status=PartnerStatus.OVERDUE if overdue else PartnerStatus.MISSING,
        )
        acc = accepted.get(org_id)
        latest = max(
            (f for f in present if f.org_id == org_id), key=lambda f: f.last_seen, default=None
        )
        if acc is not None:
            file = store.file(acc.file_id) if acc.file_id is not None else None
            line = dataclasses.replace(
                line,
                status=PartnerStatus.ACCEPTED,
                returned=file.first_seen if file else acc.accepted_at,
                returned_file=file.location if file else "",
            )
        elif latest is not None and latest.status in (PartnerStatus.BLANK, PartnerStatus.REJECTED):
            line = dataclasses.replace(
                line,
                status=PartnerStatus(latest.status),
                returned=latest.first_seen,
                returned_file=latest.location,
                reason=latest.reason if latest.status == PartnerStatus.REJECTED else "",
            )
        lines.append(line)
    return RoundStatus(round=rnd, today=today, partners=tuple(lines))
