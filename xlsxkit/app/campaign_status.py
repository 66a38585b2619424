"""``xlsxkit status``: where every partner of a round stands, from the store only.

Why from the store only: status must answer at once and the same way every time, without
opening a returned file; the import has already recorded every file's verdict.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from xlsxkit.campaign.store import MessageKind, MessageRecord, MessageResult, RoundRecord, Store


class PartnerStatus(StrEnum):
    ACCEPTED = "accepted"
    BLANK = "blank"
    REJECTED = "rejected"
    MISSING = "missing"
    OVERDUE = "overdue"


@dataclass(frozen=True, kw_only=True, slots=True)
class Mailed:
    """The latest message of one kind that went out to a partner (sent, or drafted for the
    coordinator to send), and how many went out in all."""

    at: dt.datetime
    result: MessageResult  # SENT or DRAFTED; failures are not counted as gone out
    count: int = 1


@dataclass(frozen=True, kw_only=True, slots=True)
class PartnerLine:
    org_id: str
    org_name: str
    generated: dt.datetime  # when its workbook was written
    file: str  # the workbook, relative to the campaign folder
    status: PartnerStatus
    sent: Mailed | None = None  # the workbook's message ('xlsxkit send'), when there was one
    reminded: Mailed | None = None  # reminders ('xlsxkit send --remind')
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
    messages = store.messages(rnd.slug)
    lines = []
    for w in store.workbooks(rnd.slug):
        org_id = w.org_id or ""
        org = orgs.get(org_id)
        line = PartnerLine(
            org_id=org_id,
            org_name=org.name if org else org_id,
            generated=w.generated_at,
            file=w.file,
            status=PartnerStatus.OVERDUE if overdue else PartnerStatus.MISSING,
            sent=_mailed(messages, org_id, MessageKind.SEND),
            reminded=_mailed(messages, org_id, MessageKind.REMIND),
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


def _mailed(messages: tuple[MessageRecord, ...], org_id: str, kind: MessageKind) -> Mailed | None:
    gone = [
        m
        for m in messages
        if m.org_id == org_id
        and m.kind is kind
        and m.result in (MessageResult.SENT, MessageResult.DRAFTED)
    ]
    if not gone:
        return None
    latest = max(gone, key=lambda m: m.at)
    return Mailed(at=latest.at, result=latest.result, count=len(gone))
