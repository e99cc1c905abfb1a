"""Fixtures for the tender evaluation tests: the example files shipped in the docs."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "evaluation" / "examples"


@pytest.fixture
def negometrix_file() -> Path:
    """The Negometrix worked example (A 146, B 144), as YAML."""
    return EXAMPLES / "negometrix.yaml"


@pytest.fixture
def community_centre_file() -> Path:
    """The community centre example: groups, a threshold, Preston's split, a pass/fail question."""
    return EXAMPLES / "community-centre.yaml"
