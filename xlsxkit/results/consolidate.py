"""Consolidation: a pure function from the import's verdicts to the summary model.

Nothing here reads or writes files. :mod:`xlsxkit.results.views` turns the :class:`Summary`
into the content of each summary section, which :mod:`xlsxkit.render.xlsx` draws; the CSV
files (:mod:`xlsxkit.render.csv`) are written from the long per-row tables here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from xlsxkit.codes import Code
from xlsxkit.framework.model import (
    Action,
    Answer,
    Criterion,
    Dimension,
    Framework,
    Return,
    ReturnStatus,
)
from xlsxkit.inbound.resolve import ImportResult
from xlsxkit.problems import Problem, warning
from xlsxkit.results.cellfit import EXCEL_CELL_MAX, IN_THE_CSVS, fits, utf16_units
from xlsxkit.results.consistency import ConsistencyRule, return_flags
from xlsxkit.results.history import History
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.manifest import ManifestRow

NOT_ASSESSED = ""  # the stage key of an unanswered criterion in counts


@dataclass(frozen=True, kw_only=True, slots=True)
class OrgResult:
    """The answers of one organisation's accepted return."""

    org_id: str
    org_name: str
    stages: dict[str, str | None]  # criterion id -> stage id (None: not assessed)
    done: dict[str, bool | None]  # action id -> done (None: unreadable)
    answers: dict[str, Answer]  # item id -> answer, for the free text
    round: str = ""  # the round answered (the campaign's, else the one the workbook names)


@dataclass(frozen=True, kw_only=True, slots=True)
class StageRow:
    org_id: str
    org_name: str
    dimension_id: str
    criterion_id: str
    stage_id: str
    stage_label: str
    stage_index: int | None
    comment: str
    round: str = ""
    target_stage_id: str = ""  # "" when no target was chosen


@dataclass(frozen=True, kw_only=True, slots=True)
class ActionRow:
    org_id: str
    org_name: str
    dimension_id: str
    criterion_id: str
    stage_id: str
    action_id: str
    done: bool  # False when unticked or unreadable (its warning is on the Problems sheet)
    notes: str
    lead: str
    target_date: str
    round: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class NextStep:
    org_id: str
    org_name: str
    dimension_id: str
    criterion_id: str
    current_stage_id: str  # "" when the criterion is not assessed
    action_id: str  # "" for "assess this criterion first"
    action_stage_id: str
    notes: str
    lead: str
    target_date: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CommentRow:
    org_id: str
    org_name: str
    dimension_id: str
    item_id: str
    kind: str  # "evidence", "notes", "lead", "target date"
    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ActionRate:
    action_id: str
    done: int
    organisations: int

    @property
    def rate(self) -> float:
        return self.done / self.organisations if self.organisations else 0.0


