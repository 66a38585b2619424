"""What goes into each input cell before a workbook is sent, and the values the workbook's
formulas show for it.

Prefill is given as the reader's own :class:`~xlsxkit.framework.model.Answer` objects, so a
return read by :mod:`xlsxkit.workbook.read` can be written back unchanged (the next round
starts from the last one). Each field is turned into a cell by its
:class:`~xlsxkit.workbook.layout.FieldType`, the same table the reader decodes with.

``typed`` cells are raw values as a partner's app leaves them (a stage typed over the
dropdown, "yes" in a checkbox cell): the demo and the tests use them to build realistic
returns. They win over prefill.

Formulas carry a cached value for apps that do not recalculate on load; it is computed with
the reader's own rules (:class:`~xlsxkit.workbook.normalise.StageMatcher`,
:func:`~xlsxkit.workbook.normalise.parse_done`), so a workbook shows what an import of it
would count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from xlsxkit.framework.model import Answer, Criterion, Framework
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.normalise import StageMatcher, parse_done

#: A value to put in an input cell before the workbook is sent.
CellValue = str | bool | int | float | dt.date | dt.datetime | None
#: (item id, field) of an input cell.
CellKey = tuple[str, L.FieldName]

#: Earliest date written as a date: Excel's serial dates before 1 March 1900 are not
#: portable (the 1900 leap-year bug), so earlier ones are written as ISO text, which the
#: reader reads back as the same date.
FIRST_SERIAL_DATE = dt.date(1900, 3, 1)

INDICATOR_NO_STAGE = "Pick a stage to see how many of its actions are done"
INDICATOR_UNKNOWN = "Not one of the stages: pick from the list"


def _from_answer(framework: Framework, answer: Answer) -> dict[CellKey, CellValue]:
    """The cells of ANSWER, one per field of its row's kind."""
    if framework.has_criterion(answer.item_id):
        fields = L.CRITERION_FIELDS
    elif framework.has_action(answer.item_id):
        fields = L.ACTION_FIELDS
    else:
        raise ValueError(f"prefill answer for {answer.item_id!r}, which is not in the framework")
    out: dict[CellKey, CellValue] = {}
    for f in fields:
        assert f.answer_attr is not None
        value = getattr(answer, f.answer_attr)
        cell: CellValue
        if f.type is L.FieldType.STAGE:
            if value is None:
                cell = None
            elif isinstance(value, str) and any(s.id == value for s in framework.stages):
                cell = framework.stage(value).label
            else:
                raise ValueError(f"prefill answer for {answer.item_id!r}: no stage {value!r}")
        elif f.type is L.FieldType.TICK:
            # None (unreadable, never guessed) cannot be shown in a checkbox: unticked.
            cell = bool(value) if value is not None else None
        elif f.type is L.FieldType.DATE:
            if not value:
                cell = None
            else:
                day = dt.date.fromisoformat(str(value))
                cell = day if day >= FIRST_SERIAL_DATE else day.isoformat()
        else:
            cell = str(value) if value else None
        if cell is not None:
            out[(answer.item_id, f.name)] = cell
    return out


class InputCells:
    """The value of every input cell of one workbook."""

    def __init__(
        self,
        framework: Framework,
        prefill: Sequence[Answer],
        typed: Mapping[CellKey, CellValue],
    ) -> None:
        self.fw = framework
        self._cells: dict[CellKey, CellValue] = {}
        #: criterion id -> the stage id its prefill answer recorded (None: not assessed).
        self._prefilled_stage: dict[str, str | None] = {}
        for answer in prefill:
            if framework.has_criterion(answer.item_id):
                self._prefilled_stage[answer.item_id] = answer.stage_id
            self._cells.update(_from_answer(framework, answer))
        for (item_id, name), value in typed.items():
            self._cells[(item_id, L.FieldName(name))] = value
        self._matcher = StageMatcher(framework.stages)

    def get(self, item_id: str, name: L.FieldName) -> CellValue:
        return self._cells.get((item_id, name))

    def last_round(self, criterion_id: str, round_name: str) -> str:
        """The locked "Last round (2026 autumn): Some work done" text of a criterion: the
        stage its prefill answer recorded (what the partner said then, whatever is typed
        over it now)."""
        stage_id = self._prefilled_stage.get(criterion_id)
        label = self.fw.stage(stage_id).label if stage_id is not None else "not assessed"
        return f"Last round ({round_name}): {label}"

    # Cached values of formulas -------------------------------------------------------
    def stage_of(self, criterion_id: str) -> str | None:
        """The stage id an import would read for the criterion, if any."""
        matched = self._matcher.match(self.get(criterion_id, L.FieldName.STAGE))
        return matched if isinstance(matched, str) else None

    def is_ticked(self, action_id: str) -> bool:
        return parse_done(self.get(action_id, L.FieldName.DONE)) is True

    def stage_counts(self, dimension_id: str) -> dict[str, int]:
        counts = {s.id: 0 for s in self.fw.stages}
        for criterion in self.fw.dimension(dimension_id).criteria:
            stage_id = self.stage_of(criterion.id)
            if stage_id is not None:
                counts[stage_id] += 1
        return counts

    def ticked(self, dimension_id: str) -> int:
        return sum(1 for a in self.fw.dimension(dimension_id).actions if self.is_ticked(a.id))

    def indicator(self, criterion: Criterion) -> str:
        """The criterion's "N of M actions done" line."""
        raw = self.get(criterion.id, L.FieldName.STAGE)
        if raw is None or raw == "":
            return INDICATOR_NO_STAGE
        stage_id = self.stage_of(criterion.id)
        if stage_id is None:
            return INDICATOR_UNKNOWN
        level = self.fw.stage(stage_id).index
        upto = [a for a in criterion.actions if self.fw.stage(a.stage_id).index <= level]
        done = sum(1 for a in upto if self.is_ticked(a.id))
        return f"{done} of {len(upto)} actions done at or below this stage"
