"""Carrying a round's answers over to the next round's workbook, across a framework revision.

The next round's workbook starts from the organisation's last accepted answers (issue 11),
but the framework may have been revised in between: items added, removed or reworded, and
even stages removed. Items are matched by id, never by wording or position, so:

* an answer whose item still exists is carried over (moved to where the new framework puts
  the item);
* an answer whose item was removed is dropped, and reported;
* an item new since then starts blank, and is reported;
* an item whose wording changed keeps its answer, and is reported, so the coordinator can
  tell partners to re-read it;
* a stage or target stage that is no longer on the ladder is cleared, and reported, rather
  than guessed to be some other stage.

This is pure: no files, no store. ``generate --round`` calls :func:`carry_over` for each
organisation and prints :meth:`CarryOver.lines` in its report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from xlsxkit.framework.model import Action, Answer, Criterion, Framework
from xlsxkit.workbook.plan import plan_workbook


@dataclass(frozen=True, kw_only=True, slots=True)
class ClearedStage:
    """A stage an answer recorded that the new framework no longer has."""

    item_id: str
    field: str  # "stage_id" or "target_stage_id"
    stage_id: str


@dataclass(frozen=True, kw_only=True)
class CarryOver:
    """The answers to pre-fill, and what the framework revision changed about them."""

    #: The answers to pre-fill (``WorkbookSpec.prefill``), placed where the new framework's
    #: workbook has each item, in the framework's order.
    answers: tuple[Answer, ...]
    #: Ids answered before whose item is no longer in the framework: their answers dropped.
    removed: tuple[str, ...] = ()
    #: Ids of the framework new since the previous workbook: they start blank.
    added: tuple[str, ...] = ()
    #: Ids whose wording changed since (only known when the previous framework is given):
    #: their answers were carried over, under the new wording.
    reworded: tuple[str, ...] = ()
    #: Stages that are no longer on the ladder, cleared from the answers that had them.
    cleared: tuple[ClearedStage, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.removed or self.added or self.reworded or self.cleared)

    def lines(self, round_name: str = "") -> list[str]:
        """The report, one sentence per kind of change ("" when nothing changed)."""
        since = f" since {round_name}" if round_name else " since the last round"
        out = []
        if self.removed:
            out.append(
                f"{len(self.removed)} answer(s) dropped: their items were removed from the "
                f"framework{since}: {_some(self.removed)}"
            )
        if self.added:
            out.append(
                f"{len(self.added)} item(s) new in the framework{since} start blank: "
                f"{_some(self.added)}"
            )
        if self.reworded:
            out.append(
                f"{len(self.reworded)} item(s) reworded{since} keep their answers under the "
                f"new wording; ask partners to re-read them: {_some(self.reworded)}"
            )
        if self.cleared:
            stages = sorted({c.stage_id for c in self.cleared})
            out.append(
                f"{len(self.cleared)} stage answer(s) cleared: the stage(s) {', '.join(stages)} "
                f"are no longer in the framework: {_some([c.item_id for c in self.cleared])}"
            )
        return out


def _wording(item: Criterion | Action) -> tuple[str, ...]:
    """What a partner reads of an item: its text, details and guidance."""
    if isinstance(item, Action):
        return (item.text, *item.details, item.guidance or "")
    return (item.text, item.guidance or "")


def _item(framework: Framework, item_id: str) -> Criterion | Action | None:
    if framework.has_criterion(item_id):
        return framework.criterion(item_id)
    if framework.has_action(item_id):
        return framework.action(item_id)
    return None


def carry_over(
    previous_answers: Sequence[Answer],
    framework: Framework,
    *,
    previous_framework: Framework | None = None,
) -> CarryOver:
    """The pre-fill for FRAMEWORK's workbook from PREVIOUS_ANSWERS (one organisation's last
    accepted answers, as the reader or the store returns them), and the report.

    Answers are matched to items by id. An id that is now an item of the other kind (a
    criterion become an action) counts as removed and added. "New" items are those of
    FRAMEWORK not in PREVIOUS_FRAMEWORK, or, without it, those with no previous answer at
    all (the reader returns an answer for every row of a workbook, answered or not, so an
    id missing from a return was not in that workbook). Rewording is only detected with
    PREVIOUS_FRAMEWORK (the answers do not carry the wording). With no previous answers
    (an organisation's first round) nothing is reported: its workbook is simply blank.
    """
    if not previous_answers:
        return CarryOver(answers=())
    plan = plan_workbook(framework)
    stage_ids = {s.id for s in framework.stages}
    by_id: dict[str, Answer] = {}
    for answer in previous_answers:
        by_id.setdefault(answer.item_id, answer)  # the first one, as the reader keeps it

    kept: dict[str, Answer] = {}
    removed: list[str] = []
    cleared: list[ClearedStage] = []
    for item_id, answer in by_id.items():
        item = _item(framework, item_id)
        before = _item(previous_framework, item_id) if previous_framework else None
        if item is None or (before is not None and type(before) is not type(item)):
            removed.append(item_id)
            continue
        stage, target = answer.stage_id, answer.target_stage_id
        if stage is not None and stage not in stage_ids:
            cleared.append(ClearedStage(item_id=item_id, field="stage_id", stage_id=stage))
            stage = None
        if target is not None and target not in stage_ids:
            cleared.append(ClearedStage(item_id=item_id, field="target_stage_id", stage_id=target))
            target = None
        where = plan.items[item_id]
        kept[item_id] = dataclasses.replace(
            answer, sheet=where.sheet, row=where.row + 1, stage_id=stage, target_stage_id=target
        )

    order = [c.id for c in framework.criteria] + [a.id for a in framework.actions]
    if previous_framework is not None:
        added = [
            i
            for i in order
            if (before := _item(previous_framework, i)) is None
            or type(before) is not type(_item(framework, i))
        ]
        reworded = [
            i
            for i in order
            if i in kept
            and (before := _item(previous_framework, i)) is not None
            and (now := _item(framework, i)) is not None
            and _wording(before) != _wording(now)
        ]
    else:
        added = [i for i in order if i not in by_id]
        reworded = []
    position = {item_id: n for n, item_id in enumerate(order)}
    return CarryOver(
        answers=tuple(sorted(kept.values(), key=lambda a: position[a.item_id])),
        removed=tuple(sorted(removed)),
        added=tuple(added),
        reworded=tuple(reworded),
        cleared=tuple(cleared),
    )


def _some(ids: Sequence[str], limit: int = 10) -> str:
    return ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")
