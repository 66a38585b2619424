"""Every kind of file xlsxkit writes, built once per test session for the file checks.

A kind is one line in :data:`KINDS`: a name, how to build it, and the checks it is known to
fail (each with the reason, as a strict xfail, so the mark must come off when the fix lands).
Workbook kinds also say which framework they were built from, so a test can fill one in
and assert every answer after an app has converted it.
"""

from __future__ import annotations

import atexit
import dataclasses
import datetime as dt
import shutil
import tempfile
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

from tests.filling import random_answers
from tests.fwtools import big_framework, write
from tests.helpers import generate_batch, import_paths, orgs, write_filled
from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Framework
from xlsxkit.render.xlsx import write_summary
from xlsxkit.results.consolidate import consolidate

ROOT = Path(__file__).resolve().parent.parent.parent


class Role(StrEnum):
    WORKBOOK = "workbook"  # sent to a partner, filled in and returned
    REPORT = "report"  # read by the coordinator (summary) or a partner (feedback), never filled


@dataclass(frozen=True, kw_only=True)
class Built:
    path: Path
    framework: Framework
    #: Warnings raised while writing: XlsxWriter warns, and leaves the feature out, when a
    #: value is over one of Excel's limits.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class FileKind:
    name: str
    role: Role
    build: Callable[[Path], Built]
    #: check family ("schema", "limits:<check>", "gnumeric", "google") -> why it fails today.
    known: Mapping[str, str] = field(default_factory=dict)

    def param(self, family: str, *extra: object) -> Any:
        """A pytest param (this kind, then EXTRA), strictly xfailed where FAMILY is known to
        fail: a check's own family ("limits:dv-error") or its whole family ("limits")."""
        reason = self.known.get(family) or self.known.get(family.split(":")[0])
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        ident = "-".join([self.name, *map(str, extra)])
        return pytest.param(self, *extra, id=ident, marks=marks)


# -- frameworks ----------------------------------------------------------------------------


def bundled() -> Framework:
    return require_framework(ROOT / "framework.yaml")


def _framework_from(doc: dict[str, Any], tmp: Path) -> Framework:
    return require_framework(write(tmp, doc))


def unicode_7x12(tmp: Path) -> Framework:
    """7 stages with long labels × 12 dimensions with unicode names (tests/fwtools.py)."""
    return _framework_from(big_framework(stages=7, dimensions=12, criteria=2, actions=2), tmp)


EMOJI_LABELS = [
    "🌱🌱🌱 Seedling: first steps taken 🌱🌱🌱",
    "🌿🌿🌿 Growing: some work done 🌿🌿🌿",
    "🌳🌳🌳 Mature: well developed 🌳🌳🌳",
    "🏆🏆🏆 Leading: others learn from us 🏆🏆🏆",
    "🚀🚀🚀 Transforming the whole sector 🚀🚀🚀",
]


def emoji_stages(tmp: Path) -> Framework:
    """Stage labels with emoji, each counting 2 UTF-16 units in Excel's limits: the stage
    list in the validation messages is within 255 characters by Python's count and over
    it by Excel's."""
    doc = big_framework(stages=len(EMOJI_LABELS), dimensions=3, criteria=2, actions=1)
    for stage, label in zip(doc["stages"], EMOJI_LABELS, strict=True):
        stage["label"] = label
    doc["dimensions"][0]["name"] = "People 👥 and partners"
    return _framework_from(doc, tmp)


# -- builders ------------------------------------------------------------------------------


def _generated(tmp: Path, framework: Framework, names: tuple[str, ...], **kw: Any) -> Built:
    result = generate_batch(
        framework,
        tmp / "out",
        orgs(*names),
        generated_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        **kw,
    )
    [row] = result.rows[:1]
    return Built(path=result.out_dir / row.file, framework=framework)


def bundled_workbook(tmp: Path) -> Built:
    return _generated(tmp, bundled(), ("North Trust",))


def generic_workbook(tmp: Path) -> Built:
    return _generated(tmp, bundled(), ())


def password_workbook(tmp: Path) -> Built:
    return _generated(tmp, bundled(), ("North Trust",), password="s3cret-Pass")


def unicode_workbook(tmp: Path) -> Built:
    return _generated(tmp, unicode_7x12(tmp), ("Équipe Nord – 東京",))


def emoji_workbook(tmp: Path) -> Built:
    return _generated(tmp, emoji_stages(tmp), ("Emoji 🌍 Partners",))


def templated_workbook(tmp: Path) -> Built:
    """A workbook of a batch big enough to be written from the batch template (see
    xlsxkit/workbook/write/template.py), for an organisation whose name needs escaping."""
    from xlsxkit.outbound.generate import TEMPLATE_THRESHOLD

    names = ('Nord & <Süd> "Partners" 🌍', *(f"Partner {i}" for i in range(TEMPLATE_THRESHOLD)))
    return _generated(tmp, bundled(), names)


