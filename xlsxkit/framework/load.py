"""Load and validate a framework file, and build the model from it.

Validation never raises: :func:`load_framework` returns a :class:`LoadResult` with a
:class:`~xlsxkit.problems.Report` that lists every problem with its line and column. The
model is built only when there are no errors.

The checks themselves live beside this module, in the order they run: the JSON Schema pass
(:mod:`xlsxkit.framework.schema_pass`), then the whole-document rules
(:mod:`xlsxkit.framework.rules`). This module reads, parses, runs them and builds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from xlsxkit.codes import Code
from xlsxkit.errors import FrameworkError
from xlsxkit.framework.model import Action, Criterion, Dimension, Framework, Stage
from xlsxkit.framework.rules import RULES
from xlsxkit.framework.schema_pass import schema_problems
from xlsxkit.framework.yamldoc import load_yaml
from xlsxkit.inputs import MAX_FRAMEWORK_BYTES, InputFileError, InputProblem, read_bounded
from xlsxkit.problems import Report, error


@dataclass(frozen=True, kw_only=True)
class LoadResult:
    """The report on a framework file, and the framework when it has no error."""

    file: str
    report: Report
    framework: Framework | None

    @property
    def ok(self) -> bool:
        return self.framework is not None and self.report.ok


def _not_valid(result: LoadResult) -> str:
    n = len(result.report.errors)
    return (
        f"{result.file}: the framework is not valid ({n} problem{'s' * (n != 1)}); "
        f"run 'xlsxkit validate {result.file}' to see them\n" + result.report.render_text()
    )


def load_framework(path: str | Path, *, display: str | None = None) -> LoadResult:
    """Read, validate and build the framework at PATH. Never raises for bad input."""
    name = display if display is not None else str(path)
    report = Report()
    try:
        raw = read_bounded(Path(path), MAX_FRAMEWORK_BYTES, "framework")
    except InputFileError as exc:
        code = {
            InputProblem.NOT_FOUND: Code.FILE_NOT_FOUND,
            InputProblem.NOT_A_FILE: Code.FILE_NOT_FOUND,
            InputProblem.TOO_LARGE: Code.FILE_TOO_LARGE,
            InputProblem.UNREADABLE: Code.FILE_UNREADABLE,
        }[exc.problem]
        report.add(error(code, exc.reason, file=name))
        return LoadResult(file=name, report=report, framework=None)
    return parse_framework(raw, file=name)


def parse_framework(raw: bytes | str, *, file: str = "<framework>") -> LoadResult:
    report = Report()
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            report.add(
                error(
                    Code.NOT_UTF8,
                    "the file is not UTF-8 text: save it as UTF-8 in your editor",
                    file=file,
                    line=line,
                    column=col,
                )
            )
            return LoadResult(file=file, report=report, framework=None)
    else:
        text = raw
    doc, problems = load_yaml(text, file)
    report.extend(problems)
    if doc is None:
        return LoadResult(file=file, report=report, framework=None)
    if not isinstance(doc.data, dict):
        report.add(
            error(
                Code.NOT_A_FRAMEWORK,
                "the file is empty or is not a framework: it must start with "
                "'framework:', 'stages:' and 'dimensions:' sections",
                file=file,
                line=1,
                column=1,
                path="(top level)",
            )
        )
        return LoadResult(file=file, report=report, framework=None)
    report.extend(schema_problems(doc, file))
    for rule in RULES:
        report.extend(rule(doc, file))
    framework = build_framework(doc.data) if report.ok else None
    return LoadResult(file=file, report=report, framework=framework)


def require_framework(path: str | Path) -> Framework:
    """Load PATH or raise :class:`FrameworkError` with the report."""
    result = load_framework(path)
    if result.framework is None or not result.report.ok:
        raise FrameworkError(_not_valid(result))
    return result.framework


# --------------------------------------------------------------------------------------
# model building


def _sha256() -> Callable[[bytes], Any]:
    """CPython's built-in SHA-256 (module ``_sha256``, ``_sha2`` from 3.12): the digest is
    hashlib's, without loading OpenSSL's libcrypto, which costs ``xlsxkit validate`` about
    5 ms of start-up. hashlib when neither is there."""
    for name in ("_sha256", "_sha2"):
        try:
            sha256: Callable[[bytes], Any] = import_module(name).sha256
        except (ImportError, AttributeError):
            continue
        return sha256
    import hashlib

    return hashlib.sha256


_SHA256 = _sha256()


def content_hash(data: dict[str, Any]) -> str:
    """A hash of the framework's content, independent of YAML formatting and comments."""
    body = {k: v for k, v in data.items() if k != "$schema"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest: str = _SHA256(canonical.encode("utf-8")).hexdigest()
    return "sha256:" + digest


def build_framework(data: dict[str, Any]) -> Framework:
    """Build the model from a document that has passed validation."""
    meta = data["framework"]
    stages = tuple(
        Stage(
            id=s["id"],
            label=s["label"],
            index=i,
            description=s.get("description"),
            colour=s.get("colour"),
        )
        for i, s in enumerate(data["stages"], start=1)
    )
    order = {s.id: s.index for s in stages}
    dimensions = []
    for d in data["dimensions"]:
        criteria = []
        for c in d["criteria"]:
            actions = []
            # Actions are shown and stored in stage order, whatever order the keys had.
            for stage_id in sorted(c.get("actions") or {}, key=lambda k: order[k]):
                for a in c["actions"][stage_id] or []:
                    actions.append(
                        Action(
                            id=a["id"],
                            text=a["text"],
                            stage_id=stage_id,
                            criterion_id=c["id"],
                            dimension_id=d["id"],
                            details=tuple(a.get("details") or ()),
                            same_as=a.get("same_as"),
                            see_also=tuple(a.get("see_also") or ()),
                            guidance=a.get("guidance"),
                        )
                    )
            criteria.append(
                Criterion(
                    id=c["id"],
                    text=c["text"],
                    dimension_id=d["id"],
                    actions=tuple(actions),
                    guidance=c.get("guidance"),
                )
            )
        dimensions.append(
            Dimension(
                id=d["id"],
                name=d["name"],
                criteria=tuple(criteria),
                description=d.get("description"),
            )
        )
    return Framework(
        id=meta["id"],
        title=meta["title"],
        version=meta["version"],
        source=meta.get("source"),
        description=meta.get("description"),
        stages=stages,
        dimensions=tuple(dimensions),
        content_hash=content_hash(data),
    )
