"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data folder beside the project (``../shared/data``).

    Set ``SOCIALVALUE_SHARED_DATA`` to use another place. Tests that need it are skipped, with the
    reason, when it is absent; the files are read in place and never copied into the repository.
    """
    path = Path(os.environ.get("SOCIALVALUE_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
    if not path.is_dir():
        pytest.skip(f"shared test data not found at {path} (set SOCIALVALUE_SHARED_DATA)")
    return path
