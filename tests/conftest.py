from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Framework

ROOT = Path(__file__).resolve().parent.parent

# No timed tests: on a loaded machine hypothesis's per-example deadline fails at random.
settings.register_profile("xlsxkit", deadline=None)
settings.load_profile("xlsxkit")


@pytest.fixture(scope="session")
def framework() -> Framework:
    return require_framework(ROOT / "framework.yaml")
