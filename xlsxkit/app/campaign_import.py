"""The import in a campaign: incremental, recorded in the store, one round at a time.

Why it works like this:

- *Incremental.* The files counted in a round are those found now: the round's inbox, the
  SOURCES given this time, and every file an earlier import of the round recorded that is
  still where it was found (so a folder given once does not have to be given again). All of
  them are read again, because a verdict depends on the whole set (the latest save wins, a
  byte-identical copy stands for its first): re-reading the same files gives the same
  verdicts, so the CSVs are byte-identical. A file recorded before and no longer found (or
  whose content changed) is marked missing in the store, reported, and no longer counted.
- *Rounds are identities.* The round's name goes to :func:`~xlsxkit.inbound.resolve.resolve`,
  which rejects another round's workbook with a reason naming its round.
- *The store is the memory.* The manifest (tokens, who is still to return) is the round's
  workbooks table; every file found (sha256, where, provenance, verdict) and the accepted
  answers per organisation and item are written in ONE transaction, before any output: the
  summary and the CSVs are exports of what the store now holds, and a crash or Ctrl-C
  leaves the store as it was.
- *Paths are shown and stored relative to the campaign folder* (absolute only outside it):
  the CSVs do not change with the folder the command is run from, and a campaign folder
  moved elsewhere keeps finding its files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlsxkit.app.import_job import FileWriter, ImportOutcome, import_job, pdf_beside
from xlsxkit.campaign.locate import CampaignFolder, round_slug
from xlsxkit.campaign.progress import OrgRounds, compare, round_stages
from xlsxkit.campaign.settings import Settings
from xlsxkit.campaign.snapshot import round_framework
from xlsxkit.campaign.store import (
    AcceptedReturn,
    AnswerRecord,
    FileRecord,
    ItemKind,
    OrgRecord,
    RoundRecord,
    Store,
)
from xlsxkit.csvsafe import write_csv
from xlsxkit.errors import CampaignError
from xlsxkit.framework.model import Framework, ReturnStatus
from xlsxkit.inbound.batch import ImportRequest, ImportResult, count_files
from xlsxkit.render.csv import PROGRESS_COLUMNS
from xlsxkit.results.consistency import ConsistencyRule
from xlsxkit.results.consolidate import Summary
from xlsxkit.results.history import EarlierRound, History, Movement
from xlsxkit.workbook.manifest import ManifestRow

PROGRESS_NAME = "progress.csv"
_DATA_NAMES = ("returns.csv", "stages.csv", "actions.csv", "problems.csv", PROGRESS_NAME)


@dataclass(frozen=True, kw_only=True)
class CampaignImportRequest:
    folder: CampaignFolder
    framework: Framework
    round: str | None = None  # the round's name (or folder name); None: the latest round
    sources: Sequence[Path] = ()  # besides the round's inbox
    jobs: int | None = None
    #: FRAMEWORK was named on the command line: it is used as given. Otherwise a round
    #: generated with an earlier revision of the framework is checked against that one
    #: (its copy, rounds/<slug>/framework.yaml): its workbooks show that wording and items.
    framework_explicit: bool = False
    title: str = ""  # the campaign's title (settings), shown instead of the framework's
    pdf: bool = False  # also render the summary to rounds/<round>/summary.pdf
    consistency: ConsistencyRule | None = None  # None: the default rule


@dataclass(frozen=True, kw_only=True)
class CampaignImportOutcome:
    round: RoundRecord
    outcome: ImportOutcome
    inbox: Path
    #: files recorded by an earlier import of the round and not found this time
    gone: tuple[FileRecord, ...]
    #: of those, the ones whose place now holds a file with other content
    changed: tuple[FileRecord, ...]
    progress: Path
    progress_rows: tuple[Movement, ...]
    framework: Framework  # the one the returns were checked against


def pick_round(store: Store, wanted: str | None) -> RoundRecord:
    """The round named WANTED (its name, or its folder name), or the latest round."""
    if wanted is not None and wanted.strip():
        name = wanted.strip()
        found = store.round_named(name) or store.round(name)
        if found is None:
            try:
                found = store.round(round_slug(name))
            except ValueError:
                found = None
        if found is None:
            names = ", ".join(f"'{r.name}'" for r in store.rounds()) or "none yet"
            raise CampaignError(
                f"there is no round '{name}' in this campaign (rounds: {names}); check the "
                f"name, or make it with 'xlsxkit generate --round \"{name}\"'"
            )
        return found
    latest = store.latest_round()
    if latest is None:
        raise CampaignError(
            "this campaign has no round yet, so there is nothing to import into; make one "
            "with 'xlsxkit generate --round \"2027 spring\"'"
        )
    return latest


def round_manifest(store: Store, rnd: RoundRecord) -> list[ManifestRow] | None:
    """The round's manifest, from the workbooks the store recorded (None when it has none:
    then no token or missing-list checks are possible)."""
    workbooks = store.workbooks(rnd.slug)
    if not workbooks:
        return None
    orgs = {o.id: o for o in store.organisations()}
    rows = []
    for w in workbooks:
        org = orgs.get(w.org_id or "")
        rows.append(
            ManifestRow(
                org_id=w.org_id or "",
                org_name=org.name if org else "",
                contact=org.contact if org else "",
                email=org.email if org else "",
                file=Path(w.file).name,
                token=w.token,
                sha256=w.sha256,
            )
        )
    return rows


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


class _Places:
    """Where files are, as stored (relative to the campaign folder when inside it)."""

    def __init__(self, root: Path) -> None:
        self.root = os.path.abspath(root)

    def stored(self, path: Path | str) -> str:
        text = os.path.abspath(os.path.join(self.root, os.fspath(path)))
        if _within(text, self.root) and text != self.root:
            return text[len(self.root.rstrip(os.sep)) + 1 :]
        return text

    def on_disk(self, stored: Path | str) -> Path:
        return Path(os.path.join(self.root, os.fspath(stored)))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _record(
    store: Store,
    rnd: RoundRecord,
    framework: Framework,
    result: ImportResult,
    places: _Places,
    inbox: Path,
    now: dt.datetime,
) -> tuple[tuple[FileRecord, ...], tuple[FileRecord, ...]]:
    """Record every file found and the accepted answers, in one transaction. Returns the
    files that went missing now, and of those the ones replaced by other content."""
    inbox_text = os.path.abspath(inbox)
    known = {(f.sha256, f.location_bytes) for f in store.files(rnd.slug)}
    with store.transaction():
        ids: dict[str, int] = {}
        seen_places: set[bytes] = set()
        for r in result.returns:
            path = result.locations.get(r.source) or places.on_disk(r.source)
            location = places.stored(path)
            raw = os.fsencode(location)
            seen_places.add(raw)
            where = "inbox" if _within(str(places.on_disk(location)), inbox_text) else "source"
            record = store.record_file(
                sha256=r.sha256,
                location=location,
                size=_size(path) if r.sha256 else 0,
                seen_at=now,
                status=str(r.status),
                code=r.code,
                reason=r.reason,
                org_id=r.org_id or None,
                round_slug=rnd.slug,
                provenance=(
                    {"found": where, **r.provenance.as_dict()}
                    if r.provenance is not None
                    else None
                    if (r.sha256, raw) in known
                    else {"found": where}
                ),
            )
            ids[r.source] = record.id

        before = {a.org_id: a for a in store.accepted_in_round(rnd.slug)}
        orgs = {o.id for o in store.organisations()}
        accepted = [r for r in result.returns if r.status == ReturnStatus.ACCEPTED]
        for r in accepted:
            if r.org_id not in orgs:  # a generic workbook naming a new organisation
                store.put_organisation(OrgRecord(id=r.org_id, name=r.org_name))
                orgs.add(r.org_id)
            file_id = ids[r.source]
            earlier = before.get(r.org_id)
            same = earlier is not None and earlier.file_id == file_id
            store.set_accepted(
                AcceptedReturn(
                    round_slug=rnd.slug,
                    org_id=r.org_id,
                    file_id=file_id,
                    # the same file accepted again keeps the time it was first accepted
                    accepted_at=earlier.accepted_at if same and earlier else now,
                    answers=tuple(
                        AnswerRecord.from_answer(
                            a,
                            kind=ItemKind.CRITERION
                            if framework.has_criterion(a.item_id)
                            else ItemKind.ACTION,
                        )
                        for a in r.answers
                    ),
                )
            )
        for org_id in sorted(before.keys() - {r.org_id for r in accepted}):
            store.withdraw_accepted(rnd.slug, org_id)
        gone = store.mark_missing(rnd.slug, present=ids.values(), at=now)
    changed = tuple(f for f in gone if f.location_bytes in seen_places)
    return gone, changed


def progress_rows(store: Store, rnd: RoundRecord) -> tuple[Movement, ...]:
    """progress.csv: every organisation accepted in RND against its previous accepted
    return (in the order of the summary: by name)."""
    rounds = {r.slug: r for r in store.rounds()}
    names = {o.id: o.name for o in store.organisations()}
    orgs = []
    for acc in store.accepted_in_round(rnd.slug):
        before = store.previous_accepted(rnd.slug, acc.org_id)
        orgs.append(
            OrgRounds(
                org_id=acc.org_id,
                org_name=names.get(acc.org_id, acc.org_id),
                current=round_stages(rnd, acc),
                previous=round_stages(rounds[before.round_slug], before) if before else None,
            )
        )
    orgs.sort(key=lambda o: (o.org_name.casefold(), o.org_id))
    return tuple(compare(orgs))


def round_history(store: Store, rnd: RoundRecord, rows: Sequence[Movement]) -> History | None:
    """The earlier rounds' accepted answers and the progress ROWS, for the summary's
    Dashboard and Progress sheet; None in a campaign's first round."""
    earlier = [r for r in store.rounds() if r.position < rnd.position]
    if not earlier:
        return None
    rounds = tuple(
        EarlierRound(
            name=r.name,
            ladder=r.stage_ids,
            stages={
                acc.org_id: round_stages(r, acc).stages for acc in store.accepted_in_round(r.slug)
            },
        )
        for r in earlier
    )
    return History(rounds=rounds, movements=tuple(rows))


