"""The problem-code catalogue is complete, truthful and the README shows it.

Every code xlsxkit emits is a member of :class:`xlsxkit.codes.Code` (``Problem.code`` is
typed so, and mypy checks the call sites); these tests also read the source, so that a code
passed as a bare string, a catalogue entry nothing emits, a severity the catalogue does not
list, or a README table that drifted from the catalogue all fail.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from xlsxkit.codes import Code, Scope, Severity, markdown, readme_section, with_readme_section
from xlsxkit.problems import Location, Problem, error, info, warning

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "xlsxkit"
README = ROOT / "README.md"

#: Functions whose first argument is a problem code, and the severity they emit it with.
EMITTERS: dict[str, Severity] = {
    "error": Severity.ERROR,
    "Rejection": Severity.ERROR,
    "_at": Severity.ERROR,
    "warning": Severity.WARNING,
    "_warn": Severity.WARNING,
    "warn": Severity.WARNING,
    "info": Severity.INFO,
}


def modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name != "codes.py":
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"


#: Modules whose functions share an emitter's name (``warnings.warn``, ``logging.error``).
NOT_EMITTERS = frozenset({"warnings", "logging", "click"})


def called_name(call: ast.Call) -> str | None:
    """The emitter a call is to: ``error(...)``, ``self._at(...)``; None for other calls."""
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        owner = f.value.id if isinstance(f.value, ast.Name) else None
        return None if owner in NOT_EMITTERS else f.attr
    return None


def code_member(node: ast.AST) -> str | None:
    """NAME for an expression ``Code.NAME``."""
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Code"
    ):
        return node.attr
    return None


def string_enum_values(tree: ast.Module) -> set[int]:
    """ids of the constants that are member values of a StrEnum class (e.g. ReturnStatus)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            isinstance(b, ast.Name) and b.id == "StrEnum" for b in node.bases
        ):
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant):
                    out.add(id(stmt.value))
    return out


# the catalogue ------------------------------------------------------------------------


def test_every_code_is_kebab_case_and_fully_described() -> None:
    assert len(Code) >= 70
    for code in Code:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code), code
        assert code.name == code.value.upper().replace("-", "_"), code
        assert code.meaning.strip() and code.todo.strip(), code
        assert code.severities and len(set(code.severities)) == len(code.severities), code
        assert isinstance(code.scope, Scope)


def test_a_code_is_the_string_written_to_files() -> None:
    p = warning(Code.UNREADABLE_TICK, "not a tick", file="a.xlsx", sheet="S", cell="C7")
    assert p.code == "unreadable-tick" and str(p.code) == "unreadable-tick"
    assert f"{p.code}" == "unreadable-tick"
    assert Code("unreadable-tick") is Code.UNREADABLE_TICK
    assert p.to_dict() == {
        "code": "unreadable-tick",
        "severity": "warning",
        "message": "not a tick",
        "file": "a.xlsx",
        "sheet": "S",
        "cell": "C7",
    }


def test_a_location_is_given_field_by_field_or_whole() -> None:
    at = Location(file="orgs.csv", line=3)
    assert error(Code.ORG_BLANK_NAME, "m", location=at) == error(
        Code.ORG_BLANK_NAME, "m", file="orgs.csv", line=3
    )
    with pytest.raises(TypeError):
        error(Code.ORG_BLANK_NAME, "m", location=at, line=4)
    with pytest.raises(TypeError):
        error(Code.ORG_BLANK_NAME, "m", row=4)  # type: ignore[call-arg]


def test_render_labels_what_is_not_an_error() -> None:
    p: Problem = error(Code.CORRUPT, "damaged", file="a.xlsx")
    assert p.render() == "a.xlsx: damaged"
    assert p.render(label_errors=True) == "a.xlsx: error: damaged"
    assert warning(Code.EXTRA_SHEET, "x", file="a.xlsx", sheet="S").render() == (
        "a.xlsx: sheet 'S': warning: x"
    )
    assert info(Code.SKIPPED, "a lock file", file="~$a.xlsx").render() == (
        "~$a.xlsx: info: a lock file"
    )