def round2_workbook(tmp: Path) -> Built:
    """A round-2 workbook pre-filled from a read round-1 return, with targets and the
    locked "Last round" cells."""
    from xlsxkit.workbook.instructions import load_template
    from xlsxkit.workbook.read import read_return
    from xlsxkit.workbook.write import WorkbookSpec, write_workbook

    framework = bundled()
    [org] = orgs("North Trust")
    # Round 1's answers are those tests/test_gnumeric.py fills in (its seed is the kind's
    # name length): a partner who confirms every answer, so that check still knows each
    # cell's value after the prefill.
    answers = random_answers(framework, seed=len("round2-prefilled"), blank_share=0.1)
    first = write_filled(framework, tmp / "round1.xlsx", org, answers)
    top = framework.stages[-1].id
    prefill = [
        dataclasses.replace(a, target_stage_id=top) if framework.has_criterion(a.item_id) else a
        for a in read_return(first, framework).answers
    ]
    out = tmp / "north-trust-round2.xlsx"
    spec = WorkbookSpec(
        framework=framework,
        organisation=org,
        instructions=load_template(),
        token="round2-token",
        round="2027 spring",
        prefill=prefill,
        previous_round="2026 autumn",
        generated_at=dt.datetime(2027, 3, 1, tzinfo=dt.UTC),
    )
    write_workbook(spec, out)
    return Built(path=out, framework=framework)


def summary_workbook(tmp: Path) -> Built:
    """The summary of an import of three filled returns and one sent back blank."""
    framework = bundled()
    inbox = tmp / "in"
    inbox.mkdir()
    for seed, org in enumerate(orgs("North Trust", "South Council", "East Ünïon"), start=1):
        write_filled(framework, inbox / f"{org.id}.xlsx", org, random_answers(framework, seed))
    [blank] = orgs("West Blank & Co")
    write_filled(framework, inbox / f"{blank.id}.xlsx", blank, {})
    out = tmp / "summary.xlsx"
    write_summary(
        consolidate(framework, import_paths(framework, inbox)),
        out,
        generated_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )
    return Built(path=out, framework=framework)


def summary_two_rounds(tmp: Path) -> Built:
    """The summary of a campaign's second round: its Dashboard compares then and now, and
    it has the Trend and Progress sheets (tests/summaries.py builds the two rounds)."""
    from tests.summaries import build

    framework = unicode_7x12(tmp)
    out = tmp / "summary-round-2.xlsx"
    write_summary(
        build(framework, orgs=8, missing=2, history=True),
        out,
        generated_at=dt.datetime(2027, 5, 1, tzinfo=dt.UTC),
    )
    return Built(path=out, framework=framework)


def feedback_workbook(tmp: Path) -> Built:
    """A partner's feedback workbook, from an import of six filled returns (enough for the
    partnership's distributions to be shown) and one with an unreadable date."""
    from xlsxkit.render.xlsx.feedback import write_feedback
    from xlsxkit.results.feedback import feedback_view

    framework = bundled()
    inbox = tmp / "in"
    inbox.mkdir()
    names = ("North Trust", "South Council", "East Ünïon", "West & Co", "Upper Vale", "Lowe")
    found = orgs(*names)
    for seed, org in enumerate(found, start=1):
        answers = random_answers(framework, seed)
        if seed == 1:
            action = framework.actions[0].id
            answers[(action, "target_date")] = "3/4/2027 or so"
        write_filled(framework, inbox / f"{org.id}.xlsx", org, answers)
    summary = consolidate(framework, import_paths(framework, inbox))
    out = tmp / "north-trust-feedback.xlsx"
    view = feedback_view(summary, found[0].id, round_name="2026 autumn")
    write_feedback(view, framework, out, generated_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    return Built(path=out, framework=framework)


KINDS: tuple[FileKind, ...] = (
    FileKind(name="bundled", role=Role.WORKBOOK, build=bundled_workbook),
    FileKind(name="generic", role=Role.WORKBOOK, build=generic_workbook),
    FileKind(name="password", role=Role.WORKBOOK, build=password_workbook),
    FileKind(name="unicode-7x12", role=Role.WORKBOOK, build=unicode_workbook),
    FileKind(name="emoji-stages", role=Role.WORKBOOK, build=emoji_workbook),
    FileKind(name="round2-prefilled", role=Role.WORKBOOK, build=round2_workbook),
    FileKind(name="templated", role=Role.WORKBOOK, build=templated_workbook),
    FileKind(
        name="summary",
        role=Role.REPORT,
        build=summary_workbook,
    ),
    FileKind(name="summary-two-rounds", role=Role.REPORT, build=summary_two_rounds),
    FileKind(name="feedback", role=Role.REPORT, build=feedback_workbook),
)


def params(family: str, role: Role | None = None) -> list[Any]:
    return [k.param(family) for k in KINDS if role is None or k.role == role]


_ROOT: Path | None = None
_BUILT: dict[str, Built] = {}


def built(kind: FileKind) -> Built:
    """KIND built at most once per test session, in its own folder (removed at exit).

    The file is shared by every check: a test that changes it must work on a copy.
    """
    global _ROOT
    if kind.name not in _BUILT:
        if _ROOT is None:
            _ROOT = Path(tempfile.mkdtemp(prefix="xlsxkit-kinds-"))
            atexit.register(shutil.rmtree, _ROOT, ignore_errors=True)
        folder = _ROOT / kind.name
        folder.mkdir(parents=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            made = kind.build(folder)
        _BUILT[kind.name] = dataclasses.replace(
            made, warnings=tuple(f"{w.filename}:{w.lineno}: {w.message}" for w in caught)
        )
    return _BUILT[kind.name]
