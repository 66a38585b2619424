"""Imports run one way: base → framework → workbook → outbound | inbound → results → render |
campaign → app → cli. Checked on every module's imports, parsed with ``ast`` (so imports inside
functions and under ``TYPE_CHECKING`` count too), not on what happens to be loaded."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "xlsxkit"

#: The shared base: modules every stage may use, which use no stage.
BASE = frozenset(
    {
        "problems",
        "codes",
        "errors",
        "names",
        "csvsafe",
        "resources",
        "inputs",
        "dates",
        "outfiles",
    }
)
#: Stages in pipeline order. Stages of the same rank are siblings: they never import each other.
RANKS: dict[str, int] = {
    "framework": 1,
    "workbook": 2,
    "outbound": 3,
    "inbound": 3,
    "results": 4,
    "render": 5,
    "campaign": 5,  # the campaign's state, beside render: app and cli use it, nothing below
    "app": 6,
    "cli": 7,
}
#: The package facade (xlsxkit/__init__.py, __main__.py) sits above everything.
FACADE = "(facade)"
#: What a module may take from the package facade itself.
FACADE_NAMES = frozenset({"__version__"})


def layer(module: str) -> str:
    """The layer of a dotted module name inside xlsxkit: a base module, a stage or the facade."""
    parts = module.split(".")
    assert parts[0] == "xlsxkit", module
    if len(parts) == 1 or parts[1] in ("__init__", "__main__"):
        return FACADE
    return parts[1]


def allowed(importer: str, imported: str) -> bool:
    """May a module of layer IMPORTER import one of layer IMPORTED?"""
    if imported == importer or importer == FACADE:
        return True
    if imported in BASE:
        return True
    if importer in BASE or imported == FACADE:
        return False
    return RANKS[imported] < RANKS[importer]


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def imports(source: str, me: str, *, is_package: bool = False) -> list[tuple[int, str, str | None]]:
    """(line, module, name) for every xlsxkit import in SOURCE, the text of module ME; name
    is set for ``from M import name``."""
    tree = ast.parse(source)
    package = me if is_package else me.rpartition(".")[0]
    found: list[tuple[int, str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found += [(node.lineno, target, a.name) for a in node.names]
    return [f for f in found if f[1] == "xlsxkit" or f[1].startswith("xlsxkit.")]


def target_layer(module: str, name: str | None) -> str:
    """The layer imported by ``import MODULE`` or ``from MODULE import NAME``."""
    if module == "xlsxkit" and name is not None:
        if (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file():
            return layer(f"xlsxkit.{name}")
        return FACADE if name not in FACADE_NAMES else "(version)"
    return layer(module)


def violations() -> list[str]:
    out: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        me = module_name(path)
        mine = layer(me)
        source = path.read_text(encoding="utf-8")
        for line, module, name in imports(source, me, is_package=path.name == "__init__.py"):
            target = target_layer(module, name)
            if target == "(version)":
                continue
            if not allowed(mine, target):
                what = f"from {module} import {name}" if name else f"import {module}"
                out.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {mine} → {target}: {what}")
    return out


def test_every_module_belongs_to_a_known_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        name = layer(module_name(path))
        assert name == FACADE or name in BASE or name in RANKS, path


def test_imports_run_one_way() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("importer", "imported", "ok"),
    [
        ("cli", "framework", True),
        ("framework", "codes", True),
        ("render", "workbook", True),
        ("inbound", "inbound", True),
        ("framework", "workbook", False),
        ("inbound", "outbound", False),
        ("outbound", "inbound", False),
        ("results", "render", False),
        ("codes", "framework", False),
        ("problems", "codes", True),
        ("app", FACADE, False),
    ],
)
def test_the_rule_tells_directions_apart(importer: str, imported: str, ok: bool) -> None:
    assert allowed(importer, imported) is ok


def test_imports_inside_functions_and_relative_imports_are_seen() -> None:
    source = (
        "import os\n"
        "def f():\n"
        "    from xlsxkit.outbound.generate import generate\n"
        "    from ..render import data_csv\n"
        "    if True:\n"
        "        import xlsxkit.app.demo\n"
    )
    found = [(m, n) for _, m, n in imports(source, "xlsxkit.inbound.probe")]
    assert found == [
        ("xlsxkit.outbound.generate", "generate"),
        ("xlsxkit.render", "data_csv"),
        ("xlsxkit.app.demo", None),
    ]
    assert [allowed("inbound", target_layer(m, n)) for m, n in found] == [False, False, False]


def test_the_public_api_is_declared_and_lazy() -> None:
    import subprocess
    import sys

    import xlsxkit

    assert sorted(xlsxkit.__all__) == sorted(["__version__", *xlsxkit._EXPORTS])
    probe = (
        "import sys, xlsxkit\n"
        "heavy = [m for m in ('xlsxwriter', 'python_calamine', 'jsonschema', 'yaml', 'openpyxl',"
        " 'xlsxkit.framework') if m in sys.modules]\n"
        "assert heavy == [], heavy\n"
        "for name in xlsxkit.__all__:\n"
        "    getattr(xlsxkit, name)\n"
        "assert xlsxkit.Code.CORRUPT == 'corrupt'\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    with pytest.raises(AttributeError):
        _ = xlsxkit.no_such_name


HEAVY = ("xlsxwriter", "python_calamine", "jsonschema", "yaml", "openpyxl", "xlsxkit.framework")


def test_help_and_version_load_no_command_and_no_heavy_module() -> None:
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from xlsxkit.cli import cli\n"
        "for args in (['--help'], ['--version']):\n"
        "    assert cli.main(args, prog_name='xlsxkit', standalone_mode=False) == 0\n"
        f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "loaded += [m for m in sys.modules if m.startswith('xlsxkit.cli.')]\n"
        "assert loaded == [], loaded\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "Commands:" in proc.stdout and "import    Import returned workbooks" in proc.stdout


def test_the_groups_command_list_matches_the_commands() -> None:
    import click

    from xlsxkit.cli import COMMANDS, cli

    for name, (_, short) in COMMANDS.items():
        command = cli.get_command(click.Context(cli), name)
        assert command is not None and command.name == name
        assert (command.help or "").split("\n\n")[0].strip() == short, name
    package = {p.stem for p in (PACKAGE / "cli").glob("*.py")} - {"__init__", "options"}
    assert {target.split(":")[0].rpartition(".")[2] for target, _ in COMMANDS.values()} == package
