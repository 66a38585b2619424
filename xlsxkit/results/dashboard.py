"""The board's one page and the progress between rounds: what they show, not how.

Like :mod:`xlsxkit.results.views`, these are renderer-neutral: ids and numbers, computed
purely from a :class:`~xlsxkit.results.consolidate.Summary` (and its
:class:`~xlsxkit.results.history.History` in a campaign with earlier rounds).

Rules the issue left open, decided here once:

- *Where a criterion stands* is the average rung reached over the organisations that
  returned, an unanswered criterion counting as 0 (no stage reached); "furthest behind" are
  the lowest averages, ties broken by the share not assessed, then framework order.
- *Most improved* counts moves up minus moves down since each organisation's previous
  accepted return (the rows of progress.csv); only a positive balance is listed.
- *Then and now* compares the latest earlier round that has accepted returns with this
  one, as shares of the answers (the partnership may have grown). A stage id that is no
  longer on the ladder is counted at its rung on the ladder of its own round.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from xlsxkit.framework.model import Framework, ReturnStatus
from xlsxkit.results.consolidate import NOT_ASSESSED, Summary
from xlsxkit.results.history import Change, EarlierRound, History, Movement
from xlsxkit.results.views import criterion_labels

#: How many entries each "most improved" and "furthest behind" list shows on the page.
TOP = 3
#: How many regressions are named on the page (the Progress sheet lists all).
REGRESSIONS_SHOWN = 5


@dataclass(frozen=True, kw_only=True, slots=True)
class Shares:
    """The answers of one dimension in one round, per stage (framework order)."""

    dimension: str  # the dimension's name
    round: str
    counts: tuple[int, ...]
    not_assessed: int

    @property
    def answers(self) -> int:
        return sum(self.counts) + self.not_assessed

    def shares(self) -> tuple[float, ...]:
        """Per stage and then not assessed, the share of the answers (0 when none)."""
        total = self.answers
        return tuple(n / total if total else 0.0 for n in (*self.counts, self.not_assessed))


@dataclass(frozen=True, kw_only=True, slots=True)
class CriterionStanding:
    criterion_id: str
    label: str  # "People 1"
    text: str
    average: float  # the average rung reached, 0 (none) to the number of stages
    not_assessed: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Mover:
    """A criterion or an organisation with its moves since the previous round."""

    key: str  # criterion id or org id
    label: str  # "People 1" or the organisation's name
    text: str  # the criterion's text ("" for an organisation)
    up: int
    down: int

    @property
    def net(self) -> int:
        return self.up - self.down


@dataclass(frozen=True, kw_only=True, slots=True)
class Regression:
    org_id: str
    org_name: str
    criterion_id: str
    label: str  # "People 1"
    previous_stage_id: str
    stage_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Dashboard:
    round_name: str  # "" when not known
    deadline: dt.date | None
    expected: int | None
    received: int
    response_rate: float | None  # None without a manifest
    actions_done: float | None  # share of the suggested actions ticked; None: no returns
    now: tuple[Shares, ...]  # per dimension
    then: tuple[Shares, ...] | None  # per dimension, the earlier round; None: none
    behind: tuple[CriterionStanding, ...]
    improved_criteria: tuple[Mover, ...]
    improved_orgs: tuple[Mover, ...]
    regressions: tuple[Regression, ...]  # the first REGRESSIONS_SHOWN, biggest first
    regressions_total: int
    moved: Mapping[Change, int]  # how many answers moved each way


def round_name(s: Summary) -> str:
    """The round imported: the campaign's, else the one most returns name ("" if none)."""
    if s.round_name:
        return s.round_name
    named = Counter(o.round for o in s.orgs if o.round)
    return named.most_common(1)[0][0] if named else ""


def _rung(stage_id: str | None, fw: Framework, ladder: tuple[str, ...] = ()) -> int:
    """The 1-based rung of STAGE_ID on the framework's ladder (0: none)."""
    if not stage_id:
        return 0
    ids = [st.id for st in fw.stages]
    if stage_id in ids:
        return ids.index(stage_id) + 1
    if stage_id in ladder:
        return min(ladder.index(stage_id) + 1, len(ids))
    return 0


