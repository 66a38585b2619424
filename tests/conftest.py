from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from tests.imapserver import imap_server as imap_server  # the real IMAP server fixture
from xlsxkit.framework.load import require_framework
from xlsxkit.framework.model import Framework

ROOT = Path(__file__).resolve().parent.parent

# No timed tests: a property test is about behaviour, not speed, and the machines that run
# the suite are shared, so hypothesis's per-example deadline is off everywhere.
settings.register_profile("xlsxkit", deadline=None)
settings.load_profile("xlsxkit")


@pytest.fixture(scope="session")
def framework() -> Framework:
    return require_framework(ROOT / "framework.yaml")
