"""Fixtures for the framework tests: small framework documents written out by hand."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

MINIMAL_FRAMEWORK = textwrap.dedent(
    """\
    format: socialvalue-framework/1
    id: town-2025
    name: Town social value framework
    version: '1'
    publisher: Town Council
    licence: CC0-1.0
    sources:
    - key: policy
      title: Town social value policy
    outcomes:
    - id: O1
      title: Local jobs
      sources: [policy]
      measures:
      - id: M1
        title: Local people employed (FTE)
        unit: FTE
        scoring_modes: [quantity]
        counting:
          local_only: true
          pro_rata_partial_year: true
      - id: M2
        title: Disadvantaged people employed (FTE)
        unit: FTE
        scoring_modes: [quantity]
        counting:
          exclusive_group: disadvantaged
          count_each_year: false
      - id: M3
        title: Care leavers employed (FTE)
        unit: FTE
        scoring_modes: [quantity]
        counting:
          exclusive_group: disadvantaged
    """
)


@pytest.fixture
def minimal_framework_text() -> str:
    """A valid three-measure framework as YAML."""
    return MINIMAL_FRAMEWORK


@pytest.fixture
def write_file(tmp_path: Path):
    """Write text to a file in a temporary folder and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
