"""``xlsxkit status``: where every partner of a round stands, from the store only.

Why from the store only: status must answer at once and the same way every time, without
opening a returned file; the import has already recorded every file's verdict.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from xlsxkit.campaign.store import RoundRecord, Store


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
