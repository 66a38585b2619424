"""What each section of a summary shows, with no idea of how it is drawn.

A view is the content of one section of a report: the overview's tiles, the stage
distribution per dimension or criterion, the heatmap's rows, the suggested actions least
done first, the next steps, comments, returns (with the chaser list) and problems. Each is a
frozen dataclass computed purely from a :class:`~xlsxkit.results.consolidate.Summary`.

The summary workbook (:mod:`xlsxkit.render.xlsx`) draws them, and so can any later report
(a board dashboard, each partner's feedback) without repeating the arithmetic or the
ordering rules. Views carry ids (stage ids, statuses) and numbers, never formatted text:
how a stage is coloured or a share is printed is the renderer's choice.

The long per-row sections (next steps, comments, problems) are generators, so that a large
partnership's rows are streamed to the output rather than held in memory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from xlsxkit.framework.model import Dimension, Framework, ReturnStatus
from xlsxkit.results.consolidate import NOT_ASSESSED, Summary

ASSESS_FIRST = "Assess this criterion first: no stage was chosen"


# --------------------------------------------------------------------------------------
# overview


@dataclass(frozen=True, kw_only=True, slots=True)
class Tile:
    """One headline figure. VALUE is None when it is not known (no manifest, nothing to
    count); a SHARE is a fraction from 0 to 1."""

    label: str
    value: int | float | None
    share: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class StageDistribution:
    """How many answers reached each stage: COUNTS in the framework's stage order."""

    label: str  # the dimension's name, or "Criterion 1"
    text: str  # the criterion's text ("" for a dimension)
    counts: tuple[int, ...]
    not_assessed: int

    @property
    def answers(self) -> int:
        return sum(self.counts) + self.not_assessed


@dataclass(frozen=True, kw_only=True, slots=True)
class ActionsDone:
    label: str  # the dimension's name, or "All areas"
    done: int
    possible: int

    @property
    def rate(self) -> float:
        return self.done / self.possible if self.possible else 0.0


@dataclass(frozen=True, kw_only=True, slots=True)
class Overview:
    tiles: tuple[Tile, ...]
    received: int
    expected: int | None  # None without a manifest
    blank: int  # files that came back with nothing filled in
    areas: tuple[StageDistribution, ...]  # one per dimension
    actions_done: tuple[ActionsDone, ...]  # one per dimension
    all_actions: ActionsDone


def _distribution(
    counts: dict[str, int], fw: Framework, label: str, text: str
) -> StageDistribution:
    return StageDistribution(
        label=label,
        text=text,
        counts=tuple(counts[st.id] for st in fw.stages),
        not_assessed=counts[NOT_ASSESSED],
    )


def overview(s: Summary) -> Overview:
    fw, counts = s.framework, s.counts
    known = s.expected is not None
    # The board's figures only; the admin counts (rejected, superseded) are on the Returns
    # sheet.
    tiles = (
        Tile(label="Expected", value=s.expected),
        Tile(label="Received", value=len(s.orgs)),
        Tile(label="Missing", value=counts.get(ReturnStatus.MISSING, 0) if known else None),
        Tile(
            label="Response rate",
            value=len(s.orgs) / s.expected if s.expected else None,
            share=True,
        ),
        Tile(
            label="Actions done",
            value=s.actions_done / s.actions_possible if s.actions_possible else None,
            share=True,
        ),
    )
    n_orgs = len(s.orgs)
    return Overview(
        tiles=tiles,
        received=n_orgs,
        expected=s.expected,
        blank=counts.get(ReturnStatus.BLANK, 0),
        areas=tuple(_distribution(s.dimension_stages[d.id], fw, d.name, "") for d in fw.dimensions),
        actions_done=tuple(
            ActionsDone(
                label=d.name,
                done=sum(s.action_rates[a.id].done for a in d.actions),
                possible=n_orgs * len(d.actions),
            )
            for d in fw.dimensions
        ),
        all_actions=ActionsDone(
            label="All areas", done=s.actions_done, possible=s.actions_possible
        ),
    )


# --------------------------------------------------------------------------------------
# heatmap


#: The longest a dimension's name is in a short criterion label ("People 1"), so that the
#: criterion's number always shows.
LABEL_NAME_MAX = 28


