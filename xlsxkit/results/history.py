"""The earlier rounds of a campaign, as the summary needs them: pure data, no store.

A campaign's import knows what a stand-alone import cannot: the rounds before this one and
each organisation's accepted answers in them, and how each answer moved since (the rows of
``progress.csv``, computed once by :mod:`xlsxkit.campaign.progress`). The campaign hands
them over as a :class:`History`; the summary's Dashboard and Progress sheet draw from it
(:mod:`xlsxkit.results.dashboard`). Without it (a stand-alone import, or a campaign's first
round) those parts are simply not shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Change(StrEnum):
    """How an answer moved since the organisation's previous accepted return: the words of
    ``progress.csv``'s ``change`` column."""

    UP = "up"
    DOWN = "down"
    SAME = "same"
    NEW = "new"
    DROPPED = "dropped"


@dataclass(frozen=True, kw_only=True, slots=True)
class EarlierRound:
    """The accepted answers of a round before the summary's."""

    name: str
    ladder: tuple[str, ...]  # that round's stage ids, lowest first
    #: org id -> criterion id -> stage id (None: unanswered)
    stages: Mapping[str, Mapping[str, str | None]]


@dataclass(frozen=True, kw_only=True, slots=True)
class Movement:
    """One row of progress.csv: an organisation's answer to a criterion, then and now."""

    org_id: str
    org_name: str
    criterion_id: str
    previous_round: str  # "" when the organisation has no earlier return
    previous_stage_id: str  # "" when unanswered
    stage_id: str  # "" when unanswered
    change: Change


@dataclass(frozen=True, kw_only=True, slots=True)
class History:
    rounds: tuple[EarlierRound, ...]  # oldest first; the summary's own round is not here
    movements: tuple[Movement, ...]  # in progress.csv's order
