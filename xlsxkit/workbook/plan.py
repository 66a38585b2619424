"""The row plan: which row every item and every writer-only position of a workbook is on.

A pure function of the framework (and, for the Start sheet's body, the number of
instruction paragraphs). The writer lays every sheet out from it, so no sheet depends on
another having been written first, and formulas that point into another sheet (the Start
sheet's progress table, the defined names) take their rows from here, never from the order
in which things happened to be written.

The reader does not find answers by these rows: a partner's app may move them (a copied
sheet, rows re-saved by another program), so answers are found by the ids in the hidden id
column. The plan tells the reader which ids to expect and of what kind; tests use it to
say where a given field of a given item is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from xlsxkit.framework.model import Framework
from xlsxkit.workbook import layout as L


@dataclass(frozen=True, kw_only=True, slots=True)
class Placement:
    """Where an item's row is in a freshly generated workbook (0-based row)."""

    item_id: str
    kind: str  # layout.KIND_*
    sheet: str
    row: int
    dimension_id: str | None  # None for the organisation row of the Start sheet


@dataclass(frozen=True, kw_only=True, slots=True)
class ActionGroup:
    """The actions of one criterion at one stage: a heading row, then one row each."""

    stage_id: str
    heading_row: int
    actions: tuple[tuple[str, int], ...]  # (action id, row)


@dataclass(frozen=True, kw_only=True, slots=True)
class CriterionBlock:
    """A band row, the criterion's row, its action groups and a spacer row."""

    criterion_id: str
    number: int  # 1-based within the dimension
    band_row: int
    row: int
    groups: tuple[ActionGroup, ...]
    spacer_row: int

    @property
    def first_action_row(self) -> int:
        return self.row + 1

    @property
    def last_action_row(self) -> int:
        """Below first_action_row when the criterion has no actions."""
        return self.spacer_row - 1