def shares_now(s: Summary) -> tuple[Shares, ...]:
    fw, name = s.framework, round_name(s)
    return tuple(
        Shares(
            dimension=d.name,
            round=name,
            counts=tuple(s.dimension_stages[d.id][st.id] for st in fw.stages),
            not_assessed=s.dimension_stages[d.id][NOT_ASSESSED],
        )
        for d in fw.dimensions
    )


def shares_in(fw: Framework, r: EarlierRound) -> tuple[Shares, ...]:
    """An earlier round's answers per dimension, on the current framework's criteria."""
    out = []
    for d in fw.dimensions:
        counts = [0] * len(fw.stages)
        missing = 0
        for stages in r.stages.values():
            for c in d.criteria:
                rung = _rung(stages.get(c.id), fw, r.ladder)
                if rung:
                    counts[rung - 1] += 1
                else:
                    missing += 1
        out.append(
            Shares(dimension=d.name, round=r.name, counts=tuple(counts), not_assessed=missing)
        )
    return tuple(out)


def previous_round(h: History | None) -> EarlierRound | None:
    """The latest earlier round with accepted returns."""
    for r in reversed(h.rounds if h is not None else ()):
        if r.stages:
            return r
    return None


def standings(s: Summary) -> tuple[CriterionStanding, ...]:
    """Every criterion, furthest behind first."""
    fw, labels = s.framework, criterion_labels(s.framework)
    n = len(s.orgs)
    order = {c.id: i for i, c in enumerate(fw.criteria)}
    rows = []
    for c in fw.criteria:
        counts = s.criterion_stages[c.id]
        total = sum(counts[st.id] * st.index for st in fw.stages)
        rows.append(
            CriterionStanding(
                criterion_id=c.id,
                label=labels[c.id],
                text=c.text,
                average=total / n if n else 0.0,
                not_assessed=counts[NOT_ASSESSED],
            )
        )
    return tuple(sorted(rows, key=lambda r: (r.average, -r.not_assessed, order[r.criterion_id])))


def movers(s: Summary, moves: tuple[Movement, ...]) -> tuple[tuple[Mover, ...], tuple[Mover, ...]]:
    """(criteria, organisations) with more moves up than down, most improved first."""
    fw, labels = s.framework, criterion_labels(s.framework)
    up: Counter[str] = Counter()
    down: Counter[str] = Counter()
    org_up: Counter[str] = Counter()
    org_down: Counter[str] = Counter()
    names: dict[str, str] = {}
    for m in moves:
        names[m.org_id] = m.org_name
        if m.change is Change.UP:
            up[m.criterion_id] += 1
            org_up[m.org_id] += 1
        elif m.change is Change.DOWN:
            down[m.criterion_id] += 1
            org_down[m.org_id] += 1
    crit = [
        Mover(key=c.id, label=labels[c.id], text=c.text, up=up[c.id], down=down[c.id])
        for c in fw.criteria
        if up[c.id] > down[c.id]
    ]
    orgs = [
        Mover(key=o, label=names[o], text="", up=org_up[o], down=org_down[o])
        for o in names
        if org_up[o] > org_down[o]
    ]
    crit.sort(key=lambda m: (-m.net, -m.up))  # stable: framework order breaks ties
    orgs.sort(key=lambda m: (-m.net, -m.up, m.label.casefold()))
    return tuple(crit), tuple(orgs)


def regressions(s: Summary, moves: tuple[Movement, ...]) -> tuple[Regression, ...]:
    """Every move down, the biggest drop first, then by organisation."""
    fw, labels = s.framework, criterion_labels(s.framework)
    ladders = {r.name: r.ladder for r in (s.history.rounds if s.history else ())}
    rows = [
        (
            _rung(m.previous_stage_id, fw, ladders.get(m.previous_round, ()))
            - _rung(m.stage_id, fw),
            Regression(
                org_id=m.org_id,
                org_name=m.org_name,
                criterion_id=m.criterion_id,
                label=labels.get(m.criterion_id, m.criterion_id),
                previous_stage_id=m.previous_stage_id,
                stage_id=m.stage_id,
            ),
        )
        for m in moves
        if m.change is Change.DOWN
    ]
    rows.sort(key=lambda x: (-x[0], x[1].org_name.casefold(), x[1].label))
    return tuple(r for _, r in rows)


