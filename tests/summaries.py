"""Summaries built directly (no files read), for the tests and renders of the summary's
board-facing sheets: any framework, any number of organisations, with or without an
earlier round.

The answers are drawn from a seeded random generator, so every build is the same. The
earlier round's movements are computed by the campaign's own comparison
(:func:`xlsxkit.campaign.progress.compare`), as a campaign import computes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

from tests.frameworks_st import load_doc
from xlsxkit.campaign.progress import OrgRounds, RoundStages, compare
from xlsxkit.framework.model import Answer, Framework, Return, ReturnStatus
from xlsxkit.inbound.resolve import ImportResult
from xlsxkit.results.consolidate import Summary, consolidate
from xlsxkit.results.history import EarlierRound, History
from xlsxkit.workbook.manifest import ManifestRow

#: A long shared opening: criteria whose texts differ only after 120 characters.
SHARED = (
    "The partnership has a clearly documented, regularly reviewed and widely shared approach "
    "to engaging people at every level of the organisation, in particular concerning "
)
LONG_NAMES = [
    "Ünïcödé Ωmega — people, partnerships & leadership across the whole region",
    "Équipe – 日本語の名前 and the teams that carry the work forward every day",
    "Systems, processes and data: Ελληνικά κείμενα για τη διαλειτουργικότητα",
    "Culture & values (Kultur und Werte), the way things are done around here",
    "Комуникация: communication with staff, patients and the wider public",
    "Learning & development: العربية training, coaching and mentoring",
    "Governance, accountability and assurance — 治理与问责 in practice",
    "Resources: money, time and people given to the programme's work",
    "Evaluation, evidence and impact: measuring what matters to people",
    "Sustainability: keeping the improvements going after the project ends",
    "Partnership working with the voluntary and community sector — ✓",
    "Digital inclusion & accessibility for everyone who uses the services",
]


def big_doc(*, stages: int = 7, dimensions: int = 12, criteria: int = 3) -> dict[str, Any]:
    """A 7-stage, 12-dimension framework with long unicode names and criteria that share
    a long opening."""
    ladder = [
        {"id": f"s{i}", "label": f"Stage {i}: {'ƒirst steps taken' if i == 1 else 'further along'}"}
        for i in range(1, stages + 1)
    ]
    dims = []
    for d in range(1, dimensions + 1):
        crits = []
        for c in range(1, criteria + 1):
            crits.append(
                {
                    "id": f"d{d}c{c}",
                    "text": f"{SHARED}topic {d}.{c} ({'ça marche ✓' if c % 2 else 'नमस्ते'}).",
                    "actions": {
                        s["id"]: [{"id": f"d{d}c{c}{s['id']}", "text": f"Do {d}.{c} at {s['id']}"}]
                        for s in ladder
                    },
                }
            )
        dims.append(
            {"id": f"dim{d}", "name": LONG_NAMES[(d - 1) % len(LONG_NAMES)], "criteria": crits}
        )
    return {
        "framework": {"id": "big", "title": "Edge-case framework ✓ — 12 areas", "version": "3"},
        "stages": ladder,
        "dimensions": dims,
    }


def big_framework(**kw: int) -> Framework:
    return load_doc(big_doc(**kw))


def org_name(i: int) -> str:
    names = ["Northfield NHS Foundation Trust", "Équipe Santé Côte-d'Or", "東京ケア", "Riverside"]
    return f"{names[i % len(names)]} {i + 1}" + (
        " and the Long-Named Partners Forum" if i % 7 == 3 else ""
    )


def _answers(fw: Framework, rng: random.Random, level: float) -> list[Answer]:
    out: list[Answer] = []
    n = len(fw.stages)
    for c in fw.criteria:
        if rng.random() < 0.08:
            stage = None
        else:
            stage = fw.stages[max(0, min(n - 1, int(rng.gauss(level * n, 1.2))))].id
        out.append(Answer(item_id=c.id, sheet="S", row=1, stage_id=stage))
        for a in c.actions:
            out.append(Answer(item_id=a.id, sheet="S", row=2, done=rng.random() < level))
    return out


def build(
    fw: Framework,
    *,
    orgs: int,
    missing: int = 2,
    history: bool = False,
    seed: int = 1,
    round_name: str = "2027 spring",
    deadline: dt.date | None = dt.date(2027, 4, 30),
) -> Summary:
    """A summary of ORGS accepted returns and MISSING partners who never replied; with
    HISTORY, an earlier round ("2026 autumn") in which the same organisations stood lower."""
    rng = random.Random(seed)
    returns = []
    for i in range(orgs):
        returns.append(
            Return(
                source=f"inbox/org-{i + 1}.xlsx",
                sha256=f"{i:064x}",
                status=ReturnStatus.ACCEPTED,
                org_id=f"org-{i + 1}",
                org_name=org_name(i),
                round=round_name,
                saved_at=f"2027-04-{1 + i % 28:02d}T06:33:01+00:00",
                answers=tuple(_answers(fw, rng, 0.3 + 0.5 * rng.random())),
                problems=(),
            )
        )
    chase = tuple(
        ManifestRow(
            org_id=f"silent-{k + 1}",
            org_name=f"Silent Partner With A Rather Long Organisation Name {k + 1}",
            contact=f"Contact Person {k + 1}",
            email=f"someone.with.a.long.address{k + 1}@partner-organisation.example.org",
            file=f"silent-{k + 1}.xlsx",
            token="t",
            sha256="",
        )
        for k in range(missing)
    )
    result = ImportResult(returns=tuple(returns), missing=chase, expected=orgs + missing)
    summary = consolidate(fw, result, round_name=round_name)
    summary = dataclasses.replace(summary, deadline=deadline)
    if history:
        summary = dataclasses.replace(summary, history=earlier(fw, summary, rng))
    return summary


def earlier(fw: Framework, s: Summary, rng: random.Random) -> History:
    ladder = tuple(st.id for st in fw.stages)
    before: dict[str, dict[str, str | None]] = {}
    orgs = []
    for k, org in enumerate(s.orgs):
        if k % 9 == 8:  # new this round: no earlier return
            orgs.append(
                OrgRounds(
                    org_id=org.org_id,
                    org_name=org.org_name,
                    current=RoundStages(round="2027 spring", ladder=ladder, stages=org.stages),
                    previous=None,
                )
            )
            continue
        was: dict[str, str | None] = {}
        for c, stage in org.stages.items():
            rung = ladder.index(stage) if stage else rng.randrange(len(ladder))
            drop = rng.choice((0, 0, 1, 1, 2, -1))
            was[c] = (
                ladder[max(0, min(len(ladder) - 1, rung - drop))] if rng.random() > 0.05 else None
            )
        before[org.org_id] = was
        orgs.append(
            OrgRounds(
                org_id=org.org_id,
                org_name=org.org_name,
                current=RoundStages(round="2027 spring", ladder=ladder, stages=org.stages),
                previous=RoundStages(round="2026 autumn", ladder=ladder, stages=was),
            )
        )
    rows = compare(orgs)
    return History(
        rounds=(EarlierRound(name="2026 autumn", ladder=ladder, stages=before),),
        movements=tuple(rows),
    )
