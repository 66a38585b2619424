"""A partner's feedback: what one organisation gets back after a round, renderer-neutral.

Built from the summary model (:class:`~xlsxkit.results.consolidate.Summary`) for one
organisation with an accepted return. It holds:

- *where it stands*: its stage per criterion against the partnership's distribution, with
  its target and its stage in its previous round (when known);
- *its next steps*: the actions at or below its stage not done yet, then those toward its
  target, each with the lead and date it gave;
- *notes on its return*: the consistency flags, then every other problem found in it, in
  plain words with the cell ("we could not read the date in People!H12: '3/4/2027'").

Why it is built like this:

- *Anonymity.* Nothing about another partner is ever named: the distribution is counts
  only, and is withheld ("fewer than 5 partners answered") when fewer than
  :data:`MIN_GROUP` partners answered a criterion, so that a small group cannot be read
  back to its members. The problems are rewritten in words that never quote another
  partner (an unknown organisation's warning names the closest match in the manifest: not
  here), and every text xlsxkit writes is scrubbed of the other partners' names and ids as
  a last guard. The partner's own answers (its leads and notes) are shown as it wrote them.
- *Every problem reaches the partner.* The notes are the summary's problems of this
  organisation's accepted return, all of them, consistency flags included: one path for the
  Problems sheet, problems.csv and the feedback.

Pure: no files, no I/O.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from xlsxkit.codes import Code
from xlsxkit.framework.model import Framework, Return, ReturnStatus
from xlsxkit.problems import Problem
from xlsxkit.results.consistency import ConsistencyRule, Flag, flags
from xlsxkit.results.consolidate import OrgResult, Summary
from xlsxkit.workbook import layout as L

#: The fewest partners answering a criterion for its distribution to be shown.
MIN_GROUP: Final = 5
WITHHELD: Final = f"fewer than {MIN_GROUP} partners answered"
NOT_ASSESSED: Final = "Not assessed"
ANOTHER: Final = "another organisation"


class Change:
    """How a stage moved since the previous round, in words and a symbol (never colour
    alone)."""

    UP = "▲ up"
    DOWN = "▼ down"
    SAME = "= same"
    NEW = "new"
    DROPPED = "not assessed now"
    NONE = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class PreviousRound:
    """The organisation's stages in its previous accepted return."""

    round: str
    stages: Mapping[str, str | None]  # criterion id -> stage id (None: not assessed)


@dataclass(frozen=True, kw_only=True, slots=True)
class Standing:
    """One criterion: the organisation's answer against the partnership's."""

    dimension: str
    criterion_id: str
    criterion: str
    stage: str  # its stage's label, or NOT_ASSESSED
    target: str  # its target stage's label, "" when none
    previous: str  # its stage last round ("" when no previous round is known)
    change: str  # a Change value
    answered: int  # partners who gave this criterion a stage (itself included)
    #: partners at each stage, lowest first; None when withheld (fewer than MIN_GROUP)
    distribution: tuple[int, ...] | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Step:
    """An action still to do, or a criterion still to assess (action "" then)."""

    dimension: str
    criterion: str
    action: str
    action_stage: str
    why: str
    lead: str
    target_date: dt.date | None
    target_date_text: str  # the date as given when it is not a date ("" otherwise)


@dataclass(frozen=True, kw_only=True, slots=True)
class Note:
    """A problem in the return, in plain words."""

    where: str  # "People!H12", or "" when not at a cell
    text: str
    code: str


@dataclass(frozen=True, kw_only=True)
class FeedbackView:
    org_id: str
    org_name: str
    framework_title: str
    round: str
    previous_round: str | None  # None: no earlier return of this organisation is known
    stages: tuple[str, ...]  # the stage labels, lowest first
    partners: int  # organisations with an accepted return
    standing: tuple[Standing, ...]
    steps: tuple[Step, ...]
    flags: tuple[Note, ...]
    notes: tuple[Note, ...]
    min_group: int = MIN_GROUP

    @property
    def withheld_text(self) -> str:
        return f"fewer than {self.min_group} partners answered"


def feedback_view(
    summary: Summary,
    org_id: str,
    *,
    previous: PreviousRound | None = None,
    rule: ConsistencyRule | None = None,
    round_name: str = "",
    min_group: int = MIN_GROUP,
) -> FeedbackView:
    """The feedback of ORG_ID, which must have an accepted return in SUMMARY (KeyError
    otherwise). PREVIOUS: its previous round's stages, when known. RULE: the consistency
    rule the summary was made with (for the figures of its flags)."""
    fw = summary.framework
    org = next((o for o in summary.orgs if o.org_id == org_id), None)
    if org is None:
        raise KeyError(org_id)
    others = _others(summary, org_id)
    ret = next(
        r for r in summary.returns if r.status == ReturnStatus.ACCEPTED and r.org_id == org_id
    )
    problems = [p for r, p in summary.problems if r is ret or r.source == ret.source]
    flag_notes, notes = _notes(fw, org, problems, rule or ConsistencyRule(), others)
    return FeedbackView(
        org_id=org.org_id,
        org_name=org.org_name,
        framework_title=fw.title,
        round=round_name or org.round or ret.round,
        previous_round=previous.round if previous is not None else None,
        stages=tuple(s.label for s in fw.stages),
        partners=len(summary.orgs),
        standing=tuple(_standing(summary, org, previous, min_group)),
        steps=tuple(steps(fw, org)),
        flags=tuple(flag_notes),
        notes=tuple(notes),
        min_group=min_group,
    )


