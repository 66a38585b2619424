"""The email templates a coordinator edits: ``templates/email.txt``, ``reminder.txt`` and
``feedback.txt``.

A template is written like the email it makes: a header block, a blank line, the body. The
header block holds one line, ``Subject: ...`` (so the subject is edited where it is seen,
in the same file as the body, and a template without one is an error at its first line,
not a message sent without a subject). Everything else follows the instructions template
(:func:`xlsxkit.workbook.instructions.read_template_lines` checks both, so the two never
drift): lines starting with ``#`` are comments, ``$name`` is a placeholder, ``$$`` a dollar
sign, and an unknown or misspelt placeholder is an error naming the file and line.

The body is kept line for line as written (an email is not reflowed like the Start sheet's
paragraphs), with the comment lines dropped.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from xlsxkit import resources
from xlsxkit.errors import TemplateError
from xlsxkit.workbook.instructions import read_template_lines


class MailKind(StrEnum):
    """What a message is for; the same values as the store's message kinds."""

    SEND = "send"  # the workbook, first time
    REMIND = "remind"  # the workbook again, to a partner with no accepted return
    FEEDBACK = "feedback"  # the partner's feedback workbook


TEMPLATE_NAMES: dict[MailKind, str] = {
    MailKind.SEND: "email.txt",
    MailKind.REMIND: "reminder.txt",
    MailKind.FEEDBACK: "feedback.txt",
}

#: The placeholders every email template may use.
COMMON_PLACEHOLDERS = ("org_name", "contact", "deadline", "round", "return_to", "title", "file")
PLACEHOLDERS: dict[MailKind, tuple[str, ...]] = {
    MailKind.SEND: COMMON_PLACEHOLDERS,
    # why the partner is reminded: "the workbook you sent on 3 December 2026 was blank"
    MailKind.REMIND: (*COMMON_PLACEHOLDERS, "reason"),
    MailKind.FEEDBACK: COMMON_PLACEHOLDERS,
}

#: A subject longer than this is refused: mail programs cut it, and it is probably a body
#: line written in the header block by mistake.
MAX_SUBJECT = 250

_HEADER = re.compile(r"([A-Za-z][A-Za-z0-9-]*)\s*:(.*)")


@dataclass(frozen=True, kw_only=True, slots=True)
class Rendered:
    subject: str
    body: str


@dataclass(frozen=True, kw_only=True, slots=True)
class MailTemplate:
    source: str  # the file, for messages
    kind: MailKind
    subject: tuple[int, str]  # (line number, template text)
    body: tuple[tuple[int, str], ...]

    def uses(self, name: str) -> int | None:
        """The first line that uses placeholder NAME, or None."""
        for number, text in (self.subject, *self.body):
            if name in string.Template(text).get_identifiers():
                return number
        return None

    def render(self, values: Mapping[str, str]) -> Rendered:
        """Fill the placeholders. VALUES must give every placeholder of the kind."""
        # A value never brings a line break into the subject (a header): an organisation
        # name is one line, but this is where it would matter.
        subject = " ".join(string.Template(self.subject[1]).substitute(values).split())
        lines = [string.Template(text).substitute(values).rstrip() for _, text in self.body]
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        return Rendered(subject=subject, body="\n".join(lines) + "\n")


def default_template_path(kind: MailKind, templates: Path | None = None) -> Path:
    """TEMPLATES/NAME (a campaign's folder) when it exists, else ./templates/NAME, else the
    bundled one."""
    name = TEMPLATE_NAMES[kind]
    if templates is not None and (templates / name).is_file():
        return templates / name
    return resources.default_template(name)


def load_mail_template(kind: MailKind, path: Path | None = None) -> MailTemplate:
    """Read and check the template of KIND (default: :func:`default_template_path`).
    Raises :class:`TemplateError` naming the file and line."""
    path = path or default_template_path(kind)
    what = f"email template ({TEMPLATE_NAMES[kind]})"
    lines = read_template_lines(path, placeholders=PLACEHOLDERS[kind], what=what)
    if not any(text.strip() for _, text in lines):
        raise TemplateError(
            f"{path}: the {what} is empty; it must start with a line 'Subject: ...', then a "
            "blank line and the body"
        )
    subject: tuple[int, str] | None = None
    rest = list(lines)
    while rest and not rest[0][1].strip():  # blank lines above the subject
        rest.pop(0)
    while rest and rest[0][1].strip():
        number, text = rest.pop(0)
        match = _HEADER.fullmatch(text.strip())
        if match is None:
            if subject is None:
                raise TemplateError(
                    f"{path}:{number}: the template must start with a line 'Subject: ...' "
                    "(the subject of the email), then a blank line and the body"
                )
            raise TemplateError(
                f"{path}:{number}: after the 'Subject:' line comes a blank line, then the "
                "body; add the blank line"
            )
        name, value = match.group(1), match.group(2).strip()
        if name.casefold() != "subject":
            raise TemplateError(
                f"{path}:{number}: '{name}:' is not a header a template may set; only "
                "'Subject:' goes before the blank line (From and Reply-To come from "
                "xlsxkit.yaml)"
            )
        if subject is not None:
            raise TemplateError(f"{path}:{number}: a second 'Subject:' line; keep one")
        if not value:
            raise TemplateError(f"{path}:{number}: the subject is empty; write one")
        if len(value) > MAX_SUBJECT:
            raise TemplateError(
                f"{path}:{number}: the subject is longer than {MAX_SUBJECT} characters; "
                "did you forget the blank line after it?"
            )
        subject = (number, value)
    assert subject is not None  # the first non-blank line was the subject or raised
    if not any(text.strip() for _, text in rest):
        raise TemplateError(f"{path}: the template has a subject but no body; write one")
    return MailTemplate(source=str(path), kind=kind, subject=subject, body=tuple(rest))


__all__ = [
    "PLACEHOLDERS",
    "TEMPLATE_NAMES",
    "MailKind",
    "MailTemplate",
    "Rendered",
    "default_template_path",
    "load_mail_template",
]
