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
