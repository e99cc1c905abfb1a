"""Background jobs: supplier matching runs in the worker (``socialvalue worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_supplier_matching(run_id: int) -> None:
    from socialvalue.web.suppliers.services import supplier_match_run

    supplier_match_run(run_id=run_id)
