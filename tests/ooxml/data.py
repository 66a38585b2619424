"""Where the third-party reference files live: the published schemas and a file made by Excel.

They are data from other projects, so they are not in this repository. They are looked up,
in this order, in ``$XLSXKIT_OOXML_DATA``, then in ``shared/ooxml/`` beside the checkout
(where CI finds the project's shared data, as for the seed text in test_seed_framework.py).
tests/ooxml/README.md lists each file, where it comes from and its licence.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

#: The schema files the validator loads (ISO/IEC 29500-4 transitional, 29500-2 for OPC).
SCHEMA_FILES = (
    "sml.xsd",
    "shared-commonSimpleTypes.xsd",
    "shared-relationshipReference.xsd",
    "shared-documentPropertiesExtended.xsd",
    "shared-documentPropertiesCustom.xsd",
    "shared-documentPropertiesVariantTypes.xsd",
    "dml-main.xsd",
    "dml-chart.xsd",
    "dml-chartDrawing.xsd",
    "dml-spreadsheetDrawing.xsd",
    "dml-picture.xsd",
    "dml-diagram.xsd",
    "dml-lockedCanvas.xsd",
    "opc-contentTypes.xsd",
    "opc-coreProperties.xsd",
    "opc-relationships.xsd",
)
CHECKBOX_GOLDEN = "checkbox03.xlsx"


def data_dirs() -> list[Path]:
    dirs = [ROOT.parent / "shared" / "ooxml"]
    if env := os.environ.get("XLSXKIT_OOXML_DATA"):
        dirs.insert(0, Path(env))
    return dirs


def find(*relative: str) -> Path | None:
    """The first data folder holding every one of RELATIVE, or None."""
    for folder in data_dirs():
        if all((folder / r).is_file() for r in relative):
            return folder
    return None


def require(*relative: str) -> Path:
    """The data folder holding RELATIVE; skips the calling test when there is none."""
    folder = find(*relative)
    if folder is None:
        missing = ", ".join(relative[:3]) + (" …" if len(relative) > 3 else "")
        where = " or ".join(str(d) for d in data_dirs())
        pytest.skip(
            f"reference data not present ({missing}): see tests/ooxml/README.md; looked in {where}"
        )
    return folder


def schema_dir() -> Path:
    return require(*(f"schemas/{name}" for name in SCHEMA_FILES)) / "schemas"


def checkbox_golden() -> Path:
    return require(f"fixtures/{CHECKBOX_GOLDEN}") / "fixtures" / CHECKBOX_GOLDEN
