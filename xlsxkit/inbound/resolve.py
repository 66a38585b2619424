"""Give every read file its final verdict, and find the organisations that returned nothing.

Pure: a function from the returns as read (and the manifest, and the time of the import)
to verdicts, so every rule here is tested with constructed returns, without files.

The rules, in order:

1. A save time later than the import itself (beyond a day of clock skew) is not trusted:
   the file's own time is used instead, with a warning.
2. Byte-identical copies: the first one in file order stands for all.
3. A generic workbook gets its organisation from the name typed on it, matched against the
   manifest ignoring case, spacing, punctuation and invisible characters. A name that
   matches nobody is flagged with the closest match; an empty or invisible one is refused.
4. With a manifest, a workbook whose token is not the one sent to its organisation is
   flagged (or refused when the right one came back too).
5. One accepted return per organisation: a token-verified return always outranks an
   unverified one (a generic workbook, a stale token); then the latest save wins.

In a campaign, rounds are identities: before any of that, a workbook of another round (its
identity sheet names the round it was made for) is rejected with a reason naming its round.
It is never a forwarded copy, never supersedes, and its organisation stays to chase.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xlsxkit.codes import Code
from xlsxkit.framework.model import Framework, Return, ReturnStatus
from xlsxkit.inbound.orgs import org_id_for
from xlsxkit.problems import Problem, error, info, warning
from xlsxkit.workbook.manifest import ManifestRow

#: How far in the future a save time may be before it is not trusted (clocks drift, and a
#: partner's laptop may be a time zone or a day off).
CLOCK_SKEW = dt.timedelta(days=1)


@dataclass(frozen=True, kw_only=True)
class ImportResult:
    returns: tuple[Return, ...]  # one per entry found, in file order
    missing: tuple[ManifestRow, ...]  # organisations sent a workbook that returned none
    expected: int | None  # organisations in the manifest
    #: where each file read was found on disk, by its source (as shown); set by run_import
    locations: dict[str, Path] = field(default_factory=dict)


#: Characters that take no space when shown: format characters (zero-width space and
#: joiners, direction marks, the BOM), controls, and a few that are blank yet not spaces.
_INVISIBLE_CATEGORIES = {"Cf", "Cc", "Cs", "Co", "Cn", "Zl", "Zp"}
_BLANK_MARKS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def name_key(name: str) -> str:
    """NAME as compared with the manifest: invisible characters removed, compatibility
    forms folded (NFKC), case ignored, and only letters and digits kept."""
    text = unicodedata.normalize("NFKC", name)
    kept = (
        ch
        for ch in text
        if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES and ch not in _BLANK_MARKS
    )
    return "".join(ch for ch in "".join(kept).casefold() if ch.isalnum())


def _parse(stamp: str) -> dt.datetime | None:
    if not stamp:
        return None
    try:
        value = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _untrusted_future(r: Return, now: dt.datetime) -> Return:
    """R with a save time from the future replaced by the file's time (rule 1)."""
    saved = _parse(r.saved_at)
    limit = now + CLOCK_SKEW
    if saved is None or saved <= limit:
        return r
    file_time = _parse(r.file_saved_at)
    if file_time is not None and file_time <= limit:
        fallback, used = r.file_saved_at, f"the file's own time ({r.file_saved_at}) was used"
    else:
        fallback, used = "", "the file's own time is in the future too, so it ranks as oldest"
    return _add_problem(
        dataclasses.replace(r, saved_at=fallback, saved_at_source="file" if fallback else ""),
        warning(
            Code.FUTURE_SAVE_TIME,
            f"the workbook says it was saved at {r.saved_at}, after this import ran "
            f"({now.isoformat(timespec='seconds')}); that time is not trusted and {used} to "
            "decide which return is the latest. Check the clock of the computer it was saved "
            "on; if this is not the latest return, remove it from the folder",
            file=r.source,
        ),
    )


