"""``socialvalue lm3 calculate``: the Local Multiplier 3 from three rounds or a survey file.

A thin layer over :mod:`socialvalue.spend.lm3`.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer

from socialvalue.exceptions import LM3InputError
from socialvalue.spend.lm3 import Recipient

app = typer.Typer(help="LM3, NEF's Local Multiplier 3: (R1 + R2 + R3) / R1.",
                  no_args_is_help=True)


def _decimal(text: str, where: str) -> Decimal:
    cleaned = text.strip().replace(",", "").replace("£", "")
    percent = cleaned.endswith("%")
    try:
        value = Decimal(cleaned.rstrip("%"))
    except InvalidOperation as error:
        raise LM3InputError(f"{where}: {text!r} is not a number") from error
    return value / 100 if percent else value


def read_survey(path: Path) -> list[Recipient]:
    """Survey CSV: ``kind`` (supplier/staff), ``paid``, ``local_share`` (0.45 or 45%)."""
    try:
        text = path.read_text("utf-8-sig")
    except OSError as error:
        raise LM3InputError(f"{path}: cannot read ({error})") from error
    reader = csv.DictReader(io.StringIO(text))
    if not {"paid", "local_share"} <= set(reader.fieldnames or []):
        raise LM3InputError(f"{path}: needs columns 'paid' and 'local_share' (and optionally "
                            "'kind')")
    recipients = []
    for line, row in enumerate(reader, 2):
        share_text = (row.get("local_share") or "").strip()
        recipients.append(Recipient(
            paid=_decimal(row["paid"] or "", f"{path}, line {line}, column 'paid'"),
            local_share=_decimal(share_text, f"{path}, line {line}, column 'local_share'")
            if share_text else None,
            kind=(row.get("kind") or "supplier").strip() or "supplier",
        ))
    return recipients


@app.command()
def calculate(
    r1: Annotated[str, typer.Option(help="Round 1: the starting income or spend (£).")],
    r2: Annotated[str | None, typer.Option(help="Round 2: spent with local suppliers and "
                                           "staff (£).")] = None,
    r3: Annotated[str | None, typer.Option(help="Round 3: re-spent locally by them (£).")] = None,
    survey: Annotated[Path | None, typer.Option(help="Survey CSV: kind, paid, local_share; "
                                                "gives R2 and R3.")] = None,
    rule: Annotated[str, typer.Option(help="per_respondent or averaged.")] = "per_respondent",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Compute LM3 = (R1 + R2 + R3) / R1 from the rounds, or R1 and a survey of round 2."""
    from socialvalue.spend.lm3 import lm3, lm3_from_survey

    round1 = _decimal(r1, "--r1")
    if survey is not None:
        recipients = read_survey(survey)
        result = lm3_from_survey(round1, recipients, rule)
    else:
        if r2 is None or r3 is None:
            raise LM3InputError("give --r2 and --r3, or a --survey file")
        result = lm3(round1, _decimal(r2, "--r2"), _decimal(r3, "--r3"))
    if as_json:
        typer.echo(json.dumps({
            "lm3": str(result.rounded(2)), "lm3_exact": str(result.score),
            "r1": str(result.r1), "r2": str(result.r2), "r3": str(result.r3),
            "f2": str(result.f2), "f3": str(result.f3), "rule": result.rule,
            "mean_shares": {kind: str(share) for kind, share in result.mean_shares},
        }))
        return
    typer.echo(f"LM3 = ({result.r1} + {result.r2} + {result.r3}) / {result.r1} = "
               f"{result.rounded(2)}")
    typer.echo(f"Every £1 of round 1 generates a further £{result.rounded(2) - 1} locally.")