@dataclass(frozen=True, kw_only=True)
class Summary:
    """Everything the summary workbook and the CSVs show.

    Figures are computed once; the long per-row tables (stages, actions, next steps,
    comments) are generated on demand from the organisations' answers, so that a large
    partnership does not hold every row in memory twice.
    """

    framework: Framework
    orgs: tuple[OrgResult, ...]
    returns: tuple[Return, ...]
    missing: tuple[ManifestRow, ...]
    expected: int | None
    #: criterion id -> stage id (NOT_ASSESSED for none) -> organisations
    criterion_stages: dict[str, dict[str, int]]
    #: dimension id -> stage id (NOT_ASSESSED for none) -> criterion answers
    dimension_stages: dict[str, dict[str, int]]
    #: action id -> completion across organisations
    action_rates: dict[str, ActionRate]
    #: (org id, dimension id) -> share of the dimension's actions ticked
    org_dimension_done: dict[tuple[str, str], float]
    #: every rejection and every warning of an accepted return, with its return
    problems: tuple[tuple[Return, Problem], ...]
    counts: dict[str, int] = field(default_factory=dict)
    #: (org id, item id, answer field) -> where the whole text is, for every partner text
    #: too long for an Excel cell ("" item id and "org_name" for the organisation's name)
    cut_texts: dict[tuple[str, str, str], str] = field(default_factory=dict)
    #: the round imported (a campaign's), "" when each workbook names its own
    round_name: str = ""
    #: what only a campaign knows: the round's deadline and its earlier rounds
    deadline: dt.date | None = None
    history: History | None = None

    def cut_where(self, org_id: str, item_id: str, name: str) -> str:
        """Where to find the whole of a text (answer field NAME) the summary had to cut."""
        return self.cut_texts.get((org_id, item_id, name), IN_THE_CSVS)

    @property
    def actions_done(self) -> int:
        return sum(r.done for r in self.action_rates.values())

    @property
    def actions_possible(self) -> int:
        return len(self.orgs) * len(self.framework.actions)

    @property
    def n_stage_rows(self) -> int:
        return len(self.orgs) * len(self.framework.criteria)

    @property
    def n_action_rows(self) -> int:
        return len(self.orgs) * len(self.framework.actions)

    def _org_criteria(self) -> Iterator[tuple[OrgResult, Dimension, Criterion]]:
        """Every (organisation, dimension, criterion), in summary order."""
        for org in self.orgs:
            for d in self.framework.dimensions:
                for c in d.criteria:
                    yield org, d, c

    def stage_rows(self) -> Iterator[StageRow]:
        fw = self.framework
        for org, d, c in self._org_criteria():
            stage_id = org.stages[c.id]
            stage = fw.stage(stage_id) if stage_id else None
            answer = org.answers.get(c.id)
            yield StageRow(
                org_id=org.org_id,
                org_name=org.org_name,
                dimension_id=d.id,
                criterion_id=c.id,
                stage_id=stage.id if stage else "",
                stage_label=stage.label if stage else "",
                stage_index=stage.index if stage else None,
                comment=answer.comment if answer else "",
                round=org.round,
                target_stage_id=_known_stage(fw, answer.target_stage_id if answer else None),
            )

    def action_rows(self) -> Iterator[ActionRow]:
        for org, d, c in self._org_criteria():
            for a in c.actions:
                answer = org.answers.get(a.id)
                done = org.done[a.id]
                yield ActionRow(
                    org_id=org.org_id,
                    org_name=org.org_name,
                    dimension_id=d.id,
                    criterion_id=c.id,
                    stage_id=a.stage_id,
                    action_id=a.id,
                    done=done is True,
                    notes=answer.notes if answer else "",
                    lead=answer.lead if answer else "",
                    target_date=answer.target_date if answer else "",
                    round=org.round,
                )

    def _open_actions(self, org: OrgResult, c: Criterion, stage_id: str) -> list[Action]:
        """C's actions at or below STAGE_ID (ORG's stage for C), not yet done by ORG."""
        fw = self.framework
        level = fw.stage(stage_id).index
        return [
            a
            for a in c.actions
            if fw.stage(a.stage_id).index <= level and org.done[a.id] is not True
        ]

    def next_steps(self) -> Iterator[NextStep]:
        """Per organisation, the actions at or below its current stage not yet done; a
        criterion without a stage is listed once, to be assessed first."""
        for org, d, c in self._org_criteria():
            stage_id = org.stages[c.id]
            if stage_id is None:
                yield _next_step(org, d, c, "", None)
                continue
            for a in self._open_actions(org, c, stage_id):
                yield _next_step(org, d, c, stage_id, a)

    def n_next_steps(self) -> int:
        """How many rows :meth:`next_steps` yields, without making them."""
        n = 0
        for org, _, c in self._org_criteria():
            stage_id = org.stages[c.id]
            n += 1 if stage_id is None else len(self._open_actions(org, c, stage_id))
        return n

    @staticmethod
    def _texts(org: OrgResult, c: Criterion) -> list[tuple[str, str, str]]:
        """(item id, kind, text) of every free text ORG wrote for C and its actions."""
        texts = [(c.id, "evidence", org.answers[c.id].comment)] if c.id in org.answers else []
        for a in c.actions:
            answer = org.answers.get(a.id)
            if answer is not None:
                texts += [
                    (a.id, "notes", answer.notes),
                    (a.id, "lead", answer.lead),
                    (a.id, "target date", answer.target_date),
                ]
        return [t for t in texts if t[2]]

    def comments(self) -> Iterator[CommentRow]:
        """All free text: evidence, notes, leads and dates, with organisation and item."""
        for org, d, c in self._org_criteria():
            for item_id, kind, text in self._texts(org, c):
                yield CommentRow(
                    org_id=org.org_id,
                    org_name=org.org_name,
                    dimension_id=d.id,
                    item_id=item_id,
                    kind=kind,
                    text=text,
                )

    def n_comments(self) -> int:
        """How many rows :meth:`comments` yields, without making them."""
        return sum(len(self._texts(org, c)) for org, _, c in self._org_criteria())