def _standing(
    summary: Summary, org: OrgResult, previous: PreviousRound | None, min_group: int
) -> list[Standing]:
    fw = summary.framework
    out = []
    for d in fw.dimensions:
        for c in d.criteria:
            counts = summary.criterion_stages[c.id]
            per_stage = tuple(counts.get(s.id, 0) for s in fw.stages)
            answered = sum(per_stage)
            stage_id = org.stages[c.id]
            answer = org.answers.get(c.id)
            target = answer.target_stage_id if answer is not None else None
            was = previous.stages.get(c.id) if previous is not None else None
            out.append(
                Standing(
                    dimension=d.name,
                    criterion_id=c.id,
                    criterion=c.text,
                    stage=_label(fw, stage_id),
                    target=_label(fw, target) if target else "",
                    previous=_label(fw, was) if previous is not None else "",
                    change=_change(fw, was, stage_id) if previous is not None else Change.NONE,
                    answered=answered,
                    distribution=per_stage if answered >= min_group else None,
                )
            )
    return out


def _label(fw: Framework, stage_id: str | None) -> str:
    if not stage_id:
        return NOT_ASSESSED
    known = {s.id: s.label for s in fw.stages}
    return known.get(stage_id, "a stage no longer on the ladder")


def _change(fw: Framework, was: str | None, now: str | None) -> str:
    if was == now:
        return Change.SAME
    if not was:
        return Change.NEW
    if not now:
        return Change.DROPPED
    rung = {s.id: s.index for s in fw.stages}
    if was not in rung or now not in rung:
        return Change.NONE
    return (
        Change.UP
        if rung[now] > rung[was]
        else Change.DOWN
        if rung[now] < rung[was]
        else Change.SAME
    )


def steps(fw: Framework, org: OrgResult) -> list[Step]:
    """Per criterion, in framework order: assess it first when it has no stage; else the
    actions at or below its stage not done yet, then those above it up to its target
    (actions are in stage order)."""
    out: list[Step] = []
    stage_ids = {s.id for s in fw.stages}
    for d in fw.dimensions:
        for c in d.criteria:
            stage_id = org.stages[c.id]
            if stage_id is None:
                out.append(
                    Step(
                        dimension=d.name,
                        criterion=c.text,
                        action="",
                        action_stage="",
                        why="not assessed yet: pick its stage first",
                        lead="",
                        target_date=None,
                        target_date_text="",
                    )
                )
                continue
            level = fw.stage(stage_id).index
            answer = org.answers.get(c.id)
            target = answer.target_stage_id if answer is not None else None
            goal = fw.stage(target).index if target and target in stage_ids else level
            for a in c.actions:
                at = fw.stage(a.stage_id).index
                if org.done.get(a.id) is True or at > max(level, goal):
                    continue
                why = (
                    "at or below your stage"
                    if at <= level
                    else f"toward your target ({fw.stage(target or stage_id).label})"
                )
                out.append(
                    _step(d.name, c.text, a.text, fw.stage(a.stage_id).label, why, org, a.id)
                )
    return out


def _step(
    dimension: str, criterion: str, action: str, stage: str, why: str, org: OrgResult, aid: str
) -> Step:
    answer = org.answers.get(aid)
    text = answer.target_date if answer is not None else ""
    day: dt.date | None = None
    if text:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            day = None
    return Step(
        dimension=dimension,
        criterion=criterion,
        action=action,
        action_stage=stage,
        why=why,
        lead=answer.lead if answer is not None else "",
        target_date=day,
        target_date_text="" if day is not None else text,
    )


# notes on the return -------------------------------------------------------------------


def _where(p: Problem) -> str:
    sheet, cell = p.location.sheet, p.location.cell
    if sheet and cell:
        return f"{sheet}!{cell}"
    return f"sheet {sheet}" if sheet else ""


_RAW = re.compile(
    r"^(the number [^ ]+|the date [0-9-]+|TRUE|FALSE|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
)


def _raw(message: str) -> str:
    """The value a reader's warning quotes first (as :func:`describe` wrote it)."""
    m = _RAW.match(message)
    return m.group(1) if m else ""


