"""Verbs for the installation as a whole: ``init``, ``demo`` and ``serve``."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import typer
from rich.console import Console
from rich.table import Table

from socialvalue.commands._django import migrate, pending_migrations, setup_django
from socialvalue.config import ensure_secret_key, get_settings
from socialvalue.exceptions import ConfigurationError, SocialValueError

console = Console()


def _prepare(*, migrate_database: bool) -> None:
    written = ensure_secret_key(get_settings())
    if written is not None:
        console.print(f"Generated a secret key in {written}")
    setup_django()
    if migrate_database:
        migrate()


def init(
    admin_username: str = typer.Option(
        "", "--admin-username", help="Username of the first site administrator."
    ),
    admin_email: str = typer.Option("", "--admin-email", help="Their email address."),
    admin_password: str = typer.Option(
        "",
        "--admin-password",
        envvar="SOCIALVALUE_ADMIN_PASSWORD",
        help="Their password (or set SOCIALVALUE_ADMIN_PASSWORD). Asked for when omitted.",
    ),
    no_admin: bool = typer.Option(False, "--no-admin", help="Create the database only."),
) -> None:
    """Create or upgrade the database and the first site administrator."""
    _prepare(migrate_database=True)
    console.print("Database is up to date.")
    if no_admin:
        return
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from socialvalue.web.accounts.services import user_create

    if get_user_model().objects.filter(is_superuser=True).exists() and not admin_username:
        console.print("A site administrator exists already; nothing else to do.")
        return
    interactive = sys.stdin.isatty()
    if not admin_username:
        if not interactive:
            raise ConfigurationError(
                "--admin-username is required when not run interactively (or pass --no-admin)"
            )
        admin_username = typer.prompt("Administrator username")
    if get_user_model().objects.filter(username=admin_username).exists():
        raise SocialValueError(f"A user called {admin_username!r} exists already: choose another")
    if not admin_email and interactive:
        admin_email = typer.prompt("Email address", default="", show_default=False)
    if not admin_password:
        if not interactive:
            raise ConfigurationError(
                "--admin-password (or SOCIALVALUE_ADMIN_PASSWORD) is required "
                "when not run interactively"
            )
        admin_password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user_create(
            username=admin_username, password=admin_password, email=admin_email, is_superuser=True
        )
    except ValidationError as error:
        raise SocialValueError("Password not accepted: " + " ".join(error.messages)) from None
    console.print(f"Created site administrator [bold]{admin_username}[/bold].")


def demo() -> None:
    """Load the demo organisations and people (safe to run again) and print their logins."""
    _prepare(migrate_database=True)
    from socialvalue.web.demo import DEMO_PASSWORD, demo_load

    result = demo_load()
    console.print(
        f"Demo data loaded ({result.created} new records)."
        if result.created
        else "Demo data was already loaded; nothing changed."
    )
    table = Table(title=f"Demo logins (password for all: {DEMO_PASSWORD})")
    table.add_column("Username", style="bold")
    table.add_column("Role")
    table.add_column("Organisation")
    for username, role, organisation in result.logins:
        table.add_row(username, role, organisation)
    console.print(table)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    production: bool = typer.Option(
        False,
        "--production",
        help="Run under gunicorn (worker processes) instead of the development server.",
    ),
    workers: int = typer.Option(3, help="Gunicorn worker processes (with --production)."),
    background_worker: bool = typer.Option(
        True,
        "--background-worker/--no-background-worker",
        help="Also run background jobs (spend imports …) in a second process. "
        "Without --production only; in production run `socialvalue worker` as its own service.",
    ),
) -> None:
    """Serve the web app."""
    setup_django()
    pending = pending_migrations()
    if pending:
        raise ConfigurationError(
            f"The database needs {len(pending)} migration(s): run `socialvalue init` first"
        )
    console.print(f"Serving the Social Value Toolkit at http://{host}:{port}/  (Ctrl+C to stop)")
    if production:
        gunicorn = shutil.which("gunicorn") or os.path.join(
            os.path.dirname(sys.executable), "gunicorn"
        )
        command = [
            gunicorn,
            "socialvalue.web.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
        ]
        raise typer.Exit(subprocess.call(command))  # noqa: S603 - fixed argv, no shell
    from django.core.management import call_command

    # Stopping the server (Ctrl+C, or SIGTERM from a service manager) also stops the worker.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    worker = (
        subprocess.Popen([sys.executable, "-m", "socialvalue", "worker"])
        if background_worker
        else None
    )
    try:
        call_command("runserver", f"{host}:{port}", use_reloader=False)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)


def worker() -> None:
    """Run queued background jobs (spend imports, reports) until stopped."""
    setup_django()
    if pending_migrations():
        raise ConfigurationError("The database needs migrations: run `socialvalue init` first")
    from django.core.management import call_command

    call_command("db_worker", interval=1.0, reload=False)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(demo)
    app.command()(serve)
    app.command()(worker)