def _known_stage(framework: Framework, stage_id: str | None) -> str:
    """STAGE_ID when it is a stage of FRAMEWORK, else "" (the reader only returns those)."""
    return stage_id if stage_id and stage_id in {s.id for s in framework.stages} else ""


def _next_step(
    org: OrgResult, d: Dimension, c: Criterion, stage_id: str, a: Action | None
) -> NextStep:
    """Action A still to do at STAGE_ID, or (A None) criterion C still to assess."""
    answer = org.answers.get(a.id) if a is not None else None
    return NextStep(
        org_id=org.org_id,
        org_name=org.org_name,
        dimension_id=d.id,
        criterion_id=c.id,
        current_stage_id=stage_id,
        action_id=a.id if a is not None else "",
        action_stage_id=a.stage_id if a is not None else "",
        notes=answer.notes if answer else "",
        lead=answer.lead if answer else "",
        target_date=answer.target_date if answer else "",
    )


def _org_result(framework: Framework, r: Return, round_name: str | None) -> OrgResult:
    answers = {a.item_id: a for a in r.answers}
    stages = {
        c.id: (answers[c.id].stage_id if c.id in answers else None) for c in framework.criteria
    }
    done: dict[str, bool | None] = {}
    for a in framework.actions:
        ans = answers.get(a.id)
        done[a.id] = ans.done if ans is not None else None
    return OrgResult(
        org_id=r.org_id,
        org_name=r.org_name,
        stages=stages,
        done=done,
        answers=answers,
        round=round_name if round_name is not None else r.round,
    )


def consolidate(
    framework: Framework,
    result: ImportResult,
    *,
    round_name: str | None = None,
    consistency: ConsistencyRule | None = None,
) -> Summary:
    """Build the summary model from the import result. Pure.

    ROUND_NAME is the campaign round imported (every accepted return is of it); None
    outside a campaign, where each return's round is the one its workbook names.
    CONSISTENCY: when a claimed stage is flagged (None: the default rule); the flags are
    warnings of their return, after its own."""
    accepted = sorted(
        (r for r in result.returns if r.status == ReturnStatus.ACCEPTED),
        key=lambda r: (r.org_name.casefold(), r.org_id),
    )
    orgs = tuple(_org_result(framework, r, round_name) for r in accepted)
    stage_ids = [s.id for s in framework.stages]

    criterion_stages: dict[str, dict[str, int]] = {}
    dimension_stages: dict[str, dict[str, int]] = {}
    for d in framework.dimensions:
        dim_counts = dict.fromkeys([*stage_ids, NOT_ASSESSED], 0)
        for c in d.criteria:
            counts = dict.fromkeys([*stage_ids, NOT_ASSESSED], 0)
            for org in orgs:
                counts[org.stages[c.id] or NOT_ASSESSED] += 1
            criterion_stages[c.id] = counts
            for k, v in counts.items():
                dim_counts[k] += v
        dimension_stages[d.id] = dim_counts

    action_rates = {
        a.id: ActionRate(
            action_id=a.id,
            done=sum(1 for org in orgs if org.done[a.id] is True),
            organisations=len(orgs),
        )
        for a in framework.actions
    }
    org_dimension_done = {
        (org.org_id, d.id): (
            sum(1 for a in d.actions if org.done[a.id] is True) / len(d.actions)
            if d.actions
            else 0.0
        )
        for org in orgs
        for d in framework.dimensions
    }

    counts = dict.fromkeys(_STATUSES, 0)
    for r in result.returns:
        counts[r.status] = counts.get(r.status, 0) + 1
    counts[ReturnStatus.MISSING] = len(result.missing)
    cut_texts, cut_problems = _texts_too_long(accepted)
    rule = consistency if consistency is not None else ConsistencyRule()
    extra: dict[str, list[Problem]] = {}
    for r in accepted:
        extra[r.source] = [*return_flags(framework, r, rule), *cut_problems.get(r.source, [])]

    return Summary(
        framework=framework,
        orgs=orgs,
        returns=result.returns,
        missing=result.missing,
        expected=result.expected,
        criterion_stages=criterion_stages,
        dimension_stages=dimension_stages,
        action_rates=action_rates,
        org_dimension_done=org_dimension_done,
        problems=tuple(problem_rows(result.returns, extra)),
        counts=counts,
        cut_texts=cut_texts,
        round_name=round_name or "",
    )


