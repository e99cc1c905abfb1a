"""Background jobs: spend imports run in the worker (``socialvalue worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_spend_import(import_id: int) -> None:
    from socialvalue.web.spend.services import spend_import_run

    spend_import_run(import_id=import_id)
