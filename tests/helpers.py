"""Shared helpers: generate workbooks and import them through the library."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tests.filling import Answers
from xlsxkit.framework.model import Answer, Framework, Organisation, Return, ReturnStatus
from xlsxkit.inbound.batch import ImportRequest, ImportResult, run_import
from xlsxkit.outbound.generate import GenerateRequest, GenerateResult, generate
from xlsxkit.workbook.instructions import load_template
from xlsxkit.workbook.manifest import read_manifest
from xlsxkit.workbook.write import WorkbookSpec, write_workbook


def item_ids(framework: Framework) -> list[str]:
    """Every criterion id followed by its actions' ids, in framework order (sheet order)."""
    return [x.id for c in framework.criteria for x in (c, *c.actions)]


def orgs(*names: str) -> list[Organisation]:
    from xlsxkit.inbound.orgs import org_id_for

    return [
        Organisation(id=org_id_for(n), name=n, contact=f"Contact {i}", email=f"c{i}@example.org")
        for i, n in enumerate(names, start=1)
    ]


def generate_batch(
    framework: Framework, out: Path, organisations: list[Organisation], **kw: Any
) -> GenerateResult:
    return generate(
        GenerateRequest(
            framework=framework,
            organisations=organisations,
            out_dir=out,
            instructions=load_template(),
            round=kw.pop("round", "2026 Q4"),
            deadline=kw.pop("deadline", dt.date(2027, 1, 15)),
            return_to=kw.pop("return_to", "coordinator@example.org"),
            jobs=kw.pop("jobs", 1),
            **kw,
        )
    )


def write_filled(
    framework: Framework,
    path: Path,
    org: Organisation | None,
    answers: Answers,
    *,
    token: str = "test-token",
    saved: dt.datetime | None = None,
) -> Path:
    """A return written by the writer with ANSWERS prefilled (native checkboxes kept)."""
    write_workbook(
        WorkbookSpec(
            framework=framework,
            organisation=org,
            instructions=load_template(),
            token=token,
            round="2026 Q4",
            typed=answers,
            generated_at=saved or dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC),
        ),
        path,
    )
    return path


def import_paths(
    framework: Framework, *sources: Path, manifest: Path | None = None, jobs: int = 1
) -> ImportResult:
    return run_import(
        ImportRequest(
            sources=list(sources),
            framework=framework,
            manifest=read_manifest(manifest) if manifest else None,
            jobs=jobs,
        )
    )


def only(result: ImportResult, status: str = ReturnStatus.ACCEPTED) -> Return:
    [r] = [r for r in result.returns if r.status == status]
    return r


def by_id(r: Return) -> dict[str, Answer]:
    return {a.item_id: a for a in r.answers}


def assert_answers_match(framework: Framework, r: Return, answers: Answers) -> None:
    """Every stage, tick and text of R equals what was filled, by id."""
    got = by_id(r)
    assert set(got) == {c.id for c in framework.criteria} | {a.id for a in framework.actions}
    labels = {s.label: s.id for s in framework.stages}
    for c in framework.criteria:
        expected = answers.get((c.id, "stage"))
        assert got[c.id].stage_id == (labels[expected] if expected else None), c.id
        assert got[c.id].comment == str(answers.get((c.id, "comment"), "")), c.id
    for a in framework.actions:
        assert got[a.id].done is bool(answers.get((a.id, "done"), False)), a.id
        assert got[a.id].notes == str(answers.get((a.id, "notes"), "")), a.id
        assert got[a.id].lead == str(answers.get((a.id, "lead"), "")), a.id
        date = answers.get((a.id, "target_date"))
        assert got[a.id].target_date == (date.isoformat() if date else ""), a.id


def one_answer(framework: Framework) -> Answers:
    """The smallest filled-in return: one stage chosen (an untouched workbook is blank)."""
    return {(framework.criteria[0].id, "stage"): framework.stages[0].label}
