"""Shared test setup: offscreen Qt, paths to ../shared/data (skipped with a reason when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("ECG_SHARED_DATA", REPO.parent / "shared" / "data"))
SAMPLES = SHARED_DATA / "samples"
BUNDLED_SAMPLES = REPO / "resources" / "samples"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data is not beside this checkout ({SHARED_DATA}); "
                    "set ECG_SHARED_DATA to run tests on the development data")
    return SHARED_DATA


@pytest.fixture(scope="session")
def samples(shared_data: Path) -> Path:
    return shared_data / "samples"


@pytest.fixture(scope="session")
def bundled_samples() -> Path:
    return BUNDLED_SAMPLES
