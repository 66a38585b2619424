"""The consolidated summary workbook (XlsxWriter), drawn from the views of
:mod:`xlsxkit.results.views`.

One module per sheet or group of sheets: :mod:`.dashboard` (the board's one page, first),
:mod:`.overview` (Overview, Heatmap), :mod:`.progress` (Trend and Progress, in a campaign
with an earlier round),
:mod:`.dimension` (a sheet per dimension), :mod:`.lists` (Next steps, Comments, Returns,
Problems) and :mod:`.data` (the Data tables); :mod:`.book` holds the shared formats and the
top-to-bottom writing, :mod:`.streaming` the one XlsxWriter internals workaround.

The workbook holds no formulas at all; every figure is computed by
:mod:`xlsxkit.results.consolidate`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from xlsxkit.names import make_sheet_names
from xlsxkit.render.csv import data_files
from xlsxkit.render.xlsx.book import Book
from xlsxkit.render.xlsx.dashboard import write_dashboard
from xlsxkit.render.xlsx.data import InCsv, write_data_actions, write_data_stages
from xlsxkit.render.xlsx.dimension import write_dimension
from xlsxkit.render.xlsx.lists import (
    MAX_LIST_ROWS,
    Limit,
    write_comments,
    write_next_steps,
    write_problems,
    write_returns,
)
from xlsxkit.render.xlsx.overview import fits_one_page, write_heatmap, write_overview
from xlsxkit.render.xlsx.progress import write_progress, write_trend
from xlsxkit.results import dashboard, views
from xlsxkit.results.consolidate import Summary

__all__ = ["SHEETS", "write_summary"]

#: The summary's own sheets; the dimension sheets come between Heatmap (or Progress) and
#: Next steps; Trend and Progress are there only with an earlier round.
SHEETS = (
    "Dashboard",
    "Overview",
    "Heatmap",
    "Trend",
    "Progress",
    "Next steps",
    "Comments",
    "Returns",
    "Problems",
    "Data (stages)",
    "Data (actions)",
)


def write_summary(
    summary: Summary,
    path: Path,
    *,
    generated_at: dt.datetime | None = None,
    tmpdir: Path | None = None,
    data_dir: Path | None = None,
    final_path: Path | None = None,
) -> None:
    """Write the summary workbook to PATH (XlsxWriter's temporary files in TMPDIR). With
    DATA_DIR (where the CSV files go), a long data table is left to its CSV file, linked
    from the summary as it will be at FINAL_PATH (default PATH; see :mod:`.data`)."""
    book = Book(summary, path, generated_at or dt.datetime.now(dt.UTC), tmpdir)
    fw = summary.framework
    dim_names = make_sheet_names([d.name for d in fw.dimensions], reserved=SHEETS)
    first = book.sheet("Dashboard")
    write_dashboard(book, first, "Dashboard", dashboard.dashboard(summary))
    write_overview(book, book.sheet("Overview"), views.overview(summary))
    heat = views.heatmap(summary)
    write_heatmap(book, book.sheet("Heatmap", fit_width=fits_one_page(heat)), heat)
    progress = dashboard.progress(summary)
    if progress is not None:
        write_trend(book, book.sheet("Trend"), progress)
        write_progress(book, book.sheet("Progress"), progress)
    for d, name in zip(fw.dimensions, dim_names, strict=True):
        write_dimension(book, book.sheet(name), name, views.dimension(summary, d.id))
    csvs = data_files(data_dir) if data_dir is not None else None
    steps_limit = comments_limit = None
    if csvs is not None:  # the lists' every row is in the CSV files too
        stages_csv, actions_csv = csvs.stages.name, csvs.actions.name
        steps_limit = Limit(
            rows=MAX_LIST_ROWS,
            total=summary.n_next_steps(),
            where=f"every action not yet done is in the data file {actions_csv} (done FALSE)",
        )
        comments_limit = Limit(
            rows=MAX_LIST_ROWS,
            total=summary.n_comments(),
            where=f"the data files {stages_csv} (comment) and {actions_csv} (notes, lead, "
            "target_date) hold every one",
        )
    write_next_steps(book, book.sheet("Next steps"), views.next_steps(summary), limit=steps_limit)
    write_comments(book, book.sheet("Comments"), views.comments(summary), limit=comments_limit)
    write_returns(book, book.sheet("Returns"), views.chase_list(summary))
    write_problems(book, book.sheet("Problems"), views.problems(summary))
    shown = final_path or path
    stages = InCsv.beside(csvs.stages, shown) if csvs else None
    actions = InCsv.beside(csvs.actions, shown) if csvs else None
    write_data_stages(book, book.sheet("Data (stages)"), csv=stages)
    write_data_actions(book, book.sheet("Data (actions)"), csv=actions)
    book.close(first)
