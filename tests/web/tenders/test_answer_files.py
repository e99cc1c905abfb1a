"""Files attached to one question of a bid: stored like every upload, read by the evaluators of
that question once they may read the bid, and by nobody else on the buyer's side before that."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.tenders import selectors, services
from socialvalue.web.tenders.models import Document, Tender
from tests.web.tenders.conftest import user

pytestmark = pytest.mark.django_db


def _question(tender: Tender, key: str) -> Any:
    return tender.criteria.get(key=key)


def test_the_supplier_attaches_a_file_to_a_question(published: Tender, client_for: Any) -> None:
    quality = _question(published, "quality")
    response = client_for("supplier").post(
        reverse("tenders:bid_document_add", args=[published.pk]),
        {"document": SimpleUploadedFile("method.pdf", b"%PDF-1.4 method"), "question": quality.pk},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.title, document.criterion, document.content_type) == (
        "method.pdf",
        quality,
        "application/pdf",
    )
    assert AuditEvent.objects.get(action="bid.document_added").summary == (
        "Northgate Catering attached a file to its bid for KCC-001 (answer to Quality)"
    )
    page = client_for("supplier").get(reverse("tenders:bid", args=[published.pk]))
    assert "for Quality" in page.content.decode()


def test_the_upload_checks_still_apply(published: Tender, client_for: Any) -> None:
    response = client_for("supplier").post(
        reverse("tenders:bid_document_add", args=[published.pk]),
        {
            "document": SimpleUploadedFile("run.exe", b"MZ"),
            "question": _question(published, "quality").pk,
        },
        follow=True,
    )
    assert "must be a PDF, Word, Excel" in response.content.decode()
    assert not Document.objects.exists()


def test_a_question_of_another_tender_is_refused(
    published: Tender, supplier_org: Any, city: Any
) -> None:
    other = services.tender_create(
        organisation=city,
        actor=user("olivia"),
        title="Other",
        reference="KCC-002",
        submission_deadline=published.submission_deadline,
        preset="preston",
    )
    with pytest.raises(services.TenderError) as error:
        services.bid_document_add(
            tender=published,
            supplier=supplier_org,
            actor=user("sam"),
            upload=SimpleUploadedFile("a.txt", b"a"),
            criterion=_question(other, "quality"),
        )
    assert error.value.code == "unknown_criterion"


@pytest.fixture
def answer_file(evaluating: Tender) -> Document:
    """Northgate's file for the quality question, as if attached before the deadline."""
    bid = evaluating.bids.get(supplier__slug="northgate")
    document = Document(
        tender=evaluating,
        bid=bid,
        criterion=_question(evaluating, "quality"),
        title="method.txt",
        content_type="text/plain",
        size=6,
        uploaded_by=user("sam"),
    )
    document.file.save("method.txt", SimpleUploadedFile("method.txt", b"method"), save=False)
    document.save()
    return document


def _url(tender: Tender, username: str, document: Document) -> str:
    assignment = tender.assignments.get(evaluator__username=username)
    return reverse("tenders:evaluation_document", args=[assignment.pk, document.pk])


def test_the_evaluator_of_the_question_reads_it_once_cleared(
    evaluating: Tender, answer_file: Document, client_for: Any
) -> None:
    evaluator = client_for("evaluator")
    url = _url(evaluating, "evan", answer_file)
    assert evaluator.get(url).status_code == 404  # no declaration yet: no bid, no file
    assignment = evaluating.assignments.get(evaluator__username="evan")
    services.assignment_declare(assignment=assignment, actor=user("evan"), has_conflict=False)
    response = evaluator.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"method"
    page = evaluator.get(reverse("tenders:evaluation", args=[assignment.pk]))
    assert url in page.content.decode()


def test_an_evaluator_of_other_questions_cannot(
    evaluating: Tender, answer_file: Document, second_evaluator: Any
) -> None:
    services.evaluator_assign(
        tender=evaluating,
        actor=user("olivia"),
        evaluator=second_evaluator,
        criteria=[_question(evaluating, "sv_part_a")],
    )
    assignment = evaluating.assignments.get(evaluator__username="ezra")
    services.assignment_declare(assignment=assignment, actor=second_evaluator, has_conflict=False)
    assert not selectors.documents_for_evaluator(assignment=assignment).exists()
    from django.test import Client

    ezra = Client()
    ezra.force_login(second_evaluator)
    assert ezra.get(_url(evaluating, "ezra", answer_file)).status_code == 404


def test_another_evaluators_assignment_is_no_way_in(
    evaluating: Tender, answer_file: Document, client_for: Any
) -> None:
    # evan may not use ezra's assignment to reach the file
    url = _url(evaluating, "ezra", answer_file)
    assert client_for("evaluator").get(url).status_code == 404
    assert client_for("supplier").get(url).status_code == 403
