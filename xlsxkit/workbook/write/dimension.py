"""A dimension's sheet: each success criterion with its stage dropdown, evidence cell and
live indicator, and under it the suggested actions by stage, each with a native checkbox,
notes, lead and target date. Every row is where :mod:`xlsxkit.workbook.plan` says, and
every input cell is the column :data:`xlsxkit.workbook.layout.FIELDS` gives it.

Row heights are set from every text the row shows (the wording, the longest stage label a
dropdown may show, and the partner's own evidence, notes and lead when pre-filled), because
apps do not grow rows of wrapped text consistently. A text a partner types later may still
be longer than its cell shows: the label above it then says that it continues (a formula on
the text's length), so nothing written is hidden without a sign."""

from __future__ import annotations

import datetime as dt

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from xlsxkit.framework.model import Criterion
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.plan import CriterionBlock, DimensionPlan
from xlsxkit.workbook.styles import (
    DIMENSION_WIDTHS,
    HEADER_FILL,
    LINE_HEIGHT,
    estimate_lines,
    fit,
    row_height,
)
from xlsxkit.workbook.write.book import Book

#: Bounds on input: a target date must fall in this window.
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)

NOT_NAMED_YET = "(organisation not named yet: see Start)"
#: Added to a label when a text under it is longer than its cell shows (the Start sheet's
#: instructions say what to do).
CONTINUES = "▼ continues"

_F = L.FieldName
_STAGE_FIELDS = (_F.STAGE, _F.TARGET_STAGE)


def _abs_range(col: int, first: int, last: int) -> str:
    letter = L.col_letter(col)
    return f"${letter}${first + 1}:${letter}${last + 1}"


def write_dimension(book: Book, ws: Worksheet, dim: DimensionPlan) -> None:
    write_dimension_head(book, ws, dim)
    write_dimension_body(book, ws, dim)
    write_dimension_tail(book, ws)


def write_dimension_head(book: Book, ws: Worksheet, dim: DimensionPlan) -> None:
    """The sheet's set-up and its frozen rows: title, organisation, guidance, headings.
    With :func:`write_dimension_tail`, all of the sheet that depends on the organisation
    (the body depends on the framework, the plan and the input values alone)."""
    f = book.formats
    fw = book.fw
    spec = book.spec
    dimension = fw.dimension(dim.dimension_id)
    ws.hide_gridlines(2)
    book.hide_id_columns(ws)
    for col, width in DIMENSION_WIDTHS.items():
        ws.set_column(col, col, width)
    ws.set_tab_color(HEADER_FILL)

    # Title, guidance and column headings: frozen and repeated on every printed page.
    # The title spans D:G and the organisation H:I, so neither runs into the other.
    # An en dash, not a colon: framework titles often hold a colon of their own
    # ("People: Engaging people: ..." read as a doubled colon).
    title = fit(f"{dimension.name} – {fw.title}", L.MAX_CELL_TEXT)
    ws.merge_range(0, L.COL_TEXT, 0, L.COL_LEAD, "", f["title"])
    ws.write_string(0, L.COL_TEXT, title, f["title"])
    ws.merge_range(0, L.COL_DATE, 0, L.COL_INFO, "", f["heading"])
    org_width = DIMENSION_WIDTHS[L.COL_DATE] + DIMENSION_WIDTHS[L.COL_INFO]
    if spec.generic:
        org_cell = book.plan.org_cell
        ws.write_formula(
            0,
            L.COL_DATE,
            f'=IF({org_cell}="","{NOT_NAMED_YET}",{org_cell})',
            f["heading"],
            NOT_NAMED_YET,
        )
        org_text = NOT_NAMED_YET
    else:
        ws.write_string(0, L.COL_DATE, spec.org_display, f["heading"])
        org_text = spec.org_display
    title_width = sum(DIMENSION_WIDTHS[c] for c in range(L.COL_TEXT, L.COL_LEAD + 1))
    ws.set_row(
        0,
        max(
            24.0,
            22.0 * estimate_lines(title, title_width * 0.7),
            17.0 * estimate_lines(org_text, org_width * 0.85),
        ),
    )
    guide = dimension.description or (
        "For each success criterion, pick the stage reached in the yellow Stage cell and "
        "give your evidence. Then tick each suggested action you have done."
    )
    ws.merge_range(1, L.COL_TEXT, 1, L.LAST_COL, "", f["subtitle"])
    ws.write_string(1, L.COL_TEXT, guide, f["subtitle"])
    ws.set_row(1, row_height((guide, 170)))
    headings = {
        L.COL_TEXT: "Success criterion / suggested action",
        L.COL_INPUT: "Stage reached / Done?",
        L.COL_NOTE: "Evidence, comments and notes",
        L.COL_LEAD: "Target stage / Lead / owner",
        L.COL_DATE: "Last round / Target date" if spec.previous_round else "Target date",
        L.COL_INFO: "Progress / cross-references",
    }
    for col, text in headings.items():
        ws.write_string(2, col, text, f["header"])
    ws.set_row(2, 32)
    ws.freeze_panes(L.HEADER_ROWS, 0)


