"""Views reach rows only through the current organisation (``request.org.<relation>``) or a
selector, never through a model's global manager, so a forgotten filter cannot leak another
organisation's data (the rule NHS Digital's manage-breast-screening enforces with a lint)."""

from __future__ import annotations

import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "socialvalue" / "web"


def test_it_finds_no_global_manager_in_any_view() -> None:
    offenders = []
    for views in WEB.rglob("views.py"):
        for number, line in enumerate(views.read_text().splitlines(), start=1):
            if re.search(r"\b[A-Z]\w*\.(objects|all_tenants|_default_manager)\b", line):
                offenders.append(f"{views.relative_to(WEB)}:{number}: {line.strip()}")
    assert offenders == []


def test_it_scans_the_views_it_should() -> None:
    assert {p.parent.name for p in WEB.rglob("views.py")} >= {"accounts", "audit"}
