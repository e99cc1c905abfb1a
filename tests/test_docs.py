"""The docs cover every setting and every command (in the manner of datasette's test_docs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from socialvalue.commands import app
from socialvalue.config import Settings

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _all_docs() -> str:
    return "\n".join(path.read_text() for path in DOCS.rglob("*.md"))


def _command_paths(group: typer.Typer, prefix: str = "socialvalue") -> Iterator[str]:
    for command in group.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        yield f"{prefix} {name.replace('_', '-')}"
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            yield from _command_paths(sub.typer_instance, f"{prefix} {sub.name}")


@pytest.mark.parametrize("variable", sorted(Settings.environment_names().values()))
def test_it_documents_every_setting(variable: str) -> None:
    assert f"`{variable}`" in (DOCS / "settings.md").read_text()


@pytest.mark.parametrize("command", sorted(_command_paths(app)))
def test_it_documents_every_command(command: str) -> None:
    assert command in _all_docs()


def test_it_links_only_to_docs_that_exist() -> None:
    import re

    broken = []
    for page in DOCS.rglob("*.md"):
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", page.read_text()):
            if not (page.parent / target).resolve().exists():
                broken.append(f"{page.relative_to(DOCS)} → {target}")
    assert broken == []