@dataclass(frozen=True, kw_only=True, slots=True)
class DimensionPlan:
    dimension_id: str
    sheet: str
    first_row: int  # first row of the form, below the headings
    last_row: int  # last row of the form: the spacer row under the last criterion
    blocks: tuple[CriterionBlock, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class StartPlan:
    """The Start sheet, top to bottom."""

    title_row: int
    subtitle_row: int
    description_row: int
    org_row: int
    org_hint_row: int  # generic workbooks: "type the name above"
    round_row: int
    deadline_row: int
    return_to_row: int
    instructions_heading_row: int
    paragraph_rows: tuple[int, ...]
    progress_heading_row: int
    progress_header_row: int
    progress_rows: Mapping[str, int]  # dimension id -> row
    progress_total_row: int
    stages_heading_row: int
    stage_rows: Mapping[str, int]  # stage id -> row


@dataclass(frozen=True, kw_only=True, slots=True)
class IdentityPlan:
    marker_row: int
    key_rows: Mapping[str, int]  # identity key -> row
    stage_rows: Mapping[str, int]  # stage id -> row of its label and id in the lists

    def row_of(self, key: str) -> int:
        return self.key_rows[key]


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkbookPlan:
    sheet_names: Mapping[str, str]  # dimension id -> sheet name
    dimensions: tuple[DimensionPlan, ...]
    items: Mapping[str, Placement]  # item id -> placement (criteria, actions, org row)
    start: StartPlan
    identity: IdentityPlan

    def dimension(self, dimension_id: str) -> DimensionPlan:
        return next(d for d in self.dimensions if d.dimension_id == dimension_id)

    def cell(self, item_id: str, field: L.Field) -> tuple[str, int, int]:
        """(sheet, 0-based row, 0-based column) of FIELD of ITEM_ID."""
        where = self.items[item_id]
        if field.kind != where.kind:
            raise ValueError(f"{item_id} is a {where.kind} row, which has no {field.name} field")
        return where.sheet, where.row, field.col

    # References used by formulas and defined names --------------------------------------
    @property
    def stage_range(self) -> str:
        """The stage labels on the identity sheet, as an absolute sheet-qualified range."""
        rows = sorted(self.identity.stage_rows.values())
        col = L.col_letter(L.LIST_STAGE_COL)
        return f"{L.quote_sheet(L.IDENTITY_SHEET)}!${col}${rows[0] + 1}:${col}${rows[-1] + 1}"

    def stage_label_ref(self, stage_id: str) -> str:
        col = L.col_letter(L.LIST_STAGE_COL)
        row = self.identity.stage_rows[stage_id] + 1
        return f"{L.quote_sheet(L.IDENTITY_SHEET)}!${col}${row}"

    @property
    def org_cell(self) -> str:
        col = L.col_letter(L.START_VALUE_COL)
        return f"{L.quote_sheet(L.START_SHEET)}!${col}${self.start.org_row + 1}"

    @property
    def framework_hash_cell(self) -> str:
        col = L.col_letter(L.IDENTITY_VALUE_COL)
        row = self.identity.row_of(L.KEY_FRAMEWORK_HASH) + 1
        return f"{L.quote_sheet(L.IDENTITY_SHEET)}!${col}${row}"


def identity_keys(framework: Framework) -> tuple[str, ...]:
    """Every key of the identity sheet, in order."""
    return L.IDENTITY_KEYS + tuple(f"{L.SHEET_KEY_PREFIX}{d.id}" for d in framework.dimensions)


def _dimension(framework: Framework, dimension_id: str, sheet: str) -> DimensionPlan:
    dimension = framework.dimension(dimension_id)
    row = L.HEADER_ROWS
    blocks = []
    for number, criterion in enumerate(dimension.criteria, start=1):
        band_row, crow = row, row + 1
        row = crow + 1
        groups = []
        for stage in framework.stages:
            actions = criterion.actions_at(stage.id)
            if not actions:
                continue
            heading_row = row
            rows = tuple((a.id, heading_row + 1 + i) for i, a in enumerate(actions))
            groups.append(ActionGroup(stage_id=stage.id, heading_row=heading_row, actions=rows))
            row = heading_row + 1 + len(actions)
        blocks.append(
            CriterionBlock(
                criterion_id=criterion.id,
                number=number,
                band_row=band_row,
                row=crow,
                groups=tuple(groups),
                spacer_row=row,
            )
        )
        row += 1
    return DimensionPlan(
        dimension_id=dimension_id,
        sheet=sheet,
        first_row=L.HEADER_ROWS,
        last_row=blocks[-1].spacer_row if blocks else L.HEADER_ROWS - 1,
        blocks=tuple(blocks),
    )


def _start(framework: Framework, paragraphs: int) -> StartPlan:
    # Title, subtitle, description, a blank row, the organisation and a hint under it.
    org_row = 4
    round_row = org_row + 2
    instructions_heading_row = round_row + 4
    first_paragraph = instructions_heading_row + 1
    progress_heading_row = first_paragraph + paragraphs + 1
    progress_header_row = progress_heading_row + 1
    progress_rows = {d.id: progress_header_row + 1 + i for i, d in enumerate(framework.dimensions)}
    progress_total_row = progress_header_row + 1 + len(framework.dimensions)
    stages_heading_row = progress_total_row + 2
    return StartPlan(
        title_row=0,
        subtitle_row=1,
        description_row=2,
        org_row=org_row,
        org_hint_row=org_row + 1,
        round_row=round_row,
        deadline_row=round_row + 1,
        return_to_row=round_row + 2,
        instructions_heading_row=instructions_heading_row,
        paragraph_rows=tuple(range(first_paragraph, first_paragraph + paragraphs)),
        progress_heading_row=progress_heading_row,
        progress_header_row=progress_header_row,
        progress_rows=progress_rows,
        progress_total_row=progress_total_row,
        stages_heading_row=stages_heading_row,
        stage_rows={s.id: stages_heading_row + 1 + i for i, s in enumerate(framework.stages)},
    )


def _identity(framework: Framework) -> IdentityPlan:
    keys = identity_keys(framework)
    return IdentityPlan(
        marker_row=0,
        key_rows={k: L.IDENTITY_FIRST_ROW + i for i, k in enumerate(keys)},
        stage_rows={s.id: L.LIST_FIRST_ROW + i for i, s in enumerate(framework.stages)},
    )


_PLANS: dict[int, tuple[Framework, WorkbookPlan]] = {}


def default_plan(framework: Framework) -> WorkbookPlan:
    """:func:`plan_workbook` with its defaults, made once per framework object: a reader
    plans the same framework for every return of a batch (the plan is never changed)."""
    held = _PLANS.get(id(framework))
    if held is None or held[0] is not framework:
        if len(_PLANS) > 8:
            _PLANS.clear()
        held = _PLANS[id(framework)] = (framework, plan_workbook(framework))
    return held[1]


def plan_workbook(
    framework: Framework,
    *,
    sheet_names: Mapping[str, str] | None = None,
    paragraphs: int = 0,
) -> WorkbookPlan:
    """The plan of the workbook for FRAMEWORK. SHEET_NAMES defaults to
    :func:`layout.sheet_names_for`; PARAGRAPHS (the rendered instructions) only moves the
    rows of the Start sheet below the instructions."""
    names = dict(sheet_names) if sheet_names is not None else L.sheet_names_for(framework)
    dimensions = tuple(_dimension(framework, d.id, names[d.id]) for d in framework.dimensions)
    start = _start(framework, paragraphs)
    items: dict[str, Placement] = {
        L.START_ORG_ROW_ID: Placement(
            item_id=L.START_ORG_ROW_ID,
            kind=L.KIND_ORG_NAME,
            sheet=L.START_SHEET,
            row=start.org_row,
            dimension_id=None,
        )
    }
    for dim in dimensions:
        for block in dim.blocks:
            items[block.criterion_id] = Placement(
                item_id=block.criterion_id,
                kind=L.KIND_CRITERION,
                sheet=dim.sheet,
                row=block.row,
                dimension_id=dim.dimension_id,
            )
            for group in block.groups:
                for action_id, row in group.actions:
                    items[action_id] = Placement(
                        item_id=action_id,
                        kind=L.KIND_ACTION,
                        sheet=dim.sheet,
                        row=row,
                        dimension_id=dim.dimension_id,
                    )
    return WorkbookPlan(
        sheet_names=names,
        dimensions=dimensions,
        items=items,
        start=start,
        identity=_identity(framework),
    )