def write_dimension_body(book: Book, ws: Worksheet, dim: DimensionPlan) -> None:
    """The criteria and actions, and the conditional formats over them."""
    f = book.formats
    fw = book.fw
    for block in dim.blocks:
        _criterion_block(book, ws, block, len(dim.blocks))

    # Both stage cells of a criterion (reached and target) take the stage's colour.
    stage_cells = [
        L.cell_ref(b.row, L.FIELD[name].col) for b in dim.blocks for name in _STAGE_FIELDS
    ]
    for stage in fw.stages:
        literal = '"' + stage.label.replace('"', '""') + '"'
        ws.conditional_format(
            stage_cells[0],
            {
                "type": "cell",
                "criteria": "==",
                "value": literal,
                "format": f[f"stage_cf:{stage.id}"],
                "multi_range": " ".join(stage_cells),
            },
        )
    # Ticks in words where the app draws no checkbox (see styles.TICK_WORDS_FORMAT); first,
    # so that an app applying one conditional format per cell still shows the words.
    box_col = L.FIELD[_F.DONE].col
    boxes = [
        f"{L.cell_ref(g.actions[0][1], box_col)}:{L.cell_ref(g.actions[-1][1], box_col)}"
        for b in dim.blocks
        for g in b.groups
        if g.actions
    ]
    if boxes:
        ws.conditional_format(
            boxes[0],
            {
                "type": "formula",
                "criteria": "=TRUE",
                "format": f["tick_words"],
                "multi_range": " ".join(boxes),
            },
        )
    top = L.cell_ref(dim.first_row, L.COL_TEXT)
    bottom = L.cell_ref(dim.last_row, L.COL_INFO)
    kind = f"${L.col_letter(L.COL_KIND)}{dim.first_row + 1}"
    box = f"${L.col_letter(L.FIELD[_F.DONE].col)}{dim.first_row + 1}"
    ws.conditional_format(
        f"{top}:{bottom}",
        {
            "type": "formula",
            "criteria": f'=AND({kind}="{L.KIND_ACTION}",OR({box}=TRUE,{box}="TRUE"))',
            "format": f["done"],
        },
    )


def write_dimension_tail(book: Book, ws: Worksheet) -> None:
    """The print set-up (its footer names the organisation) and the protection."""
    book.print_setup(ws, L.HEADER_ROWS - 1)
    book.protect(ws)