def progress_writer(rows: Sequence[Movement]) -> FileWriter:
    def write(path: Path) -> None:
        write_csv(
            path,
            PROGRESS_COLUMNS,
            (
                (
                    r.org_id,
                    r.org_name,
                    r.criterion_id,
                    r.previous_round,
                    r.previous_stage_id,
                    r.stage_id,
                    str(r.change),
                )
                for r in rows
            ),
        )

    return write


def _sources(
    store: Store, rnd: RoundRecord, places: _Places, inbox: Path, given: Sequence[Path]
) -> list[Path]:
    """The inbox, the SOURCES given, and the files recorded before outside both that are
    still there (absolute paths, so that they are shown the same way every time)."""
    first = [Path(os.path.abspath(inbox)), *(Path(os.path.abspath(p)) for p in given)]
    folders = [os.fspath(p) for p in first]
    again: list[Path] = []
    for f in store.files(rnd.slug):
        path = os.path.abspath(places.on_disk(os.fsdecode(f.location_bytes)))
        if any(_within(path, folder) for folder in folders) or not os.path.lexists(path):
            continue
        if Path(path) not in again:
            again.append(Path(path))
    return [*first, *again]


def campaign_import(
    request: CampaignImportRequest,
    *,
    progress: Callable[[int], None] | None = None,
    on_count: Callable[[int], None] | None = None,
) -> CampaignImportOutcome:
    """Import the round's returns, record them in the store, and write the round's summary,
    CSVs and progress.csv. ON_COUNT is told how many files will be read (a progress bar)."""
    folder = request.folder
    with Store.open(folder.store, create=True) as store:
        rnd = pick_round(store, request.round)
        rf = folder.round(rnd.slug)
        rf.make()
        framework = request.framework
        if not request.framework_explicit and rnd.framework_hash != framework.content_hash:
            framework = round_framework(rf, rnd) or framework
        framework = Settings(title=request.title).titled(framework)
        places = _Places(folder.root)
        sources = _sources(store, rnd, places, rf.inbox, request.sources)
        import_request = ImportRequest(
            sources=sources,
            framework=framework,
            manifest=round_manifest(store, rnd),
            jobs=request.jobs,
            exclude=[rf.summary, pdf_beside(rf.summary), *(rf.data / n for n in _DATA_NAMES)],
            round=rnd.name,
            shown_from=Path(places.root),
            provenance=store.collected_provenance(),
        )
        if on_count is not None:
            on_count(count_files(import_request))
        found: dict[str, tuple[tuple[FileRecord, ...], tuple[FileRecord, ...]]] = {}
        rows: list[tuple[Movement, ...]] = []

        def after_read(result: ImportResult, summary: Summary) -> Mapping[str, FileWriter]:
            now = dt.datetime.now(dt.UTC)
            found["gone"] = _record(store, rnd, framework, result, places, rf.inbox, now)
            rows.append(progress_rows(store, rnd))
            return {PROGRESS_NAME: progress_writer(rows[0])}

        outcome = import_job(
            import_request,
            summary_path=rf.summary,
            data_dir=rf.data,
            progress=progress,
            after_read=after_read,
            extra_data=(PROGRESS_NAME,),
            pdf=request.pdf,
            consistency=request.consistency,
            annotate=lambda s: dataclasses.replace(
                s, deadline=rnd.deadline, history=round_history(store, rnd, rows[0])
            ),
        )
    gone, changed = found["gone"]
    return CampaignImportOutcome(
        round=rnd,
        outcome=outcome,
        inbox=rf.inbox,
        gone=gone,
        changed=changed,
        progress=rf.data / PROGRESS_NAME,
        progress_rows=rows[0],
        framework=framework,
    )
