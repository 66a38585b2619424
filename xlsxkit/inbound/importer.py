"""Import a batch of returned files: find them, read them safely in parallel, and decide a
verdict for every one (accepted, superseded, duplicate, rejected or skipped), plus the
organisations that returned nothing.

I/O is at the edges: :func:`discover` walks the file system and :func:`read_all` reads
files; :func:`resolve` is a pure function from read returns to verdicts.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlsxkit.codes import Code
from xlsxkit.framework.model import Framework, Return, ReturnStatus
from xlsxkit.inbound.orgs import org_id_for
from xlsxkit.inbound.pool import Job, read_all
from xlsxkit.names import normalise_label
from xlsxkit.problems import Problem, error, info, warning
from xlsxkit.workbook.manifest import ManifestRow


@dataclass(frozen=True, kw_only=True)
class ImportRequest:
    sources: Sequence[Path]
    framework: Framework
    manifest: Sequence[ManifestRow] | None = None
    jobs: int | None = None
    #: Paths never to read as returns (the manifest, the outputs of this run).
    exclude: Sequence[Path] = ()


@dataclass(frozen=True, kw_only=True)
class ImportResult:
    returns: tuple[Return, ...]  # one per file found, in file order
    missing: tuple[ManifestRow, ...]  # organisations sent a workbook that returned none
    expected: int | None  # organisations in the manifest

    def with_status(self, status: ReturnStatus) -> list[Return]:
        return [r for r in self.returns if r.status == status]

    @property
    def accepted(self) -> list[Return]:
        return self.with_status(ReturnStatus.ACCEPTED)


# --------------------------------------------------------------------------------------
# discovery


def _skip_reason(name: str) -> str | None:
    if name.startswith("~$"):
        return "an Office lock file (the workbook was open when it was copied); not a return"
    if name.startswith(".~lock.") and name.endswith("#"):
        return "a LibreOffice lock file; not a return"
    if name.startswith("."):
        return "a hidden file; not a return"
    if name.endswith(("~", ".tmp", ".TMP")) or name.lower() in ("thumbs.db", "desktop.ini"):
        return "a temporary or system file; not a return"
    return None


def discover(
    sources: Iterable[Path], exclude: Iterable[Path] = ()
) -> tuple[list[tuple[Path, str]], list[Return]]:
    """Every file under SOURCES (recursively), once: (files to read, skipped files)."""
    excluded = {_key(p) for p in exclude}
    seen: set[str] = set()
    files: list[tuple[Path, str]] = []
    skipped: list[Return] = []

    def consider(path: Path) -> None:
        key = _key(path)
        if key in seen or key in excluded:
            return
        seen.add(key)
        display = str(path)
        reason = _skip_reason(path.name)
        if reason is None and path.is_symlink() and not path.exists():
            reason = "a broken link; not a return"
        if reason is not None:
            skipped.append(
                Return(
                    source=display,
                    status=ReturnStatus.SKIPPED,
                    verdict=info(Code.SKIPPED, reason, file=display),
                )
            )
        else:
            files.append((path, display))

    for source in sources:
        if source.is_dir():
            for root, dirs, names in os.walk(source, followlinks=False):
                hidden_dirs = sorted(d for d in dirs if d.startswith("."))
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for d in hidden_dirs:
                    for sub_root, _, sub_names in os.walk(Path(root) / d, followlinks=False):
                        for n in sorted(sub_names):
                            p = Path(sub_root) / n
                            key = _key(p)
                            if key not in seen and key not in excluded:
                                seen.add(key)
                                skipped.append(
                                    Return(
                                        source=str(p),
                                        status=ReturnStatus.SKIPPED,
                                        verdict=info(
                                            Code.SKIPPED,
                                            "in a hidden folder; not a return",
                                            file=str(p),
                                        ),
                                    )
                                )
                for n in sorted(names):
                    consider(Path(root) / n)
        else:
            consider(source)
    return files, skipped


def _key(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path.absolute())


# --------------------------------------------------------------------------------------
# the batch


def run_import(
    request: ImportRequest, *, progress: Callable[[int], None] | None = None
) -> ImportResult:
    files, skipped = discover(request.sources, request.exclude)
    jobs = [Job(index=i, path=p, display=d) for i, (p, d) in enumerate(files)]
    results: list[Return | None] = [None] * len(jobs)
    if jobs:
        workers = request.jobs or os.cpu_count() or 1
        for index, ret in read_all(jobs, request.framework, workers=workers, progress=progress):
            results[index] = ret
    read = [r for r in results if r is not None]
    return resolve(read + skipped, request.framework, request.manifest)


def count_files(request: ImportRequest) -> int:
    files, _ = discover(request.sources, request.exclude)
    return len(files)


def resolve(
    returns: Sequence[Return],
    framework: Framework,
    manifest: Sequence[ManifestRow] | None,
) -> ImportResult:
    """Pure: give every return its final verdict and find who has not returned."""
    out = list(returns)
    by_org_name = {normalise_label(m.org_name): m for m in manifest or [] if m.org_id}
    by_org_id = {m.org_id: m for m in manifest or [] if m.org_id}

    # 1. Byte-identical copies: the first one (in file order) stands for all.
    first_by_hash: dict[str, str] = {}
    for i, r in enumerate(out):
        if r.status == ReturnStatus.SKIPPED or not r.sha256:
            continue
        if r.sha256 in first_by_hash:
            out[i] = dataclasses.replace(
                r,
                status=ReturnStatus.DUPLICATE,
                verdict=info(
                    Code.DUPLICATE,
                    f"byte-identical copy of {first_by_hash[r.sha256]}",
                    file=r.source,
                ),
                problems=(),
            )
        else:
            first_by_hash[r.sha256] = r.source

    # 2. Generic workbooks get their organisation from the typed name.
    for i, r in enumerate(out):
        if r.status != ReturnStatus.ACCEPTED or not r.generic:
            continue
        match = by_org_name.get(normalise_label(r.org_name))
        org_id = match.org_id if match else org_id_for(r.org_name)
        name = match.org_name if match else r.org_name
        out[i] = dataclasses.replace(r, org_id=org_id, org_name=name)

    # 2b. A workbook sent back with nothing filled in is not a return: still to chase.
    for i, r in enumerate(out):
        if r.status == ReturnStatus.ACCEPTED and _is_blank(r):
            out[i] = dataclasses.replace(
                r,
                status=ReturnStatus.BLANK,
                verdict=info(
                    Code.BLANK,
                    "returned blank: nothing was filled in (no stage, tick or text); ask "
                    "the partner to fill in the workbook and send it back",
                    file=r.source,
                ),
                problems=(),
            )

    # 3. Manifest checks: an organisation we never sent, or a token that is not the one
    #    sent to that organisation (a forwarded copy, or a workbook from another batch).
    token_ok: dict[int, bool] = {}
    if manifest is not None:
        for i, r in enumerate(out):
            if r.status != ReturnStatus.ACCEPTED or r.generic:
                continue
            sent = by_org_id.get(r.org_id)
            if sent is None:
                out[i] = _add_problem(
                    r,
                    warning(
                        Code.NOT_IN_MANIFEST,
                        f"organisation {r.org_id!r} ({r.org_name}) is not in the manifest; its "
                        "answers were imported. Was this workbook made in another batch?",
                        file=r.source,
                    ),
                )
                token_ok[i] = False
            else:
                token_ok[i] = r.token == sent.token

    # 4. One accepted return per organisation: the right token first, then the latest.
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(out):
        if r.status == ReturnStatus.ACCEPTED:
            groups.setdefault(r.org_id, []).append(i)
    for org_id, members in groups.items():
        if manifest is not None and any(token_ok.get(i) for i in members):
            for i in members:
                if token_ok.get(i) is False:
                    r = out[i]
                    out[i] = dataclasses.replace(
                        r,
                        status=ReturnStatus.REJECTED,
                        verdict=error(
                            Code.TOKEN_MISMATCH,
                            f"claims to be {r.org_name!r} ({org_id}) but is not the workbook sent "
                            "to them (its token differs from the manifest), while another file "
                            "is; if another organisation filled in a forwarded copy, send it "
                            "its own workbook",
                            file=r.source,
                        ),
                        problems=(),
                    )
            members = [i for i in members if token_ok.get(i) is not False]
        elif manifest is not None:
            for i in members:
                if token_ok.get(i) is False and org_id in by_org_id:
                    out[i] = _add_problem(
                        out[i],
                        warning(
                            Code.TOKEN_MISMATCH,
                            f"this workbook's token is not the one sent to {org_id!r}; it was "
                            "imported because no file with the right token came back",
                            file=out[i].source,
                        ),
                    )
        if len(members) < 2:
            continue
        ordered = sorted(members, key=lambda i: (out[i].saved_at, out[i].source))
        winner = out[ordered[-1]]
        for i in ordered[:-1]:
            r = out[i]
            same_time = r.saved_at == winner.saved_at
            why = (
                f"saved at the same time ({winner.saved_at}); the later file name wins"
                if same_time
                else f"saved later, at {winner.saved_at}, against {r.saved_at} for this file"
            )
            out[i] = dataclasses.replace(
                r,
                status=ReturnStatus.SUPERSEDED,
                verdict=info(
                    Code.SUPERSEDED, f"superseded by {winner.source} ({why})", file=r.source
                ),
                problems=(),
            )

    accepted_orgs = {r.org_id for r in out if r.status == ReturnStatus.ACCEPTED}
    missing = tuple(m for m in (manifest or []) if m.org_id and m.org_id not in accepted_orgs)
    expected = len([m for m in manifest if m.org_id]) if manifest is not None else None
    return ImportResult(returns=tuple(out), missing=missing, expected=expected)


def _is_blank(r: Return) -> bool:
    """Nothing was filled in: no stage, no tick, no text or date, and nothing the reader
    had to warn about on a sheet. The organisation name typed on a generic workbook is not
    an answer, so such a workbook with nothing else is blank; a workbook whose only entries
    are unreadable values is not blank (its warnings name the cells to fix)."""
    if any(p.location.sheet for p in r.problems):
        return False
    return not any(
        a.stage_id or a.comment or a.done or a.notes or a.lead or a.target_date for a in r.answers
    )


def _add_problem(r: Return, problem: Problem) -> Return:
    return dataclasses.replace(r, problems=(*r.problems, problem))