def _criterion_block(book: Book, ws: Worksheet, block: CriterionBlock, total: int) -> None:
    f = book.formats
    fw = book.fw
    criterion = fw.criterion(block.criterion_id)
    # Band: "SUCCESS CRITERION 1 OF 2"
    row = block.band_row
    ws.write_string(row, L.COL_TEXT, f"SUCCESS CRITERION {block.number} OF {total}", f["band"])
    ws.write_string(row, L.COL_INPUT, "Stage reached", f["band"])
    crow_height = _height_of_criterion(book, block)
    evidence = [(block.criterion_id, _F.COMMENT, block.row, crow_height)]
    _continues(book, ws, row, L.COL_NOTE, "Evidence / comments", evidence, f["band"])
    ws.write_string(row, L.FIELD[_F.TARGET_STAGE].col, "Target stage by next round", f["band"])
    if book.spec.previous_round:
        ws.write_string(row, L.COL_LAST_ROUND, "Last round", f["band"])
    ws.write_string(row, L.COL_INFO, "Actions done up to this stage", f["band"])
    ws.set_row(row, 18)

    # The criterion row: text, stage dropdown, evidence, live indicator.
    crow = block.row
    text = _criterion_text(book, criterion)
    stage, comment = L.FIELD[_F.STAGE], L.FIELD[_F.COMMENT]
    target = L.FIELD[_F.TARGET_STAGE]
    ws.write_string(crow, L.COL_ID, criterion.id)
    ws.write_string(crow, L.COL_KIND, L.KIND_CRITERION)
    ws.write_string(crow, L.COL_TEXT, text, f["criterion"])
    ws.write_string(crow, L.COL_HASH, L.wording_hash(text))
    book.value(ws, crow, stage.col, book.inputs.get(criterion.id, stage.name), f["input_stage"])
    book.value(ws, crow, comment.col, book.inputs.get(criterion.id, comment.name), f["input"])
    # The target stage: a second dropdown over the same list. Without a last round to
    # show, it spans the last-round column too.
    last_round = book.spec.previous_round
    if not last_round:
        ws.merge_range(crow, target.col, crow, L.COL_LAST_ROUND, "", f["input_stage"])
    value = book.inputs.get(criterion.id, target.name)
    book.value(ws, crow, target.col, value, f["input_stage"])
    shown = ""
    if last_round:
        shown = fit(book.inputs.last_round(criterion.id, last_round), L.MAX_CELL_TEXT)
        ws.write_string(crow, L.COL_LAST_ROUND, shown, f["indicator"])
    labels = ", ".join(s.label for s in fw.stages)
    _stage_list(
        book,
        ws,
        crow,
        stage.col,
        "Stage reached",
        f"Pick the stage reached for this criterion: {labels}. Leave it blank if not assessed yet.",
        f"Pick a stage from the list ({labels}), or delete the cell's content "
        "if it is not assessed yet.",
    )
    _stage_list(
        book,
        ws,
        crow,
        target.col,
        "Target stage by next round",
        f"Optional: the stage you aim to reach by the next round: {labels}. "
        "Leave it blank if you have not set one.",
        f"Pick a target stage from the list ({labels}), or delete the cell's content "
        "if you have not set one.",
    )
    ws.set_row(crow, crow_height)

    for group in block.groups:
        heading = f"Suggested actions at stage: {fw.stage(group.stage_id).label}"
        fmt = f[f"stage:{group.stage_id}"]
        hrow = group.heading_row
        ws.write_string(hrow, L.COL_TEXT, heading, fmt)
        ws.write_string(hrow, L.COL_INPUT, "Done?", fmt)
        heights = {a: _height_of_action(book, a) for a, _ in group.actions}
        for col, name, label in (
            (L.COL_NOTE, _F.NOTES, "Notes"),
            (L.COL_LEAD, _F.LEAD, "Lead / owner"),
        ):
            cells = [(a, name, arow, heights[a]) for a, arow in group.actions]
            _continues(book, ws, hrow, col, label, cells, fmt)
        ws.write_string(hrow, L.COL_DATE, "Target date", fmt)
        ws.write_string(hrow, L.COL_INFO, "See also", fmt)
        ws.set_row(hrow, row_height((heading, DIMENSION_WIDTHS[L.COL_TEXT])))
        for action_id, arow in group.actions:
            _action_row(book, ws, action_id, arow)
    _indicator(book, ws, block, criterion)
    # A spacer row between criteria.
    ws.set_row(block.spacer_row, 10)


def _stage_list(
    book: Book, ws: Worksheet, row: int, col: int, title: str, message: str, error: str
) -> None:
    """A dropdown of the stage labels (the list on the identity sheet, never inline: Excel
    drops inline lists over 255 characters) that refuses anything else."""
    ws.data_validation(
        row,
        col,
        row,
        col,
        {
            "validate": "list",
            "source": "=" + book.plan.stage_range,
            "ignore_blank": True,
            "input_title": fit(title, L.MAX_VALIDATION_TITLE),
            "input_message": fit(message, L.MAX_VALIDATION_INPUT),
            "error_title": "Not one of the stages",
            "error_message": fit(error, L.MAX_VALIDATION_ERROR),
            "error_type": "stop",
        },
    )