def resolve(
    returns: Sequence[Return],
    framework: Framework,
    manifest: Sequence[ManifestRow] | None,
    *,
    now: dt.datetime,
    expected_round: str | None = None,
) -> ImportResult:
    """Pure: give every return its final verdict and find who has not returned.

    EXPECTED_ROUND is the name of the round being imported (None outside a campaign: the
    round a workbook names is not checked).
    """
    out = [_untrusted_future(r, now) if r.status == ReturnStatus.ACCEPTED else r for r in returns]

    # 0. Rounds are identities: another round's workbook is refused before anything else,
    #    so it can neither be taken as a forwarded copy nor supersede this round's return.
    if expected_round is not None:
        out = [
            _other_round(r, expected_round)
            if r.status == ReturnStatus.ACCEPTED and not same_round(r.round, expected_round)
            else r
            for r in out
        ]
    sent = [m for m in manifest or [] if m.org_id]
    by_key = {name_key(m.org_name): m for m in sent}
    by_org_id = {m.org_id: m for m in sent}

    # 2. Byte-identical copies: the first one (in file order) stands for all.
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

    # 3. Generic workbooks get their organisation from the typed name.
    for i, r in enumerate(out):
        if r.status == ReturnStatus.ACCEPTED and r.generic:
            out[i] = _typed_organisation(r, by_key, manifest is not None)

    # 3b. A workbook sent back with nothing filled in is not a return: still to chase.
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

    # 4. Manifest checks: an organisation we never sent, or a token that is not the one
    #    sent to that organisation (a forwarded copy, or a workbook from another batch).
    token_ok: dict[int, bool] = {}
    if manifest is not None:
        for i, r in enumerate(out):
            if r.status != ReturnStatus.ACCEPTED or r.generic:
                continue
            row = by_org_id.get(r.org_id)
            if row is None:
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
                token_ok[i] = r.token == row.token

    # 5. One accepted return per organisation: the right token first, then the latest.
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(out):
        if r.status == ReturnStatus.ACCEPTED:
            groups.setdefault(r.org_id, []).append(i)
    for org_id, members in groups.items():
        verified = [i for i in members if token_ok.get(i)]
        if verified:
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
        ordered = sorted(
            members, key=lambda i: (bool(token_ok.get(i)), out[i].saved_at, out[i].source)
        )
        winner_i = ordered[-1]
        winner = out[winner_i]
        for i in ordered[:-1]:
            out[i] = _superseded(out[i], winner, outranked=bool(token_ok.get(winner_i)))

    accepted_orgs = {r.org_id for r in out if r.status == ReturnStatus.ACCEPTED}
    missing = tuple(m for m in sent if m.org_id not in accepted_orgs)
    expected = len(sent) if manifest is not None else None
    return ImportResult(returns=tuple(out), missing=missing, expected=expected)


def same_round(found: str, expected: str) -> bool:
    """Whether a workbook's round (as its identity sheet names it) is the EXPECTED round.
    Compared like organisation names (case, spacing, punctuation and invisible characters
    ignored): a spreadsheet app that retyped the hidden cell does not change the round,
    and two rounds of a campaign never differ only by those (their folders would clash)."""
    return bool(name_key(found)) and name_key(found) == name_key(expected)


def _other_round(r: Return, expected: str) -> Return:
    found = r.round.strip()
    what = (
        f"this is the {found} workbook"
        if found
        else "this workbook names no round (it was made outside the campaign's rounds)"
    )
    return dataclasses.replace(
        r,
        status=ReturnStatus.REJECTED,
        verdict=error(
            Code.OTHER_ROUND,
            f"{what}; ask for the {expected} one",
            file=r.source,
        ),
        answers=(),
        problems=(),
    )


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


def _typed_organisation(r: Return, by_key: dict[str, ManifestRow], with_manifest: bool) -> Return:
    key = name_key(r.org_name)
    if not key:
        what = "only invisible characters or punctuation" if r.org_name else "nothing"
        return dataclasses.replace(
            r,
            status=ReturnStatus.REJECTED,
            verdict=error(
                Code.NO_ORGANISATION,
                f"this is a generic workbook and the organisation name typed on its Start sheet "
                f"holds {what}: ask the partner to type the organisation's name in the yellow "
                "cell and send it again",
                file=r.source,
            ),
            answers=(),
            problems=(),
        )
    match = by_key.get(key)
    if match is not None:
        return dataclasses.replace(r, org_id=match.org_id, org_name=match.org_name)
    r = dataclasses.replace(r, org_id=org_id_for(r.org_name))
    if not with_manifest:
        return r
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.6)
    hint = (
        f"the closest is {by_key[close[0]].org_name!r}; if this is their return, correct the "
        "name typed on the Start sheet and import again"
        if close
        else "no organisation in the manifest has a similar name"
    )
    return _add_problem(
        r,
        warning(
            Code.UNKNOWN_ORGANISATION,
            f"the organisation name typed on this generic workbook, {r.org_name!r}, matches no "
            f"organisation in the manifest ({hint}); its answers were imported as a new "
            "organisation",
            file=r.source,
        ),
    )


def _superseded(r: Return, winner: Return, *, outranked: bool) -> Return:
    if outranked and r.generic:
        why = (
            "that is the workbook sent to them (its token matches the manifest), while this one "
            f"is a generic workbook on which {r.org_name!r} was typed"
        )
    elif outranked:
        why = "that is the workbook sent to them (its token matches the manifest)"
    elif r.saved_at == winner.saved_at:
        why = f"saved at the same time ({winner.saved_at or 'unknown'}); the later file name wins"
    else:
        why = f"saved later, at {winner.saved_at}, against {r.saved_at or 'unknown'} for this file"
    return dataclasses.replace(
        r,
        status=ReturnStatus.SUPERSEDED,
        verdict=info(Code.SUPERSEDED, f"superseded by {winner.source} ({why})", file=r.source),
        problems=(),
    )


def _add_problem(r: Return, problem: Problem) -> Return:
    return dataclasses.replace(r, problems=(*r.problems, problem))
