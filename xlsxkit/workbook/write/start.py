"""The Start sheet: the title, the organisation (typed by the partner in a generic
workbook), round, deadline and where to send it; how to fill it in; a live progress table
whose formulas point at the dimension sheets' rows as the plan gives them; and the stages.
"""

from __future__ import annotations

from collections.abc import Callable

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from xlsxkit.workbook import layout as L
from xlsxkit.workbook.instructions import Paragraph
from xlsxkit.workbook.plan import StartPlan
from xlsxkit.workbook.styles import estimate_lines, fit, footer, long_date, row_height
from xlsxkit.workbook.write.book import Book, WorkbookSpec
from xlsxkit.workbook.write.pages import plan_pages

#: Most characters a partner may type as the organisation's name.
ORG_NAME_MAX = 200

#: Sets a row's height and records it (for the page plan).
_Height = Callable[[int, float], None]


def instructions(spec: WorkbookSpec) -> list[Paragraph]:
    """The how-to paragraphs of SPEC's Start sheet."""
    fw = spec.framework
    counts = fw.counts
    values = {
        "organisation": spec.org_display or "your organisation",
        "framework_title": fw.title,
        "framework_version": fw.version,
        "round": spec.round or "this round",
        "deadline": long_date(spec.deadline) if spec.deadline else "the date you were given",
        "return_to": spec.return_to or "the programme coordinator",
        "stages": ", ".join(s.label for s in fw.stages),
        "dimensions": ", ".join(d.name for d in fw.dimensions),
        "dimension_count": str(counts["dimensions"]),
        "criteria_count": str(counts["criteria"]),
        "action_count": str(counts["actions"]),
    }
    return spec.instructions.render(values)


def write_start(book: Book, ws: Worksheet, paragraphs: list[Paragraph]) -> None:
    f = book.formats
    fw = book.fw
    spec = book.spec
    plan = book.plan.start
    stages = fw.stages
    # Columns: A-C hidden; D labels / dimension names; E.. numbers.
    n_cols = 1 + 2 + len(stages) + 3
    last_col = L.START_LABEL_COL + n_cols - 1
    ws.hide_gridlines(2)
    book.hide_id_columns(ws)
    ws.set_column(L.START_LABEL_COL, L.START_LABEL_COL, 30)
    ws.set_column(L.START_LABEL_COL + 1, last_col, 13)
    total_width = 30 + 13 * (n_cols - 1)
    #: the height of every row set, to plan the printed pages
    heights: dict[int, float] = {}

    def height(row: int, points: float) -> None:
        heights[row] = points
        ws.set_row(row, points)

    def wide(
        row: int, text: str, fmt: Format, *, first: int = L.START_LABEL_COL, label: str = ""
    ) -> None:
        text = fit(text, L.MAX_CELL_TEXT)
        ws.merge_range(row, first, row, last_col, "", fmt)
        ws.write_string(row, first, text, fmt)
        width = total_width - (30 if first > L.START_LABEL_COL else 0)
        height(row, row_height((text, width * 0.95), (label, 28)))

    wide(plan.title_row, fw.title, f["title"])
    height(plan.title_row, max(26.0, 22.0 * estimate_lines(fw.title, total_width * 0.7)))
    sub = f"Self-assessment workbook · framework version {fw.version}"
    if fw.source:
        sub += f" · {fw.source}"
    wide(plan.subtitle_row, sub, f["subtitle"])
    if fw.description:
        wide(plan.description_row, fw.description, f["para"])

    _organisation(book, ws, plan, last_col, wide)
    info = [
        (plan.round_row, "Round", spec.round or "(not set)"),
        (
            plan.deadline_row,
            "Please return by",
            long_date(spec.deadline) if spec.deadline else "(no deadline set)",
        ),
        (plan.return_to_row, "Send it back to", spec.return_to or "the programme coordinator"),
    ]
    for row, label, value in info:
        ws.write_string(row, L.START_LABEL_COL, label, f["label"])
        wide(row, value, f["value"], first=L.START_VALUE_COL)

    _heading(book, ws, plan.instructions_heading_row, "How to fill it in", height)
    for row, paragraph in zip(plan.paragraph_rows, paragraphs, strict=True):
        text = f"•  {paragraph.text}" if paragraph.bullet else paragraph.text
        wide(row, text, f["bullet"] if paragraph.bullet else f["para"])

    _heading(book, ws, plan.progress_heading_row, "Your progress", height)
    _progress_table(book, ws, plan, height)

    _heading(book, ws, plan.stages_heading_row, "The stages", height)
    for stage in stages:
        row = plan.stage_rows[stage.id]
        ws.write_string(row, L.START_LABEL_COL, stage.label, f[f"stage:{stage.id}"])
        desc = stage.description or f"Stage {stage.index} of {len(stages)}"
        wide(row, desc, f["value"], first=L.START_VALUE_COL, label=stage.label)
    book.print_setup(ws, 0, fit_width=False)
    last_row = max(plan.stage_rows.values())
    first_paragraph = plan.paragraph_rows[0] if plan.paragraph_rows else plan.progress_heading_row
    pages = plan_pages(
        heights,
        last_row,
        [30] + [13] * (n_cols - 1),
        keep_together=[(plan.instructions_heading_row, first_paragraph)],
        # the progress table with the stages (its colours' legend), else each on its own
        sections=[
            (plan.progress_heading_row, last_row),
            (plan.progress_heading_row, plan.progress_total_row),
            (plan.stages_heading_row, last_row),
        ],
        repeated=heights[plan.title_row],
    )
    if pages.one_page:
        ws.fit_to_pages(1, 1)
    else:
        ws.fit_to_pages(1, 0)
        ws.set_h_pagebreaks(list(pages.breaks))
    ws.set_footer(footer(spec.org_display, "&RPage &P of &N"))
    book.protect(ws)


