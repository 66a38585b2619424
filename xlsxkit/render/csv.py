"""Tidy CSV files for analysts, from the summary model. Every text field is neutralised
against CSV injection (see :mod:`xlsxkit.csvsafe`). Texts are never cut: a CSV field has no
length limit, so the CSVs hold whatever the summary workbook had to shorten."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xlsxkit.csvsafe import write_csv
from xlsxkit.framework.model import ReturnStatus
from xlsxkit.results.consolidate import Summary
from xlsxkit.results.views import chase_list

RETURNS_COLUMNS = (
    "source",
    "org_id",
    "org_name",
    "status",
    "reason",
    "saved_at",
    "sha256",
    # added with collect: the email the file came from (appended, as stages.csv's columns)
    "message_id",
    "from",
    "date",
    "subject",
    "mailbox",
)
_NO_EMAIL = ("", "", "", "", "")
STAGES_COLUMNS = (
    "org_id",
    "org_name",
    "dimension_id",
    "criterion_id",
    "stage_id",
    "stage_label",
    "stage_index",
    "comment",
    # added with campaigns: appended, so that scripts reading columns by position still work
    "round",
    "target_stage_id",
)
ACTIONS_COLUMNS = (
    "org_id",
    "org_name",
    "dimension_id",
    "criterion_id",
    "stage_id",
    "action_id",
    "done",
    "notes",
    "lead",
    "target_date",
    "round",  # added with campaigns: appended, like stages.csv's new columns
)
PROBLEMS_COLUMNS = ("source", "org_id", "severity", "code", "sheet", "cell", "message")
#: progress.csv, written in a campaign (the rows come from :mod:`xlsxkit.campaign.progress`)
PROGRESS_COLUMNS = (
    "org_id",
    "org_name",
    "criterion_id",
    "previous_round",
    "previous_stage_id",
    "stage_id",
    "change",
)


@dataclass(frozen=True, kw_only=True)
class DataFiles:
    returns: Path
    stages: Path
    actions: Path
    problems: Path


def data_files(out_dir: Path) -> DataFiles:
    return DataFiles(
        returns=out_dir / "returns.csv",
        stages=out_dir / "stages.csv",
        actions=out_dir / "actions.csv",
        problems=out_dir / "problems.csv",
    )


#: Each CSV's header, by file name: how a later run knows a CSV is its own to replace.
DATA_HEADERS = {
    "returns.csv": RETURNS_COLUMNS,
    "stages.csv": STAGES_COLUMNS,
    "actions.csv": ACTIONS_COLUMNS,
    "problems.csv": PROBLEMS_COLUMNS,
    "progress.csv": PROGRESS_COLUMNS,  # in a campaign (xlsxkit.app.campaign_import)
}


def write_data(summary: Summary, out_dir: Path, *, files: DataFiles | None = None) -> DataFiles:
    """Write the CSVs into OUT_DIR (or to the paths FILES gives)."""
    if files is None:
        out_dir.mkdir(parents=True, exist_ok=True)
        files = data_files(out_dir)
    returns = [
        (r.source, r.org_id, r.org_name, r.status, r.reason, r.saved_at, r.sha256)
        + (tuple(r.provenance.as_dict().values()) if r.provenance else _NO_EMAIL)
        for r in summary.returns
    ] + [
        ("", m.org_id, m.org_name, ReturnStatus.MISSING, m.reason, "", "", *_NO_EMAIL)
        for m in chase_list(summary) or ()
    ]
    write_csv(files.returns, RETURNS_COLUMNS, returns)
    write_csv(
        files.stages,
        STAGES_COLUMNS,
        (
            (
                s.org_id,
                s.org_name,
                s.dimension_id,
                s.criterion_id,
                s.stage_id,
                s.stage_label,
                s.stage_index if s.stage_index is not None else "",
                s.comment,
                s.round,
                s.target_stage_id,
            )
            for s in summary.stage_rows()
        ),
    )
    write_csv(
        files.actions,
        ACTIONS_COLUMNS,
        (
            (
                a.org_id,
                a.org_name,
                a.dimension_id,
                a.criterion_id,
                a.stage_id,
                a.action_id,
                "true" if a.done else "false",
                a.notes,
                a.lead,
                a.target_date,
                a.round,
            )
            for a in summary.action_rows()
        ),
    )
    write_csv(
        files.problems,
        PROBLEMS_COLUMNS,
        (
            (
                r.source,
                r.org_id,
                p.severity,
                p.code,
                p.location.sheet or "",
                p.location.cell or "",
                p.message,
            )
            for r, p in summary.problems
        ),
    )
    return files
