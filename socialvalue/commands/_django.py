"""Start Django for a command, turning configuration problems into one-line errors."""

from __future__ import annotations

import os

from socialvalue.exceptions import ConfigurationError


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialvalue.web.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:
        raise ConfigurationError(str(error)) from None


def pending_migrations() -> list[str]:
    """Names of migrations not yet applied to the configured database."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor
    from django.db.utils import OperationalError

    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except OperationalError as error:
        raise ConfigurationError(
            f"Cannot reach the database ({error}). Check DATABASE_URL."
        ) from None
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command
    from django.db.utils import OperationalError

    try:
        call_command("migrate", interactive=False, verbosity=verbosity)
    except OperationalError as error:
        raise ConfigurationError(
            f"Cannot reach the database ({error}). Check DATABASE_URL."
        ) from None