def _heading(book: Book, ws: Worksheet, row: int, text: str, height: _Height) -> None:
    ws.write_string(row, L.START_LABEL_COL, text, book.formats["heading"])
    height(row, 20)


def _organisation(
    book: Book, ws: Worksheet, plan: StartPlan, last_col: int, wide: Callable[..., None]
) -> None:
    f = book.formats
    spec = book.spec
    row = plan.org_row
    field = L.FIELD[L.FieldName.ORG_NAME]
    ws.write_string(row, L.START_LABEL_COL, "Organisation", f["label"])
    ws.write_string(row, L.COL_ID, L.START_ORG_ROW_ID)
    ws.write_string(row, L.COL_KIND, L.KIND_ORG_NAME)
    if not spec.generic:
        wide(row, spec.org_display, f["label"], first=field.col)
        return
    ws.merge_range(row, field.col, row, last_col, "", f["org_input"])
    typed = book.inputs.get(L.START_ORG_ROW_ID, field.name)
    if typed is not None:
        book.value(ws, row, field.col, typed, f["org_input"])
    ws.data_validation(
        row,
        field.col,
        row,
        field.col,
        {
            "validate": "length",
            "criteria": "between",
            "minimum": 1,
            "maximum": ORG_NAME_MAX,
            "input_title": "Your organisation",
            "input_message": "Type the full name of your organisation here.",
            "error_title": "Organisation name",
            "error_message": f"Type your organisation's name (at most {ORG_NAME_MAX} characters).",
            "error_type": "stop",
        },
    )
    ws.write_string(
        plan.org_hint_row,
        field.col,
        "Type the full name of your organisation in the yellow cell above.",
        f["subtitle"],
    )