def short(text: str, limit: int) -> str:
    """TEXT cut to LIMIT characters with an ellipsis (whole words when it can)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-—") + "…"


def dimension_labels(dimensions: Sequence[Dimension]) -> dict[str, str]:
    """Dimension id -> its name, shortened to LABEL_NAME_MAX characters; names that would
    read the same shortened are cut longer until they differ (when they still do not,
    every name is numbered by its place)."""
    labels = {d.id: short(d.name, LABEL_NAME_MAX) for d in dimensions}
    limit = LABEL_NAME_MAX
    longest = max((len(d.name) for d in dimensions), default=0)
    while len(set(labels.values())) < len(labels) and limit < longest:
        limit += 8
        seen = Counter(labels.values())
        labels = {
            d.id: short(d.name, limit) if seen[labels[d.id]] > 1 else labels[d.id]
            for d in dimensions
        }
    if len(set(labels.values())) < len(labels):  # names the same word for word: numbered
        labels = {d.id: f"{labels[d.id]} ({i})" for i, d in enumerate(dimensions, start=1)}
    return labels


def criterion_labels(fw: Framework) -> dict[str, str]:
    """Criterion id -> its short label: its dimension's (short) name and its number in it
    ("People 1"). Distinct for every criterion, however long the names or alike the texts."""
    names = dimension_labels(fw.dimensions)
    return {c.id: f"{names[d.id]} {i}" for d in fw.dimensions for i, c in enumerate(d.criteria, 1)}


@dataclass(frozen=True, kw_only=True, slots=True)
class HeatmapColumn:
    criterion_id: str
    label: str  # "People 1": the dimension's name and the criterion's number in it
    text: str  # the criterion's whole text
    average: float  # the partnership's average stage reached (0: none) over its returns


@dataclass(frozen=True, kw_only=True, slots=True)
class HeatmapRow:
    org_id: str
    org_name: str
    stages: tuple[str | None, ...]  # per column: stage id, None when not assessed
    actions_done: tuple[float, ...]  # per dimension: share of its actions ticked
    average: float  # the average stage reached over every criterion (0: none)


@dataclass(frozen=True, kw_only=True, slots=True)
class MissingRow:
    """An organisation that was sent a workbook and has no accepted return."""

    org_id: str
    org_name: str
    blank: bool  # it sent one back blank


@dataclass(frozen=True, kw_only=True, slots=True)
class Heatmap:
    columns: tuple[HeatmapColumn, ...]
    areas: tuple[str, ...]  # dimension names, for the actions-done columns
    rows: tuple[HeatmapRow, ...]  # organisations, highest average stage first
    missing: tuple[MissingRow, ...]  # in manifest order; () without a manifest
    area_done: tuple[float, ...]  # per dimension: the share of its actions ticked overall
    average: float  # the partnership's average stage over every answer


def _average(stages: Iterable[str | None], fw: Framework) -> float:
    rungs = [fw.stage(x).index if x else 0 for x in stages]
    return sum(rungs) / len(rungs) if rungs else 0.0


def heatmap(s: Summary) -> Heatmap:
    fw = s.framework
    n = len(s.orgs)
    labels = criterion_labels(fw)
    columns = tuple(
        HeatmapColumn(
            criterion_id=c.id,
            label=labels[c.id],
            text=c.text,
            average=_average((o.stages[c.id] for o in s.orgs), fw),
        )
        for d in fw.dimensions
        for c in d.criteria
    )
    rows = [
        HeatmapRow(
            org_id=org.org_id,
            org_name=org.org_name,
            stages=(stages := tuple(org.stages[col.criterion_id] for col in columns)),
            actions_done=tuple(s.org_dimension_done[(org.org_id, d.id)] for d in fw.dimensions),
            average=_average(stages, fw),
        )
        for org in s.orgs
    ]
    rows.sort(key=lambda r: -r.average)  # stable: by name within a figure
    chase = chase_list(s) or ()
    return Heatmap(
        columns=columns,
        areas=tuple(d.name for d in fw.dimensions),
        rows=tuple(rows),
        missing=tuple(
            MissingRow(org_id=m.org_id, org_name=m.org_name, blank=bool(m.blank_files))
            for m in chase
        ),
        area_done=tuple(
            sum(s.action_rates[a.id].done for a in d.actions) / (n * len(d.actions))
            if n and d.actions
            else 0.0
            for d in fw.dimensions
        ),
        average=_average((x for o in s.orgs for x in o.stages.values()), fw),
    )


# --------------------------------------------------------------------------------------
# one dimension


@dataclass(frozen=True, kw_only=True, slots=True)
class ActionCompletion:
    """How many organisations have ticked one suggested action."""

    action_id: str
    criterion_number: int  # 1-based, within the dimension
    text: str
    details: tuple[str, ...]  # the action's sub-points, in order
    stage_id: str
    done: int
    organisations: int

    @property
    def rate(self) -> float:
        return self.done / self.organisations if self.organisations else 0.0


@dataclass(frozen=True, kw_only=True, slots=True)
class DimensionView:
    dimension_id: str
    name: str
    organisations: int
    criteria: tuple[StageDistribution, ...]  # labelled "Criterion 1", "Criterion 2", ...
    chart_labels: tuple[str, ...]  # per criterion: its number and the start of its text
    least_done: tuple[ActionCompletion, ...]  # by share done, then stage, then id


def dimension(s: Summary, dimension_id: str) -> DimensionView:
    fw = s.framework
    d = fw.dimension(dimension_id)
    number = {c.id: i for i, c in enumerate(d.criteria, start=1)}
    ordered = sorted(
        d.actions, key=lambda a: (s.action_rates[a.id].rate, fw.stage(a.stage_id).index, a.id)
    )
    return DimensionView(
        dimension_id=d.id,
        name=d.name,
        organisations=len(s.orgs),
        criteria=tuple(
            _distribution(s.criterion_stages[c.id], fw, f"Criterion {number[c.id]}", c.text)
            for c in d.criteria
        ),
        chart_labels=tuple(f"{i}. {short(c.text, 48)}" for i, c in enumerate(d.criteria, 1)),
        least_done=tuple(
            ActionCompletion(
                action_id=a.id,
                criterion_number=number[a.criterion_id],
                text=a.text,
                details=a.details,
                stage_id=a.stage_id,
                done=s.action_rates[a.id].done,
                organisations=s.action_rates[a.id].organisations,
            )
            for a in ordered
        ),
    )


# --------------------------------------------------------------------------------------
# long lists


@dataclass(frozen=True, kw_only=True, slots=True)
class NextStepView:
    """A suggested action an organisation has still to do, or (ACTION_ID "") a criterion it
    has still to assess."""

    org_id: str
    org_name: str
    area: str
    criterion_id: str
    criterion_label: str  # "People 1"
    criterion: str
    current_stage_id: str | None  # None: not assessed
    action_id: str
    action_stage_id: str | None
    action: str
    details: tuple[str, ...]  # the action's sub-points
    notes: str
    lead: str
    target_date: str


def next_steps(s: Summary) -> Iterator[NextStepView]:
    fw = s.framework
    labels = criterion_labels(fw)
    for n in s.next_steps():
        yield NextStepView(
            org_id=n.org_id,
            org_name=n.org_name,
            area=fw.dimension(n.dimension_id).name,
            criterion_id=n.criterion_id,
            criterion_label=labels[n.criterion_id],
            criterion=fw.criterion(n.criterion_id).text,
            current_stage_id=n.current_stage_id or None,
            action_id=n.action_id,
            action_stage_id=n.action_stage_id or None,
            action=fw.action(n.action_id).text if n.action_id else ASSESS_FIRST,
            details=fw.action(n.action_id).details if n.action_id else (),
            notes=n.notes,
            lead=n.lead,
            target_date=n.target_date,
        )


#: A comment's kind -> the answer field that holds it.
COMMENT_FIELDS = {"evidence": "comment", "notes": "notes", "lead": "lead", "target date": ""}


@dataclass(frozen=True, kw_only=True, slots=True)
class CommentView:
    org_id: str
    org_name: str
    area: str
    item_id: str
    item: str  # the criterion's or action's text
    kind: str  # "evidence", "notes", "lead", "target date"
    text: str

    @property
    def field(self) -> str:
        """The answer field the text came from ("" for a date)."""
        return COMMENT_FIELDS[self.kind]


def comments(s: Summary) -> Iterator[CommentView]:
    fw = s.framework
    for c in s.comments():
        item = fw.criterion(c.item_id) if fw.has_criterion(c.item_id) else fw.action(c.item_id)
        yield CommentView(
            org_id=c.org_id,
            org_name=c.org_name,
            area=fw.dimension(c.dimension_id).name,
            item_id=c.item_id,
            item=item.text,
            kind=c.kind,
            text=c.text,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class ProblemView:
    source: str
    org_id: str
    organisation: str  # the organisation's name when its return was accepted, else its id
    severity: str
    code: str
    sheet: str
    cell: str
    message: str


def problems(s: Summary) -> Iterator[ProblemView]:
    names = {o.org_id: o.org_name for o in s.orgs}
    for r, p in s.problems:
        yield ProblemView(
            source=r.source,
            org_id=r.org_id,
            organisation=names.get(r.org_id, r.org_id),
            severity=str(p.severity),
            code=str(p.code),
            sheet=p.location.sheet or "",
            cell=p.location.cell or "",
            message=p.message,
        )


# --------------------------------------------------------------------------------------
# returns and the chaser list


@dataclass(frozen=True, kw_only=True, slots=True)
class ChaseRow:
    """An organisation that was sent a workbook and has no accepted return."""

    org_id: str
    org_name: str
    contact: str
    email: str
    blank_files: tuple[str, ...]  # its returns that came back with nothing filled in

    @property
    def what(self) -> str:
        """What happened, without whom to chase (a list shows them in their own columns)."""
        if self.blank_files:
            return f"returned blank ({', '.join(self.blank_files)}): nothing was filled in"
        return "sent a workbook but none came back"

    @property
    def reason(self) -> str:
        who = ", ".join(x for x in (self.contact, self.email) if x)
        return self.what + (f"; chase {who}" if who else "")


def chase_list(s: Summary) -> tuple[ChaseRow, ...] | None:
    """Who to chase, in manifest order; None when not known (no manifest)."""
    if s.expected is None:
        return None
    blank: dict[str, list[str]] = {}
    for r in s.returns:
        if r.status == ReturnStatus.BLANK and r.org_id:
            blank.setdefault(r.org_id, []).append(r.source)
    return tuple(
        ChaseRow(
            org_id=m.org_id,
            org_name=m.org_name,
            contact=m.contact,
            email=m.email,
            blank_files=tuple(blank.get(m.org_id, ())),
        )
        for m in s.missing
    )
