"""Progress between rounds: each organisation's stage per criterion against its previous
accepted answer. Pure: the rows of ``progress.csv`` (:class:`~xlsxkit.results.history.Movement`)
from what the store holds.

``change`` is one of:

- ``same``: the stage id is the same as before (both unanswered counts as the same: nothing
  changed), or, when the ladder was revised between the rounds, a stage on the same rung;
- ``up`` / ``down``: a higher / lower stage on the ladder than before;
- ``new``: answered now, not answered before (no earlier return, a criterion added since,
  or left blank last time);
- ``dropped``: answered before, not now (left blank, or the criterion was removed).

Stages are compared by their position on the ladder. A stage id still on the current
ladder is placed by it; one that is no longer there (the ladder was revised) is placed by
the ladder of the round it was given in, which the store keeps with every round.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from xlsxkit.campaign.store import AcceptedReturn, ItemKind, RoundRecord
from xlsxkit.results.history import Change, Movement


@dataclass(frozen=True, kw_only=True, slots=True)
class RoundStages:
    """An organisation's stage per criterion in one round."""

    round: str  # the round's name, as shown in progress.csv
    ladder: tuple[str, ...]  # the stage ids of that round's framework, lowest first
    stages: Mapping[str, str | None]  # criterion id -> stage id (None: unanswered)


@dataclass(frozen=True, kw_only=True, slots=True)
class OrgRounds:
    org_id: str
    org_name: str
    current: RoundStages
    previous: RoundStages | None  # None: no earlier accepted return


def round_stages(round_: RoundRecord, accepted: AcceptedReturn | None) -> RoundStages:
    """The criterion stages of an accepted return (none when there is no return)."""
    stages = {
        a.item_id: a.stage_id
        for a in (accepted.answers if accepted is not None else ())
        if a.kind is ItemKind.CRITERION
    }
    return RoundStages(round=round_.name, ladder=round_.stage_ids, stages=stages)


def change(
    previous: str | None,
    current: str | None,
    *,
    ladder: Sequence[str],
    previous_ladder: Sequence[str] | None = None,
) -> Change:
    """How CURRENT (on LADDER) compares with PREVIOUS (on PREVIOUS_LADDER, default LADDER).

    Raises ValueError for a stage id on neither ladder: the store only holds answers that
    were read against their round's ladder, so that is a bug, not an input to guess about.
    """
    previous, current = previous or None, current or None
    if previous == current:
        return Change.SAME
    if previous is None:
        return Change.NEW
    if current is None:
        return Change.DROPPED
    now = _rung(current, ladder, None)
    before = _rung(previous, ladder, previous_ladder)
    if now > before:
        return Change.UP
    if now < before:
        return Change.DOWN
    return Change.SAME


def _rung(stage_id: str, ladder: Sequence[str], fallback: Sequence[str] | None) -> int:
    if stage_id in ladder:
        return list(ladder).index(stage_id)
    if fallback is not None and stage_id in fallback:
        return list(fallback).index(stage_id)
    raise ValueError(f"stage {stage_id!r} is on neither ladder")


def compare(orgs: Iterable[OrgRounds]) -> list[Movement]:
    """One row per organisation and criterion of either round: the criteria of the current
    round in their order, then those only in the previous round."""
    rows: list[Movement] = []
    for org in orgs:
        previous = org.previous
        before: Mapping[str, str | None] = previous.stages if previous is not None else {}
        criteria = [*org.current.stages, *(c for c in before if c not in org.current.stages)]
        for criterion_id in criteria:
            was = before.get(criterion_id)
            now = org.current.stages.get(criterion_id)
            rows.append(
                Movement(
                    org_id=org.org_id,
                    org_name=org.org_name,
                    criterion_id=criterion_id,
                    previous_round=previous.round if previous is not None else "",
                    previous_stage_id=was or "",
                    stage_id=now or "",
                    change=change(
                        was,
                        now,
                        ladder=org.current.ladder,
                        previous_ladder=previous.ladder if previous is not None else None,
                    ),
                )
            )
    return rows