def _progress_table(book: Book, ws: Worksheet, plan: StartPlan, height: _Height) -> None:
    f = book.formats
    fw = book.fw
    inputs = book.inputs
    stages = fw.stages
    col = L.START_LABEL_COL
    headers = [
        "Area",
        "Criteria assessed",
        "Criteria in all",
        *(s.label for s in stages),
        "Actions done",
        "Actions in all",
        "% of actions done",
    ]
    row = plan.progress_header_row
    for i, text in enumerate(headers):
        fmt = f["header"]
        if 3 <= i < 3 + len(stages):
            fmt = f[f"stage:{stages[i - 3].id}"]
        ws.write_string(row, col + i, text, fmt)
    height(row, row_height((headers[0], 28), *((h, 12) for h in headers[1:]), minimum=2))
    kind_col, box_col = L.COL_KIND, L.FIELD[L.FieldName.STAGE].col
    # Cached values, per column offset from COL (1: assessed ... 4+len(stages): actions).
    totals = [0] * (5 + len(stages))
    for dim in book.plan.dimensions:
        dimension = fw.dimension(dim.dimension_id)
        row = plan.progress_rows[dim.dimension_id]
        sheet = L.quote_sheet(dim.sheet)

        def rng(c: int, sheet: str = sheet, r1: int = dim.first_row, r2: int = dim.last_row) -> str:
            letter = L.col_letter(c)
            return f"{sheet}!${letter}${r1 + 1}:${letter}${r2 + 1}"

        kind, box = rng(kind_col), rng(box_col)
        counts = inputs.stage_counts(dimension.id)
        ws.write_string(row, col, dimension.name, f["cell_bold"])
        height(row, row_height((dimension.name, 28)))
        stage_cols = []
        for i, stage in enumerate(stages):
            c = col + 3 + i
            stage_cols.append(c)
            label_ref = book.plan.stage_label_ref(stage.id)
            ws.write_formula(
                row,
                c,
                f'=SUMPRODUCT(({kind}="{L.KIND_CRITERION}")*({box}={label_ref}))',
                f["num"],
                counts[stage.id],
            )
            totals[3 + i] += counts[stage.id]
        first_s, last_s = L.cell_ref(row, stage_cols[0]), L.cell_ref(row, stage_cols[-1])
        assessed = sum(counts.values())
        ws.write_formula(row, col + 1, f"=SUM({first_s}:{last_s})", f["num"], assessed)
        ws.write_number(row, col + 2, len(dimension.criteria), f["num"])
        ticked = inputs.ticked(dimension.id)
        ws.write_formula(
            row,
            col + 3 + len(stages),
            f'=SUMPRODUCT(({kind}="{L.KIND_ACTION}")*((({box}=TRUE)+({box}="TRUE"))>0))',
            f["num"],
            ticked,
        )
        n_actions = len(dimension.actions)
        ws.write_number(row, col + 4 + len(stages), n_actions, f["num"])
        totals[1] += assessed
        totals[2] += len(dimension.criteria)
        totals[3 + len(stages)] += ticked
        totals[4 + len(stages)] += n_actions
        done_ref = L.cell_ref(row, col + 3 + len(stages))
        of_ref = L.cell_ref(row, col + 4 + len(stages))
        ws.write_formula(
            row,
            col + 5 + len(stages),
            f"=IF({of_ref}=0,0,{done_ref}/{of_ref})",
            f["pct"],
            ticked / n_actions if n_actions else 0,
        )
    row = plan.progress_total_row
    first_data = min(plan.progress_rows.values())
    last_data = max(plan.progress_rows.values())
    ws.write_string(row, col, "All areas", f["cell_bold"])
    for c in range(col + 1, col + 5 + len(stages)):
        top, bottom = L.cell_ref(first_data, c), L.cell_ref(last_data, c)
        ws.write_formula(row, c, f"=SUM({top}:{bottom})", f["num_bold"], totals[c - col])
    done_ref = L.cell_ref(row, col + 3 + len(stages))
    of_ref = L.cell_ref(row, col + 4 + len(stages))
    total_actions = len(fw.actions)
    ws.write_formula(
        row,
        col + 5 + len(stages),
        f"=IF({of_ref}=0,0,{done_ref}/{of_ref})",
        f["pct_bold"],
        totals[3 + len(stages)] / total_actions if total_actions else 0,
    )
