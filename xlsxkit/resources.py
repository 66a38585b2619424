"""Where the bundled framework, schema and templates live, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE_DIR / "_data"  # filled by the wheel's force-include
_SOURCE = _PACKAGE_DIR.parent  # a source checkout or an editable install


def _data_path(name: str) -> Path:
    installed = _INSTALLED / name
    if installed.exists():
        return installed
    return _SOURCE / name


def bundled_framework() -> Path:
    return _data_path("framework.yaml")


def schema_path() -> Path:
    return _data_path("schema.json")


def templates_dir() -> Path:
    return _data_path("templates")


def default_framework(cwd: Path | None = None) -> Path:
    """`./framework.yaml` when there is one, else the bundled framework."""
    local = (cwd or Path.cwd()) / "framework.yaml"
    if local.is_file():
        return Path("framework.yaml") if cwd is None else local
    return bundled_framework()


def default_template(name: str, cwd: Path | None = None) -> Path:
    """`./templates/NAME` when there is one, else the bundled template."""
    local = (cwd or Path.cwd()) / "templates" / name
    if local.is_file():
        return local
    return templates_dir() / name


#: The header of the partner list that ``xlsxkit init`` writes for a coordinator to fill in.
PARTNERS_HEADER = "id,name,contact,email\n"


def starter_files() -> list[tuple[Path, bytes]]:
    """What ``xlsxkit init`` writes, as (path relative to the folder, content): editable
    copies of the bundled framework, its schema (which the framework's first-line comment
    points editors at) and the templates, and an empty partner list."""
    files = [
        (Path("framework.yaml"), bundled_framework().read_bytes()),
        (Path("schema.json"), schema_path().read_bytes()),
    ]
    root = templates_dir()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        files.append((Path("templates") / path.relative_to(root), path.read_bytes()))
    # With a byte-order mark, as the other CSVs xlsxkit writes, so Excel reads it as UTF-8.
    files.append((Path("partners.csv"), b"\xef\xbb\xbf" + PARTNERS_HEADER.encode("ascii")))
    return files