def dashboard(s: Summary) -> Dashboard:
    h = s.history
    moves = h.movements if h is not None else ()
    before = previous_round(h)
    crit, orgs = movers(s, moves)
    down = regressions(s, moves)
    return Dashboard(
        round_name=round_name(s),
        deadline=s.deadline,
        expected=s.expected,
        received=len(s.orgs),
        response_rate=len(s.orgs) / s.expected if s.expected else None,
        actions_done=s.actions_done / s.actions_possible if s.actions_possible else None,
        now=shares_now(s),
        then=shares_in(s.framework, before) if before is not None else None,
        behind=standings(s)[:TOP],
        improved_criteria=crit[:TOP],
        improved_orgs=orgs[:TOP],
        regressions=down[:REGRESSIONS_SHOWN],
        regressions_total=len(down),
        moved=Counter(m.change for m in moves),
    )


def admin_counts(s: Summary) -> dict[str, int]:
    """The admin figures the Returns sheet shows (not the board's page)."""
    c = s.counts
    return {
        "Files found": sum(n for k, n in c.items() if k != ReturnStatus.MISSING),
        "Accepted": c.get(ReturnStatus.ACCEPTED, 0),
        "Rejected": c.get(ReturnStatus.REJECTED, 0),
        "Superseded / duplicate": c.get(ReturnStatus.SUPERSEDED, 0)
        + c.get(ReturnStatus.DUPLICATE, 0),
        "Blank": c.get(ReturnStatus.BLANK, 0),
        "Skipped": c.get(ReturnStatus.SKIPPED, 0),
    }


# --------------------------------------------------------------------------------------
# the Progress sheet

#: How a change reads: a symbol and the word, so that it never depends on colour.
CHANGE_TEXT: Mapping[Change, str] = {
    Change.UP: "▲ up",
    Change.DOWN: "▼ down",
    Change.SAME: "= same",
    Change.NEW: "new",
    Change.DROPPED: "dropped",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class ProgressLine:
    org_id: str
    org_name: str
    criterion_id: str
    label: str  # "People 1" ("" for a criterion no longer in the framework)
    text: str  # the criterion's text (its id when no longer in the framework)
    previous_round: str
    previous_stage_id: str  # "" when unanswered
    stage_id: str
    change: Change


@dataclass(frozen=True, kw_only=True, slots=True)
class ProgressView:
    rounds: tuple[str, ...]  # oldest first, the summary's round last
    #: per dimension, its Shares in each round (in the order of ROUNDS; rounds without
    #: accepted returns are left out)
    trend: tuple[tuple[Shares, ...], ...]
    lines: tuple[ProgressLine, ...]
    moved: Mapping[Change, int]


def progress(s: Summary) -> ProgressView | None:
    """The Progress sheet; None without earlier rounds (a stand-alone import, or a
    campaign's first round)."""
    h = s.history
    if h is None:
        return None
    fw, labels = s.framework, criterion_labels(s.framework)
    earlier = [shares_in(fw, r) for r in h.rounds if r.stages]
    now = shares_now(s)
    trend = tuple(tuple(r[i] for r in (*earlier, now)) for i in range(len(fw.dimensions)))
    return ProgressView(
        rounds=(*(r.name for r in h.rounds), round_name(s)),
        trend=trend,
        lines=tuple(
            ProgressLine(
                org_id=m.org_id,
                org_name=m.org_name,
                criterion_id=m.criterion_id,
                label=labels.get(m.criterion_id, ""),
                text=fw.criterion(m.criterion_id).text
                if fw.has_criterion(m.criterion_id)
                else m.criterion_id,
                previous_round=m.previous_round,
                previous_stage_id=m.previous_stage_id,
                stage_id=m.stage_id,
                change=m.change,
            )
            for m in h.movements
        ),
        moved=Counter(m.change for m in h.movements),
    )