def _action_row(book: Book, ws: Worksheet, action_id: str, row: int) -> None:
    f = book.formats
    fw = book.fw
    inputs = book.inputs
    action = fw.action(action_id)
    text = _action_text(book, action_id)
    ws.write_string(row, L.COL_ID, action.id)
    ws.write_string(row, L.COL_KIND, L.KIND_ACTION)
    ws.write_number(row, L.COL_STAGE_INDEX, fw.stage(action.stage_id).index)
    ws.write_string(row, L.COL_TEXT, text, f["action"])
    ws.write_string(row, L.COL_HASH, L.wording_hash(text))
    tick = L.FIELD[_F.DONE]
    done = inputs.get(action.id, tick.name)
    if done is None or isinstance(done, bool):
        ws.insert_checkbox(row, tick.col, bool(done), f["checkbox"])
    else:
        book.value(ws, row, tick.col, done, f["checkbox"])
    ws.data_validation(
        row,
        tick.col,
        row,
        tick.col,
        {
            "validate": "list",
            "source": ["TRUE", "FALSE"],
            "ignore_blank": True,
            "error_title": "Tick the box or pick TRUE/FALSE",
            "error_message": "Tick the box when the action is done. If your app shows "
            "Done/Not done or TRUE/FALSE instead, pick TRUE for done and FALSE for not done.",
            "error_type": "stop",
        },
    )
    for name, fmt in ((_F.NOTES, "input"), (_F.LEAD, "input"), (_F.TARGET_DATE, "date")):
        field = L.FIELD[name]
        book.value(ws, row, field.col, inputs.get(action.id, name), f[fmt])
    date_col = L.FIELD[_F.TARGET_DATE].col
    ws.data_validation(
        row,
        date_col,
        row,
        date_col,
        {
            "validate": "date",
            "criteria": "between",
            "minimum": dt.datetime.combine(DATE_MIN, dt.time()),
            "maximum": dt.datetime.combine(DATE_MAX, dt.time()),
            "ignore_blank": True,
            "input_title": "Target date",
            "input_message": "Type a date, e.g. 2027-03-31 (shown as 31 March 2027).",
            "error_title": "Not a date",
            "error_message": "Type the target date as a date, e.g. 2027-03-31, "
            "between 2000 and 2100.",
            "error_type": "stop",
        },
    )
    ws.write_string(row, L.COL_INFO, _cross_reference(book, action_id), f["info"])
    ws.set_row(row, _height_of_action(book, action_id))


def _criterion_text(book: Book, criterion: Criterion) -> str:
    text = criterion.text
    if criterion.guidance:
        text += f"\n\nGuidance: {criterion.guidance}"
    return fit(text, L.MAX_CELL_TEXT)


def _action_text(book: Book, action_id: str) -> str:
    action = book.fw.action(action_id)
    text = action.text
    if action.details:
        text += "".join(f"\n• {d}" for d in action.details)
    if action.guidance:
        text += f"\nGuidance: {action.guidance}"
    return fit(text, L.MAX_CELL_TEXT)


def _typed(book: Book, item_id: str, name: L.FieldName) -> str:
    value = book.inputs.get(item_id, name)
    return "" if value is None or isinstance(value, bool) else str(value)


#: A stage label in a dropdown cell is bold and centred: fewer characters fit per line.
_BOLD = 0.85


def _height_of_criterion(book: Book, block: CriterionBlock) -> float:
    """The criterion row's height: its wording, the longest stage label either dropdown may
    show, the pre-filled evidence, the last-round cell and two lines of the indicator."""
    criterion = book.fw.criterion(block.criterion_id)
    longest = max((s.label for s in book.fw.stages), key=len)
    target_width = DIMENSION_WIDTHS[L.COL_LEAD]
    last = ""
    if book.spec.previous_round:
        last = book.inputs.last_round(criterion.id, book.spec.previous_round)
    else:  # the target spans the last-round column too
        target_width += DIMENSION_WIDTHS[L.COL_LAST_ROUND]
    evidence = _typed(book, criterion.id, _F.COMMENT)
    return max(
        row_height(
            (_criterion_text(book, criterion), DIMENSION_WIDTHS[L.COL_TEXT]),
            (longest, DIMENSION_WIDTHS[L.COL_INPUT] * _BOLD),
            (longest, target_width * _BOLD),
            (evidence, DIMENSION_WIDTHS[L.COL_NOTE]),
            (last, DIMENSION_WIDTHS[L.COL_LAST_ROUND]),
            minimum=2,
        ),
        _holding(evidence, L.COL_NOTE),
    )


