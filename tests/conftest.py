"""Test environment: a private Prefect home, and the real material from ../shared when present."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Prefect reads its settings at import time, so set them before any test imports it.
_PREFECT_HOME = tempfile.mkdtemp(prefix="dangjian-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_RUNNER_POLL_FREQUENCY"] = "1"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.pop("PREFECT_API_URL", None)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout (CI and developers have it; a user's clone does not)."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not present: the real seeds and pages live beside the project checkout only")
    return SHARED


@pytest.fixture(scope="session")
def seeds_dir(shared_dir: Path) -> Path:
    return shared_dir / "seeds"


@pytest.fixture(scope="session")
def realpages_dir(shared_dir: Path) -> Path:
    return shared_dir / "realpages"
