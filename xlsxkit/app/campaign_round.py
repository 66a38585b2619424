"""``generate --round``: a round's workbooks from the store, each pre-filled from the
organisation's latest accepted return in an earlier round.

Why apart from the rest of the campaign (:mod:`xlsxkit.app.campaign`): this is the one
campaign step that writes partners' workbooks, and its promises are its own. A workbook
already in the outbox is never touched; new ones are written to a private folder and linked
in under names no file there has; the store records the round and every new workbook in one
transaction, so a run that fails leaves neither an empty round nor a workbook it does not
know; ``manifest.csv`` is then exported from the store, never read back.
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
from pathlib import Path

from xlsxkit.app.campaign import Campaign, shown_path
from xlsxkit.app.campaign_import import round_manifest
from xlsxkit.campaign.locate import CampaignFolder, round_slug
from xlsxkit.campaign.snapshot import keep_framework, round_framework
from xlsxkit.campaign.store import OrgRecord, RoundRecord, Store, WorkbookRecord
from xlsxkit.csvsafe import write_csv
from xlsxkit.errors import CampaignError, GenerateError
from xlsxkit.framework.model import Answer, Framework, Organisation
from xlsxkit.names import safe_file_stem
from xlsxkit.outbound.generate import GenerateRequest, generate
from xlsxkit.outfiles import OutputSet, locked, write_failure
from xlsxkit.workbook.instructions import InstructionsTemplate
from xlsxkit.workbook.manifest import MANIFEST_COLUMNS, MANIFEST_NAME
from xlsxkit.workbook.prefill import carry_over


@dataclass(frozen=True, kw_only=True, slots=True)
class Carried:
    org_id: str
    org_name: str
    previous_round: str
    answers: int
    dropped: tuple[str, ...]  # ids no longer in the framework: their answers dropped
    added: tuple[str, ...] = ()  # ids new since: they start blank
    cleared: tuple[str, ...] = ()  # "item: stage" no longer on the ladder, cleared
    reworded: tuple[str, ...] = ()  # ids whose wording changed: answers kept
    #: False when the framework of the previous round was not kept (rounds/<slug>/
    #: framework.yaml), so rewording cannot be told
    wording_known: bool = True


@dataclass(frozen=True, kw_only=True, slots=True)
class FrameworkChange:
    """What a framework revision changed since an earlier round the pre-fill comes from,
    item by item (ids are kept across revisions; the wording is what partners read)."""

    since_round: str  # the earlier round's name
    before: str  # "id version" of the earlier round's framework
    after: str  # and of the framework now
    added: tuple[str, ...]  # new items: they start blank
    removed: tuple[str, ...]  # items no longer in the framework: dropped from the pre-fill
    reworded: tuple[str, ...]  # items whose wording changed: answers kept
    stages_added: tuple[str, ...] = ()
    stages_removed: tuple[str, ...] = ()  # answers with them are cleared


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
    #: the file FRAMEWORK was loaded from: a new round keeps a copy of it
    #: (rounds/<slug>/framework.yaml), to tell later rounds what changed since
    framework_file: Path | None = None


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
    #: per earlier round the pre-fill comes from, what the framework changed since (only
    #: rounds whose framework differs and was kept)
    changes: tuple[FrameworkChange, ...] = ()


def framework_change(previous: Framework, now: Framework, *, since_round: str) -> FrameworkChange:
    """What NOW changed of PREVIOUS, item by item (the pre-fill's own rules decide:
    :func:`~xlsxkit.workbook.prefill.carry_over` of an answer to every earlier item)."""
    ids = [c.id for c in previous.criteria] + [a.id for a in previous.actions]
    co = carry_over(
        [Answer(item_id=i, sheet="", row=0) for i in ids], now, previous_framework=previous
    )
    before = [s.id for s in previous.stages]
    after = [s.id for s in now.stages]
    return FrameworkChange(
        since_round=since_round,
        before=f"{previous.id} {previous.version}",
        after=f"{now.id} {now.version}",
        added=co.added,
        removed=co.removed,
        reworded=co.reworded,
        stages_added=tuple(s for s in after if s not in before),
        stages_removed=tuple(s for s in before if s not in after),
    )


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
        if found is not None and pending:
            _same_framework(request, found)
        names = {r.slug: r.name for r in earlier_rounds}
        earlier_by_slug = {r.slug: r for r in earlier_rounds}
        frameworks: dict[str, Framework | None] = {}
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
            earlier = earlier_by_slug[before.round_slug]
            revised = earlier.framework_hash != request.framework.content_hash
            if revised and before.round_slug not in frameworks:
                frameworks[before.round_slug] = round_framework(
                    request.campaign.folder.round(earlier.slug), earlier
                )
            # The same framework: the answers alone tell what is new (carry_over's rule).
            previous_framework = frameworks.get(before.round_slug) if revised else None
            co = carry_over(
                [r.to_answer() for r in before.answers],
                request.framework,
                previous_framework=previous_framework,
            )
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
                    reworded=co.reworded,
                    wording_known=not revised or previous_framework is not None,
                )
            )
        changes = tuple(
            framework_change(fw, request.framework, since_round=names[slug])
            for slug, fw in frameworks.items()
            if fw is not None
        )
        # A new round keeps a copy of its framework; so does an older round that has none.
        keep = request.framework_file is not None and (
            new_round
            or (
                rnd.framework_hash == request.framework.content_hash
                and not folder.framework.exists()
            )
        )

        def record_round() -> None:
            if keep and request.framework_file is not None:
                keep_framework(folder, request.framework_file, request.framework)
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
        changes=changes,
    )


def _same_framework(request: RoundRequest, rnd: RoundRecord) -> None:
    """A round's workbooks all follow one framework: its imports check every return of the
    round against it. A late partner's workbook with a revised framework is refused."""
    fw = request.framework
    if rnd.framework_hash == fw.content_hash:
        return
    copy = request.campaign.folder.round(rnd.slug).framework
    option = f"--framework {shown_path(copy)}" if copy.is_file() else "--framework FILE"
    raise CampaignError(
        f"the round '{rnd.name}' was generated with the framework {rnd.framework_id} "
        f"{rnd.framework_version}, and the framework given ({fw.id} {fw.version}) differs "
        f"from it: every workbook of a round must follow the same framework. To add a late "
        f"partner to '{rnd.name}', give its framework ({option}); to use the revised one, "
        "start a new round with --round NAME"
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
