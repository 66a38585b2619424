"""Problems placed at a path of the framework document, with the line and column YAML gave it.

Both the schema pass and the rules report against the same parsed document, so the
placement lives here once: a message found at ``("dimensions", 2, "name")`` points the
coordinator at the line they must edit, whichever check found it.
"""

from __future__ import annotations

from xlsxkit.codes import Code
from xlsxkit.framework.yamldoc import PathKey, YamlDocument, format_path
from xlsxkit.problems import Problem, error, warning


def error_at(
    doc: YamlDocument, file: str, code: Code, message: str, path: PathKey, *, key: bool = False
) -> Problem:
    """An error at PATH (at its key rather than its value when KEY)."""
    pos = doc.position(path, key=key)
    return error(
        code,
        message,
        file=file,
        line=pos.line if pos else None,
        column=pos.column if pos else None,
        path=format_path(path),
    )


def warning_at(doc: YamlDocument, file: str, code: Code, message: str, path: PathKey) -> Problem:
    """A warning at PATH's value."""
    pos = doc.position(path)
    return warning(
        code,
        message,
        file=file,
        line=pos.line if pos else None,
        column=pos.column if pos else None,
        path=format_path(path),
    )


def closest(word: str, choices: list[str]) -> str:
    """A "did you mean" hint for a mistyped WORD, or nothing when no choice is close."""
    import difflib  # only when there is a problem: a valid framework's start-up skips it

    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""
