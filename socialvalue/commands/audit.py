"""``socialvalue audit``: check the audit trail."""

from __future__ import annotations

import typer
from rich.console import Console

from socialvalue.commands._django import setup_django
from socialvalue.exceptions import AuditChainError

app = typer.Typer(help="Check the tamper-evident audit trail.", no_args_is_help=True)
console = Console()


@app.command()
def verify() -> None:
    """Recompute the audit hash chain and report the first changed, missing or inserted event."""
    setup_django()
    from socialvalue.web.audit.services import audit_verify

    report = audit_verify()
    if report.problem is not None:
        raise AuditChainError(
            f"audit trail broken at event {report.problem.sequence}: {report.problem.reason} "
            f"({report.checked} events before it are intact)"
        )
    console.print(f"Audit trail intact: {report.checked} events verified.")
    console.print(f"Last hash: {report.last_hash}", highlight=False)