#: The answer fields that hold a partner's free text, and their column in the workbook.
_TEXT_FIELDS = (("comment", L.COL_NOTE), ("notes", L.COL_NOTE), ("lead", L.COL_LEAD))


def _texts_too_long(
    accepted: Sequence[Return],
) -> tuple[dict[tuple[str, str, str], str], dict[str, list[Problem]]]:
    """Every partner text longer than an Excel cell holds: where it is, and a Problems row
    for it (by source), so that the summary never cuts a text without saying so."""
    where: dict[tuple[str, str, str], str] = {}
    rows: dict[str, list[Problem]] = {}

    def add(r: Return, key: tuple[str, str, str], text: str, sheet: str, cell: str) -> None:
        at = f"{r.source}, sheet {sheet!r} cell {cell}" if sheet else r.source
        where[key] = at if sheet else f"{r.source} (or the CSV files, --data)"
        rows.setdefault(r.source, []).append(
            warning(
                Code.SUMMARY_TEXT_CUT,
                f"this text has {utf16_units(text):,} characters (counted as Excel counts "
                f"them), more than the {EXCEL_CELL_MAX:,} an Excel cell holds: the summary "
                "shows its start, marked '[cut: ...]'; the whole text is in the return "
                "and in the CSV files (--data)",
                file=r.source,
                sheet=sheet or None,
                cell=cell or None,
            )
        )

    for r in accepted:
        if not fits(r.org_name):
            add(r, (r.org_id, "", "org_name"), r.org_name, "", "")
        for a in r.answers:
            for name, col in _TEXT_FIELDS:
                text: str = getattr(a, name)
                if text and not fits(text):
                    add(r, (r.org_id, a.item_id, name), text, a.sheet, L.cell_ref(a.row - 1, col))
    return where, rows


_STATUSES = (
    ReturnStatus.ACCEPTED,
    ReturnStatus.SUPERSEDED,
    ReturnStatus.DUPLICATE,
    ReturnStatus.REJECTED,
    ReturnStatus.SKIPPED,
    ReturnStatus.BLANK,
    ReturnStatus.MISSING,
)


def problem_rows(
    returns: Sequence[Return], extra: dict[str, list[Problem]] | None = None
) -> list[tuple[Return, Problem]]:
    """Every rejection (its verdict) and every warning of an accepted return, in file order;
    EXTRA problems (by source) follow their file's own."""
    rows: list[tuple[Return, Problem]] = []
    for r in returns:
        if r.status == ReturnStatus.REJECTED and r.verdict is not None:
            rows.append((r, r.verdict))
        elif r.status == ReturnStatus.ACCEPTED:
            rows += [(r, p) for p in r.problems]
        else:
            continue
        rows += [(r, p) for p in (extra or {}).get(r.source, [])]
    return rows