def plain(fw: Framework, p: Problem) -> str:
    """PROBLEM as the partner reads it: what we found, where, and what it means for them.
    Never quotes another organisation (see :func:`_scrub` for the last guard)."""
    where = _where(p) or "your workbook"
    raw = _raw(p.message)
    value = f": {raw}" if raw else ""
    code = p.code
    if code is Code.UNREADABLE_DATE:
        return (
            f"we could not read the date in {where}{value}; the target date was left blank. "
            "Please write dates as 2027-03-31"
        )
    if code is Code.UNREADABLE_TICK:
        return (
            f"we could not read the tick in {where}{value}; the action was counted as not "
            "done. Tick the box, or pick TRUE or FALSE from the cell's list"
        )
    if code is Code.UNREADABLE_STAGE:
        labels = ", ".join(s.label for s in fw.stages)
        what = "target stage" if "target stage" in p.message else "stage"
        left = "left blank" if what == "target stage" else "counted as not assessed"
        return (
            f"we could not read the {what} in {where}{value}; it was {left}. Please pick one "
            f"of the stages from the cell's list: {labels}"
        )
    if code is Code.MISSING_CACHED_VALUE:
        return (
            f"the cell {where} holds a formula saved without its result, so we left it "
            "unanswered. Please open and save the file in Excel or LibreOffice before "
            "sending it"
        )
    if code is Code.TEXT_TRUNCATED:
        return (
            f"the text in {where} is longer than a spreadsheet cell holds (32,767 "
            "characters); we kept only its start"
        )
    if code is Code.SUMMARY_TEXT_CUT:
        return (
            f"the text in {where} is longer than one cell of our summary shows; the whole "
            "text is kept with your answers"
        )
    if code is Code.WORDING_EDITED:
        return (
            f"the wording in {where} was changed in your copy; we took your answer as given "
            "for the framework's own wording"
        )
    if code is Code.DUPLICATE_ITEM:
        return f"an item appears twice ({where}, a copied sheet?); we used its first answer"
    if code is Code.EXTRA_SHEET:
        return f"{where} is not part of the form, so nothing on it was read"
    if code is Code.CONTENT_OUTSIDE_FORM:
        return (
            f"some cells outside the form ({where}) were not read: answers are read only "
            "from the form's own rows"
        )
    if code is Code.UNKNOWN_ORGANISATION:
        return (
            "the organisation name typed on the Start sheet is not on our list of partners; "
            "we recorded your answers under the name you typed"
        )
    if code is Code.TOKEN_MISMATCH:
        return (
            "this workbook is not the copy that was sent to you (a forwarded copy?); we took "
            "its answers as yours, as yours did not come back"
        )
    if code is Code.FUTURE_SAVE_TIME:
        return (
            "the time the file says it was saved is in the future; please check the clock "
            "of the computer it was saved on"
        )
    # Any other problem: its own message, which says what and where.
    return f"{where}: {p.message}" if _where(p) else p.message


def plain_flag(fw: Framework, flag: Flag, where: str) -> str:
    stage = fw.stage(flag.stage_id).label
    criterion = fw.criterion(flag.criterion_id).text
    return (
        f"you chose '{stage}' in {where} for \u201c{criterion}\u201d, but {flag.done} of the "
        f"{flag.actions} suggested actions at or below that stage are ticked as done, and "
        f"we would expect at least {flag.needed}. Your answer stands; please check the "
        "stage, or tick the actions you have done"
    )


def _notes(
    fw: Framework,
    org: OrgResult,
    problems: Sequence[Problem],
    rule: ConsistencyRule,
    others: Sequence[str],
) -> tuple[list[Note], list[Note]]:
    stage_col = L.FIELD[L.FieldName.STAGE].col
    by_cell: dict[tuple[str, str], Flag] = {}
    for f in flags(fw, org.stages, org.done, rule):
        answer = org.answers[f.criterion_id]
        by_cell[(answer.sheet, L.cell_ref(answer.row - 1, stage_col))] = f
    flag_notes: list[Note] = []
    notes: list[Note] = []
    for p in problems:
        where = _where(p)
        if p.code is Code.STAGE_NOT_SUPPORTED:
            flag = by_cell.get((p.location.sheet or "", p.location.cell or ""))
            text = plain_flag(fw, flag, where) if flag is not None else p.message
            flag_notes.append(Note(where=where, text=_scrub(text, others), code=str(p.code)))
        else:
            notes.append(Note(where=where, text=_scrub(plain(fw, p), others), code=str(p.code)))
    return flag_notes, notes


def _others(summary: Summary, org_id: str) -> list[str]:
    """The names and ids of every other organisation the import knows of."""
    own = {org_id.casefold()}
    found: list[str] = []
    for o in summary.orgs:
        found += [o.org_name, o.org_id]
    for r in summary.returns:
        found += [r.org_name, r.org_id]
    for m in summary.missing:
        found += [m.org_name, m.org_id]
    own_names = {o.org_name.casefold() for o in summary.orgs if o.org_id == org_id}
    return sorted(
        {x for x in found if x and x.casefold() not in own | own_names and len(x) >= 3},
        key=len,
        reverse=True,
    )


def _scrub(text: str, others: Sequence[str]) -> str:
    """TEXT with every other organisation's name or id replaced: the last guard of the
    feedback's anonymity (the wording above never quotes one)."""
    for other in others:
        pattern = re.compile(r"(?<![\w-])" + re.escape(other) + r"(?![\w-])", re.IGNORECASE)
        text = pattern.sub(ANOTHER, text)
    return text


def accepted_return(summary: Summary, org_id: str) -> Return | None:
    return next(
        (r for r in summary.returns if r.status == ReturnStatus.ACCEPTED and r.org_id == org_id),
        None,
    )
