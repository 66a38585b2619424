"""The Trend and Progress sheets, in a campaign with an earlier round.

Trend: per dimension, the share of the answers at each stage, round by round. Progress:
every organisation's answer to every criterion then and now (the rows of progress.csv),
the direction written as a symbol and a word (▲ up, ▼ down, = same, new, dropped) so that
it never depends on colour. Two sheets, because a table of stages and a list of answers
need different column widths.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from xlsxkit.render.xlsx.book import Book, Cell, Sheet, StageCell, Styled
from xlsxkit.render.xlsx.lists import write_list
from xlsxkit.results.dashboard import CHANGE_TEXT, ProgressView
from xlsxkit.results.history import Change

#: Font colours of the change column (the symbol and the word carry the meaning).
CHANGE_COLOURS = {
    Change.UP: "#375623",
    Change.DOWN: "#9C0006",
    Change.SAME: "#595959",
    Change.NEW: "#1F4E78",
    Change.DROPPED: "#7F6000",
}


def _change_formats(book: Book) -> None:
    for change, colour in CHANGE_COLOURS.items():
        book.f[f"change:{change}"] = book.wb.add_format(
            {
                "font_name": "Calibri",
                "font_size": 11,
                "valign": "top",
                "bold": True,
                "font_color": colour,
                "bottom": 1,
                "bottom_color": "#D9D9D9",
            }
        )


def _stage(book: Book, stage_id: str) -> Cell:
    """A stage of the current ladder as a stage cell; one of an earlier ladder as its id."""
    if not stage_id or stage_id in book.stage_cells:
        return StageCell(stage_id or None)
    return stage_id


def _moved(view: ProgressView) -> str:
    return ", ".join(f"{view.moved.get(c, 0)} {CHANGE_TEXT[c]}" for c in Change)


def write_trend(book: Book, sh: Sheet, view: ProgressView) -> None:
    fw = book.fw
    book.title(
        sh,
        f"Trend: stages reached, round by round ({' → '.join(view.rounds)})",
        "Share of each area's criterion answers at each stage, in every round with "
        f"returns. Answers since each organisation's previous return: {_moved(view)}.",
    )
    book.one_page(sh)
    ws = sh.ws
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 16)
    ws.set_column(2, len(fw.stages) + 3, 13)
    book.headers(
        sh,
        [
            "Area",
            "Round",
            *(Styled(f"stage_head:{st.id}", st.label) for st in fw.stages),
            "Not assessed",
            "Answers",
        ],
        32,
    )
    for rounds in view.trend:
        for i, shares in enumerate(rounds):
            last = i == len(rounds) - 1
            book.line(
                sh,
                [
                    Styled("bold", shares.dimension if i == 0 else ""),
                    Styled("bold" if last else "text", shares.round),
                    *(Styled("pct_bold" if last else "pct", x) for x in shares.shares()),
                    Styled("int", shares.answers),
                ],
            )


def write_progress(book: Book, sh: Sheet, view: ProgressView) -> None:
    _change_formats(book)

    def rows() -> Iterable[Sequence[Cell]]:
        for line in view.lines:
            yield (
                book.partner_text(line.org_name, line.org_id, "", "org_name"),
                line.label,
                line.text,
                line.previous_round,
                _stage(book, line.previous_stage_id),
                _stage(book, line.stage_id),
                Styled(f"change:{line.change}", CHANGE_TEXT[line.change]),
            )

    write_list(
        book,
        sh,
        "Progress: each organisation's answers, then and now",
        f"Against its previous accepted return ({_moved(view)}). ▲ up and ▼ down compare "
        "the stages on the ladder; new: not answered before; dropped: not answered now.",
        [
            "Organisation",
            "Criterion",
            "Success criterion",
            "Previous round",
            "Then",
            "Now",
            "Change",
        ],
        [28, 16, 56, 14, 16, 16, 12],
        rows(),
        "answers",
        empty="No answers to compare.",
    )