# the source uses the catalogue --------------------------------------------------------


def test_no_code_is_a_bare_string_in_the_source() -> None:
    values = {c.value for c in Code}
    stray: list[str] = []
    for path, tree in modules():
        enum_values = string_enum_values(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and called_name(node) in EMITTERS and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    stray.append(f"{where(path, node)}: {first.value!r} passed as a code")
            if (
                isinstance(node, ast.keyword)
                and node.arg == "code"
                and isinstance(node.value, ast.Constant)
            ):
                stray.append(f"{where(path, node.value)}: code={node.value.value!r}")
            if (
                isinstance(node, ast.Constant)
                and node.value in values
                and id(node) not in enum_values
            ):
                stray.append(f"{where(path, node)}: {node.value!r} (use Code.{node.value})")
    assert stray == []


def test_every_code_the_source_names_is_catalogued_with_its_severity() -> None:
    wrong: list[str] = []
    for path, tree in modules():
        for node in ast.walk(tree):
            name = code_member(node)
            if name is not None and name not in Code.__members__:
                wrong.append(f"{where(path, node)}: Code.{name} is not in the catalogue")
            if isinstance(node, ast.Call) and node.args:
                emitter, member = called_name(node), code_member(node.args[0])
                if emitter in EMITTERS and member in Code.__members__:
                    code = Code[member]
                    if EMITTERS[emitter] not in code.severities:
                        wrong.append(
                            f"{where(path, node)}: {code} emitted as {EMITTERS[emitter]}, "
                            f"catalogued as {'/'.join(code.severities)}"
                        )
    assert wrong == []


def test_every_catalogued_code_is_emitted_somewhere() -> None:
    used = {code_member(n) for _, tree in modules() for n in ast.walk(tree)}
    assert [c.value for c in Code if c.name not in used] == []


def test_the_codes_the_tests_expect_are_catalogued() -> None:
    """A test asserting a code that does not exist would pass for the wrong reason."""
    values = {c.value for c in Code}
    unknown: list[str] = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            texts: list[ast.expr] = []
            if isinstance(node, ast.keyword) and node.arg == "code":
                texts = [node.value]
            elif isinstance(node, ast.Compare) and any(
                isinstance(side, ast.Attribute) and side.attr == "code"
                for side in (node.left, *node.comparators)
            ):
                for side in (node.left, *node.comparators):
                    many = isinstance(side, ast.Tuple | ast.List | ast.Set)
                    texts += side.elts if many else [side]
            for t in texts:
                text = t.value if isinstance(t, ast.Constant) else None
                if isinstance(text, str) and text and text not in values:
                    unknown.append(f"{where(path, t)}: {text!r}")
    assert unknown == []


# the README ---------------------------------------------------------------------------


def test_the_readme_lists_every_code_as_the_catalogue_says() -> None:
    text = README.read_text(encoding="utf-8")
    assert readme_section(text) == markdown(), (
        "README's problem codes table differs from xlsxkit/codes.py: run "
        "'python -m xlsxkit.codes --write-readme'"
    )
    for code in Code:
        assert f"| `{code}` |" in text, code


def test_the_readme_table_is_regenerated_from_the_catalogue(tmp_path: Path) -> None:
    stale = tmp_path / "README.md"
    stale.write_text(
        "# x\n\n<!-- codes:begin -->\n| `old-code` | error | gone | - |\n<!-- codes:end -->\n"
        "\n## after\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "xlsxkit.codes", "--write-readme", str(stale)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    text = stale.read_text(encoding="utf-8")
    assert "old-code" not in text and text.endswith("<!-- codes:end -->\n\n## after\n")
    assert readme_section(text) == markdown()
    assert with_readme_section(text) == text
