"""Removing files: a supplier's own file from its draft bid, an officer's tender document with a
reason. Both audited, both refused after the deadline, and the stored file is deleted only once
the database change has committed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from socialvalue.exceptions import DeadlinePassedError, TenderError, TenderStateError
from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.tenders import selectors, services
from socialvalue.web.tenders.models import Document, Tender
from tests.factories import MembershipFactory
from tests.web.tenders.conftest import move_deadline_to_past, user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def _file(name: str = "method.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 method", content_type="application/pdf")


def _attach(tender: Tender, supplier: Any, criterion: Any = None, lot: Any = None) -> Document:
    return services.bid_document_add(
        tender=tender,
        supplier=supplier,
        actor=user("sam"),
        upload=_file(),
        criterion=criterion,
        lot=lot,
    )


def _tender_document(tender: Tender) -> Document:
    return services.document_add(tender=tender, actor=user("olivia"), upload=_file("spec.pdf"))


# --- supplier: a file of its own draft bid -----------------------------------------------------


def test_it_deletes_the_stored_file_only_after_the_removal_commits(
    published: Tender, supplier_org: Any, django_capture_on_commit_callbacks: Any
) -> None:
    document = _attach(published, supplier_org, published.criteria.get(key="quality"))
    path = Path(document.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.bid_document_remove(
            tender=published, supplier=supplier_org, actor=user("sam"), document=document
        )
    assert not Document.objects.filter(pk=document.pk).exists()
    assert path.exists()  # not yet: the transaction could still roll back
    assert len(callbacks) == 1
    callbacks[0]()
    assert not path.exists()
    event = AuditEvent.objects.get(action="bid.document_removed")
    assert event.summary == (
        "Northgate Catering removed the file method.pdf from its bid for KCC-001 "
        "(answer to Quality)"
    )
    assert event.organisation == supplier_org  # the buyer's log must not show who is bidding


def test_the_supplier_removes_a_file_from_the_bid_page(
    published: Tender, supplier_org: Any, client_for: Any
) -> None:
    document = _attach(published, supplier_org)
    client = client_for("supplier")
    page = client.get(reverse("tenders:bid", args=[published.pk])).content.decode()
    remove_url = reverse("tenders:bid_document_remove", args=[published.pk, document.pk])
    assert f'action="{remove_url}"' in page
    response = client.post(remove_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("tenders:bid", args=[published.pk])
    assert "method.pdf removed from your draft bid" in response.content.decode()
    assert not Document.objects.exists()


def test_it_refuses_to_remove_a_file_after_the_deadline(
    published: Tender, supplier_org: Any, client_for: Any
) -> None:
    document = _attach(published, supplier_org)
    move_deadline_to_past(published)
    with pytest.raises(DeadlinePassedError) as error:
        services.bid_document_remove(
            tender=published, supplier=supplier_org, actor=user("sam"), document=document
        )
    assert error.value.code == "deadline_passed"
    response = client_for("supplier").post(
        reverse("tenders:bid_document_remove", args=[published.pk, document.pk]), follow=True
    )
    assert "The deadline for this tender has passed" in response.content.decode()
    assert Document.objects.filter(pk=document.pk).exists()
    assert Path(document.file.path).exists()
    assert AuditEvent.objects.filter(action="bid.refused_after_deadline").count() == 2


def test_it_refuses_to_remove_a_file_from_a_submitted_bid(
    published: Tender, supplier_org: Any
) -> None:
    document = _attach(published, supplier_org)
    services.bid_save(
        tender=published,
        supplier=supplier_org,
        actor=user("sam"),
        price_pence=100_000,
        responses={c.pk: "Answer." for c in selectors.response_criteria(tender=published)},
    )
    services.bid_submit(tender=published, supplier=supplier_org, actor=user("sam"))
    with pytest.raises(TenderStateError) as error:
        services.bid_document_remove(
            tender=published, supplier=supplier_org, actor=user("sam"), document=document
        )
    assert error.value.code == "already_submitted"
    assert Document.objects.filter(pk=document.pk).exists()


def test_another_suppliers_file_is_a_404(
    published: Tender, supplier_org: Any, second_supplier: Any, client: Any
) -> None:
    theirs = services.bid_document_add(
        tender=published, supplier=second_supplier, actor=user("rita"), upload=_file()
    )
    _attach(published, supplier_org)  # Northgate has a bid, so only the document is wrong
    client.force_login(user("sam"))
    response = client.post(reverse("tenders:bid_document_remove", args=[published.pk, theirs.pk]))
    assert response.status_code == 404
    with pytest.raises(TenderError) as error:
        services.bid_document_remove(
            tender=published, supplier=supplier_org, actor=user("sam"), document=theirs
        )
    assert error.value.code == "unknown_document"
    assert Document.objects.filter(pk=theirs.pk).exists()


def test_the_supplier_removes_a_file_from_its_bid_for_a_lot(
    draft: Tender, supplier_org: Any, client_for: Any
) -> None:
    for title in ("Schools", "Civic buildings"):
        services.lot_add(tender=draft, actor=user("olivia"), title=title)
    tender = services.tender_publish(tender=draft, actor=user("olivia"))
    lot = tender.lots.get(number=2)
    document = _attach(tender, supplier_org, lot=lot)
    client = client_for("supplier")
    remove_url = reverse("tenders:lot_bid_document_remove", args=[tender.pk, lot.pk, document.pk])
    page = client.get(reverse("tenders:lot_bid", args=[tender.pk, lot.pk])).content.decode()
    assert f'action="{remove_url}"' in page
    response = client.post(remove_url)
    assert response.headers["Location"] == reverse("tenders:lot_bid", args=[tender.pk, lot.pk])
    assert not Document.objects.exists()
    assert AuditEvent.objects.get(action="bid.document_removed").summary == (
        "Northgate Catering removed the file method.pdf from its bid for KCC-001, lot 2"
    )


def test_bid_file_removal_takes_a_post_and_a_supplier(
    published: Tender, supplier_org: Any, client_for: Any
) -> None:
    document = _attach(published, supplier_org)
    url = reverse("tenders:bid_document_remove", args=[published.pk, document.pk])
    assert client_for("supplier").get(url).status_code == 405
    assert client_for("officer").post(url).status_code == 403
    assert Document.objects.filter(pk=document.pk).exists()


# --- officer: a tender document, with a reason -------------------------------------------------


def test_the_officer_removes_a_tender_document_with_a_reason(
    published: Tender, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    document = _tender_document(published)
    path = Path(document.file.path)
    client = client_for("officer")
    detail = client.get(reverse("tenders:detail", args=[published.pk])).content.decode()
    url = reverse("tenders:document_remove", args=[published.pk, document.pk])
    assert f'href="{url}"' in detail
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Replaced by version 2 of the specification."})
    assert response.headers["Location"] == reverse("tenders:detail", args=[published.pk])
    assert not Document.objects.exists()
    assert not path.exists()
    event = AuditEvent.objects.get(action="tender.document_removed")
    assert event.summary == (
        "Document spec.pdf removed from tender KCC-001: Replaced by version 2 of the specification."
    )
    assert event.data["reason"] == "Replaced by version 2 of the specification."
    public = client_for("supplier").get(
        reverse("tenders:public_document", args=[published.pk, document.pk])
    )
    assert public.status_code == 404


def test_the_officer_must_give_a_reason(draft: Tender, client_for: Any) -> None:
    document = _tender_document(draft)
    response = client_for("officer").post(
        reverse("tenders:document_remove", args=[draft.pk, document.pk]), {"reason": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"][0] == "Enter why you are removing the document"
    page = response.content.decode()
    assert "<title>Error: " in page
    assert 'href="#id_reason"' in page
    assert Document.objects.filter(pk=document.pk).exists()
    with pytest.raises(TenderError) as error:
        services.document_remove(tender=draft, document=document, actor=user("olivia"), reason="  ")
    assert error.value.code == "reason_required"


def test_it_refuses_to_remove_a_tender_document_after_the_deadline(
    published: Tender, client_for: Any
) -> None:
    document = _tender_document(published)
    move_deadline_to_past(published)
    with pytest.raises(DeadlinePassedError) as error:
        services.document_remove(
            tender=published, document=document, actor=user("olivia"), reason="Out of date."
        )
    assert error.value.code == "deadline_passed"
    client = client_for("officer")
    detail = client.get(reverse("tenders:detail", args=[published.pk])).content.decode()
    url = reverse("tenders:document_remove", args=[published.pk, document.pk])
    assert url not in detail
    response = client.post(url, {"reason": "Out of date."})
    assert "The deadline for this tender has passed" in response.content.decode()
    assert Document.objects.filter(pk=document.pk).exists()
    assert Path(document.file.path).exists()


def test_it_refuses_to_remove_a_document_of_a_closed_tender(with_bids: Tender) -> None:
    document = _tender_document(with_bids)
    move_deadline_to_past(with_bids)
    tender = services.tender_close(tender=with_bids, actor=user("olivia"))
    with pytest.raises(TenderStateError) as error:
        services.document_remove(
            tender=tender, document=document, actor=user("olivia"), reason="Out of date."
        )
    assert error.value.code == "wrong_status"


def test_a_bid_attachment_is_not_a_tender_document(
    published: Tender, supplier_org: Any, client_for: Any
) -> None:
    attachment = _attach(published, supplier_org)
    url = reverse("tenders:document_remove", args=[published.pk, attachment.pk])
    assert client_for("officer").post(url, {"reason": "Why not."}).status_code == 404
    with pytest.raises(TenderError) as error:
        services.document_remove(
            tender=published, document=attachment, actor=user("olivia"), reason="Why not."
        )
    assert error.value.code == "unknown_document"
    assert Document.objects.filter(pk=attachment.pk).exists()


@pytest.mark.parametrize(
    ("who", "method", "status"),
    [("county_officer", "post", 404), ("evaluator", "post", 403), ("officer", "put", 405)],
)
def test_document_removal_checks_org_role_and_method(
    draft: Tender, client_for: Any, county: Any, client: Any, who: str, method: str, status: int
) -> None:
    document = _tender_document(draft)
    url = reverse("tenders:document_remove", args=[draft.pk, document.pk])
    if who == "county_officer":  # an officer, but of another organisation
        MembershipFactory(organisation=county, role="officer", user__username="oscar")
        client.force_login(user("oscar"))
    else:
        client = client_for(who)
    response = getattr(client, method)(url, {"reason": "Because."})
    assert response.status_code == status
    assert Document.objects.filter(pk=document.pk).exists()
