"""Problems and reports: one shape for everything xlsxkit reports about its input.

A framework validation problem, an organisation-list problem, a warning about a returned
file and the verdict on a returned file (why it was rejected, superseded, ...) are all a
:class:`Problem`: a stable code from the catalogue (:mod:`xlsxkit.codes`), a severity, a
message that says what is wrong and what to do, and a location. Validation returns a
:class:`Report` instead of raising; the CLI renders it as text or JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from xlsxkit.codes import Code, Severity

__all__ = ["Code", "Location", "Problem", "Report", "Severity", "error", "info", "warning"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Location:
    """Where a problem is. Fill what applies: a text file has line/column/path, a workbook
    has sheet/cell."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None
    sheet: str | None = None
    cell: str | None = None

    def render(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            head = self.file
            if self.line is not None:
                head += f":{self.line}"
                if self.column is not None:
                    head += f":{self.column}"
            parts.append(head)
        if self.path is not None:
            parts.append(self.path)
        if self.sheet is not None and self.cell is not None:
            parts.append(f"sheet '{self.sheet}' cell {self.cell}")
        elif self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'")
        elif self.cell is not None:
            parts.append(f"cell {self.cell}")
        return ": ".join(parts)


@dataclass(frozen=True, kw_only=True, slots=True)
class Problem:
    """One thing reported: its code and severity, a message that says what to do, and where."""

    code: Code
    severity: Severity
    message: str
    location: Location = field(default_factory=Location)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def render(self, *, label_errors: bool = False) -> str:
        """``WHERE: MESSAGE``; a warning (or info) says so before the message, an error
        only when LABEL_ERRORS (where errors and warnings are listed together)."""
        where = self.location.render()
        what = (
            self.message
            if self.is_error and not label_errors
            else f"{self.severity}: {self.message}"
        )
        return f"{where}: {what}" if where else what

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": str(self.code),
            "severity": str(self.severity),
            "message": self.message,
        }
        out.update({k: v for k, v in asdict(self.location).items() if v is not None})
        return out


def _make(
    severity: Severity,
    code: Code,
    message: str,
    location: Location | None,
    where: Location,
) -> Problem:
    if location is not None and where != Location():
        raise TypeError("give either location= or the location fields, not both")
    return Problem(code=code, severity=severity, message=message, location=location or where)


def error(
    code: Code,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    column: int | None = None,
    path: str | None = None,
    sheet: str | None = None,
    cell: str | None = None,
    location: Location | None = None,
) -> Problem:
    """An error at the location given field by field, or as a whole by LOCATION."""
    where = Location(file=file, line=line, column=column, path=path, sheet=sheet, cell=cell)
    return _make(Severity.ERROR, code, message, location, where)


def warning(
    code: Code,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    column: int | None = None,
    path: str | None = None,
    sheet: str | None = None,
    cell: str | None = None,
    location: Location | None = None,
) -> Problem:
    """A warning; the location as for :func:`error`."""
    where = Location(file=file, line=line, column=column, path=path, sheet=sheet, cell=cell)
    return _make(Severity.WARNING, code, message, location, where)


def info(code: Code, message: str, *, file: str | None = None) -> Problem:
    """The reason for a returned file's status when it is not a problem (superseded, ...)."""
    return _make(Severity.INFO, code, message, None, Location(file=file))


@dataclass(kw_only=True)
class Report:
    """The problems found by one check of one input, in the order they were found."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def sorted(self) -> list[Problem]:
        """Problems in file order: by line, then column; unlocated ones first."""

        def key(p: Problem) -> tuple[int, int, int]:
            return (p.location.line or 0, p.location.column or 0, 0 if p.is_error else 1)

        return sorted(self.problems, key=key)

    def render_text(self) -> str:
        return "\n".join(p.render() for p in self.sorted())

    def to_json(self, **extra: Any) -> str:
        payload = dict(extra)
        payload["problems"] = [p.to_dict() for p in self.sorted()]
        return json.dumps(payload, indent=2, ensure_ascii=False)
