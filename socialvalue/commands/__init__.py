"""The ``socialvalue`` command-line interface.

One module per noun (``audit``, ``tender``, ``framework`` …), each exposing a Typer ``app``
whose verbs are thin wrappers over the library. :func:`main` turns a
:class:`~socialvalue.exceptions.SocialValueError` into one line on stderr and exit code 1.
"""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console

from socialvalue import __version__
from socialvalue.exceptions import SocialValueError

app = typer.Typer(
    name="socialvalue",
    help=(
        "Social Value Toolkit: evaluate tenders, monitor delivery and analyse spend "
        "for local wealth."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

error_console = Console(stderr=True)

# Sub-apps, one module per noun: (module under socialvalue.commands, command name).
# Single verbs that act on the whole installation (init, demo, serve) live in ``site``.
SUBCOMMANDS: list[tuple[str, str]] = [
    ("audit", "audit"),
    ("tender", "tender"),
    ("framework", "framework"),
    ("spend", "spend"),
    ("lm3", "lm3"),
    ("suppliers", "suppliers"),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"socialvalue {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Social Value Toolkit command-line interface."""


def _register() -> None:
    from socialvalue.commands import site

    site.register(app)
    for module_name, command_name in SUBCOMMANDS:
        module = importlib.import_module(f"socialvalue.commands.{module_name}")
        app.add_typer(module.app, name=command_name)


_register()


def main() -> None:
    """Run the CLI, printing toolkit errors as one line instead of a traceback.

    Usage errors, ``--help`` and exit codes are handled by Typer's standalone mode; our own
    :class:`SocialValueError` passes through it and is printed here.
    """
    try:
        app()
    except SocialValueError as error:
        error_console.print(f"[red]Error:[/red] {error}", highlight=False, soft_wrap=True)
        sys.exit(1)