def _height_of_action(book: Book, action_id: str) -> float:
    notes, lead = _typed(book, action_id, _F.NOTES), _typed(book, action_id, _F.LEAD)
    return max(
        row_height(
            (_action_text(book, action_id), DIMENSION_WIDTHS[L.COL_TEXT]),
            (notes, DIMENSION_WIDTHS[L.COL_NOTE]),
            (lead, DIMENSION_WIDTHS[L.COL_LEAD]),
            (_cross_reference(book, action_id), DIMENSION_WIDTHS[L.COL_INFO] * 1.1),
        ),
        _holding(notes, L.COL_NOTE),
        _holding(lead, L.COL_LEAD),
    )


def _holding(text: str, col: int) -> float:
    """The least height whose :func:`_capacity` holds TEXT: a pre-filled text never reads
    as "continues"."""
    lines = -(-len(text) // (DIMENSION_WIDTHS[col] + 2))
    return LINE_HEIGHT * max(1, lines) + 3


def _capacity(height: float, col: int) -> int:
    """About how many characters a wrapped cell of COL in a row HEIGHT points tall shows:
    a line per LINE_HEIGHT, each of the column's width and a little more. Never less than
    a text the row was sized for holds (:func:`row_height` gives it its lines), so only a
    text typed after the workbook was made can exceed it."""
    lines = max(1, int((height - 3 + 0.5) // LINE_HEIGHT))
    return lines * (DIMENSION_WIDTHS[col] + 2)


def _continues(
    book: Book,
    ws: Worksheet,
    row: int,
    col: int,
    label: str,
    cells: list[tuple[str, L.FieldName, int, float]],
    fmt: Format,
) -> None:
    """LABEL over the free-text cells CELLS ((item id, field, row, height) each, all in
    COL), as a formula that says "continues" when a text there is longer than its cell
    shows. Only the lengths of the partner's cells are used: their text never reaches a
    formula, and the label is locked."""
    terms = "+".join(f"(LEN({L.cell_ref(r, col)})>{_capacity(h, col)})" for _, _, r, h in cells)
    more = f"{label} {CONTINUES}"
    cached = any(len(_typed(book, item, name)) > _capacity(h, col) for item, name, _, h in cells)
    shown = more if cached else label
    ws.write_formula(row, col, f'=IF(({terms})>0,"{more}","{label}")', fmt, shown)


def _cross_reference(book: Book, action_id: str) -> str:
    fw = book.fw
    action = fw.action(action_id)
    parts = []
    if action.same_as:
        other = fw.action(action.same_as)
        sheet = book.plan.sheet_names[other.dimension_id]
        parts.append(
            f"Also a {fw.dimension(other.dimension_id).name} action: "
            f"“{fit(other.text, 70)}” (sheet {sheet})"
        )
    for ref in action.see_also:
        other = fw.action(ref)
        sheet = book.plan.sheet_names[other.dimension_id]
        parts.append(
            f"See {fw.dimension(other.dimension_id).name}: “{fit(other.text, 70)}” (sheet {sheet})"
        )
    return fit("\n".join(parts), L.MAX_CELL_TEXT)


def _indicator(book: Book, ws: Worksheet, block: CriterionBlock, criterion: Criterion) -> None:
    f = book.formats
    crow, first, last = block.row, block.first_action_row, block.last_action_row
    if last < first or not criterion.actions:
        ws.write_string(crow, L.COL_INFO, "No suggested actions", f["indicator"])
        return
    stage_cell = f"${L.col_letter(L.FIELD[_F.STAGE].col)}${crow + 1}"
    idx = _abs_range(L.COL_STAGE_INDEX, first, last)
    box = _abs_range(L.FIELD[_F.DONE].col, first, last)
    k = f"MATCH({stage_cell},{book.plan.stage_range},0)"
    formula = (
        f'=IF({stage_cell}="","Pick a stage to see how many of its actions are done",'
        f'IFERROR(SUMPRODUCT(({idx}<={k})*((({box}=TRUE)+({box}="TRUE"))>0))'
        f'&" of "&COUNTIF({idx},"<="&{k})&" actions done at or below this stage",'
        f'"Not one of the stages: pick from the list"))'
    )
    ws.write_formula(crow, L.COL_INFO, formula, f["indicator"], book.inputs.indicator(criterion))
