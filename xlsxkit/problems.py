"""Problems and reports: validation returns a report instead of raising.

Every problem has a stable code, a severity, a location and a message that says what is
wrong and what to do. The CLI renders a report as text or JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


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
    code: str
    severity: Severity
    message: str
    location: Location = field(default_factory=Location)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def render(self) -> str:
        where = self.location.render()
        what = self.message if self.is_error else f"warning: {self.message}"
        return f"{where}: {what}" if where else what

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
        }
        out.update({k: v for k, v in asdict(self.location).items() if v is not None})
        return out


def error(code: str, message: str, **where: Any) -> Problem:
    return Problem(code=code, severity=Severity.ERROR, message=message, location=Location(**where))


def warning(code: str, message: str, **where: Any) -> Problem:
    return Problem(
        code=code, severity=Severity.WARNING, message=message, location=Location(**where)
    )


@dataclass(kw_only=True)
class Report:
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
        return [p for p in self.problems if not p.is_error]

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
