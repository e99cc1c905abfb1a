"""The award report in HTML, PDF and XLSX."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from socialvalue.evaluation.fileformat import load_yaml
from socialvalue.evaluation.results import Evaluation
from socialvalue.evaluation.scoring import evaluate
from socialvalue.evaluation.sensitivity import Sensitivity, analyse
from socialvalue.exceptions import ReportFormatError
from socialvalue.reports.award import award_report_html, award_report_pdf, write_report

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "evaluation" / "examples"


@pytest.fixture(scope="module")
def community_centre() -> tuple[Evaluation, Sensitivity]:
    evaluation = evaluate(load_yaml(EXAMPLES / "community-centre.yaml"))
    return evaluation, analyse(evaluation)


@pytest.fixture(scope="module")
def html(community_centre: tuple[Evaluation, Sensitivity]) -> str:
    return award_report_html(*community_centre)


def test_it_names_the_winner_first(html: str) -> None:
    assert '<p class="lead">Delta Services wins with 70.42 points out of 100.</p>' in html


def test_it_is_self_contained(html: str) -> None:
    assert "<script" not in html
    assert not re.search(r'(src|href)="https?:', html)
    assert '<img src="data:image/svg+xml;base64,' in html


def test_it_is_marked_up_for_assistive_technology(html: str) -> None:
    assert '<html lang="en-GB">' in html
    assert html.count("<caption>") >= 5
    assert 'scope="col"' in html
    assert 'scope="row"' in html
    for alt in re.findall(r'<img [^>]*alt="([^"]*)"', html):
        assert alt.startswith("Bar chart")


def test_it_shows_every_component_with_its_working(html: str) -> None:
    assert "Price: £100,000.00; 40 x £55,000.00 / £100,000.00 = 22.00 points." in html
    assert "Method statement: scored 4 out of 5; 20 x 4 / 5 = 16.00 points." in html


def test_it_shows_exclusions_flags_notes_and_policy(html: str) -> None:
    assert "Excluded: it scored 1 on Method statement, below the minimum of 2." in html
    assert "The price is abnormally low" in html
    assert "Pays the Real Living Wage; two local apprentices." in html
    assert "Preston splits social value evenly" in html


def test_it_reports_sensitivity_in_plain_words(html: str) -> None:
    assert "How firm is the result?" in html
    assert "The smallest weight change that alters the result" in html
    assert "Rank reversal: a new compliant bid priced below" in html


def test_it_gives_each_bidder_its_scores_beside_the_winners(html: str) -> None:
    summaries = html.split('id="summaries"', 1)[1]
    assert "<h3>Delta Services</h3>" not in summaries
    assert "Alpha Builders Ltd beside the winning bid" in summaries
    assert "Your bid was ranked 2 of 3, with 68.00 points" in summaries
    assert "Your bid was excluded: it scored 1 on Method statement" in summaries
    assert "Did not say how the building stays safe while open." in summaries


def test_it_renders_a_pdf(community_centre: tuple[Evaluation, Sensitivity]) -> None:
    pdf = award_report_pdf(*community_centre)
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 10_000


def test_it_writes_the_tables_to_xlsx(
    community_centre: tuple[Evaluation, Sensitivity], tmp_path: Path
) -> None:
    path = tmp_path / "award.xlsx"
    write_report(*community_centre, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Results", "Components", "Sensitivity"]
    rows = list(book["Results"].iter_rows(values_only=True))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Bidder"] == "Delta Services"
    assert first["Total"] == pytest.approx(70.42)
    assert str(first["Total (exact)"]).startswith("70.42424242")
    excluded = dict(zip(header, rows[4], strict=True))
    assert excluded["Excluded"] == "yes"


def test_it_refuses_an_unknown_format(
    community_centre: tuple[Evaluation, Sensitivity], tmp_path: Path
) -> None:
    with pytest.raises(ReportFormatError):
        write_report(*community_centre, tmp_path / "award.docx")
