"""The how-to text on the start sheet, from a template a coordinator can edit."""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlsxkit import resources
from xlsxkit.errors import TemplateError
from xlsxkit.inputs import MAX_TEMPLATE_BYTES, InputFileError, read_bounded

TEMPLATE_NAME = "instructions.txt"

PLACEHOLDERS = (
    "organisation",
    "framework_title",
    "framework_version",
    "round",
    "deadline",
    "return_to",
    "stages",
    "dimensions",
    "dimension_count",
    "criteria_count",
    "action_count",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Paragraph:
    text: str
    bullet: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class InstructionsTemplate:
    source: str  # where it came from, for messages
    lines: tuple[tuple[int, str], ...]  # (line number, text) without comments

    def render(self, values: Mapping[str, str]) -> list[Paragraph]:
        """Fill the placeholders and split into paragraphs and bullets."""
        paragraphs: list[Paragraph] = []
        current: list[str] = []

        def flush() -> None:
            if current:
                paragraphs.append(Paragraph(text=" ".join(current)))
                current.clear()

        for _, line in self.lines:
            text = string.Template(line).substitute(values).strip()
            if not text:
                flush()
            elif text.startswith("- "):
                flush()
                paragraphs.append(Paragraph(text=text[2:].strip(), bullet=True))
            else:
                current.append(text)
        flush()
        return paragraphs


def load_template(path: Path | None = None) -> InstructionsTemplate:
    """Read and check a template. Raises :class:`TemplateError` naming file and line."""
    path = path or resources.default_template(TEMPLATE_NAME)
    lines = read_template_lines(path, placeholders=PLACEHOLDERS, what="instructions template")
    return InstructionsTemplate(source=str(path), lines=lines)


def read_template_lines(
    path: Path, *, placeholders: Sequence[str], what: str
) -> tuple[tuple[int, str], ...]:
    """The (line number, text) of a ``string.Template`` file, comments (``#``) dropped.

    Every template a coordinator edits is checked here, the same way (the instructions, and
    the email templates): bounded, UTF-8, and every ``$`` a known placeholder or ``$$``.
    Raises :class:`TemplateError` naming file and line; WHAT names the template."""
    try:
        raw = read_bounded(path, MAX_TEMPLATE_BYTES, what)
    except InputFileError as exc:
        raise TemplateError(str(exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateError(f"{path}: the {what} is not UTF-8 text") from None
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        tmpl = string.Template(line)
        if not tmpl.is_valid():
            raise TemplateError(
                f"{path}:{number}: a '$' that is not a placeholder; write $$ for a dollar sign"
            )
        unknown = [i for i in tmpl.get_identifiers() if i not in placeholders]
        if unknown:
            raise TemplateError(
                f"{path}:{number}: unknown placeholder ${unknown[0]}; the placeholders are "
                + ", ".join(f"${p}" for p in placeholders)
            )
        lines.append((number, line))
    return tuple(lines)
