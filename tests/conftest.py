from __future__ import annotations

from pathlib import Path

import pytest

from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Framework

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def framework() -> Framework:
    return require_framework(ROOT / "framework.yaml")
