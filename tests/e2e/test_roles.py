"""Each demo role signs in, sees its navigation, and every page it reaches is accessible."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.steps import (
    given_i_am_signed_in_as,
    then_the_error_summary_leads_to,
    then_the_navigation_is,
    then_the_page_is_accessible,
)

NAVIGATION_BY_USER = {
    "admin": [
        "Dashboard",
        "Tenders",
        "Contracts",
        "Spend",
        "Suppliers",
        "Frameworks",
        "Team",
        "Audit log",
    ],
    "officer": ["Dashboard", "Tenders", "Contracts", "Spend", "Frameworks"],
    "evaluator": ["Dashboard", "Evaluations", "Frameworks"],
    "contracts": ["Dashboard", "Contracts", "Spend", "Frameworks"],
    "analyst": ["Dashboard", "Spend", "Suppliers", "Frameworks"],
    "coordinator": ["Dashboard", "Spend", "Frameworks", "Network"],
    "supplier": ["Dashboard", "Bids", "Contracts"],
    "supplier-admin": ["Dashboard", "Bids", "Contracts", "Team", "Audit log"],
}


@pytest.mark.parametrize(("username", "navigation"), NAVIGATION_BY_USER.items())
def test_it_shows_each_role_its_navigation_and_accessible_pages(
    page: Any, username: str, navigation: list[str]
) -> None:
    given_i_am_signed_in_as(page, username)
    then_the_navigation_is(page, navigation)
    nav = page.get_by_role("navigation", name="Main navigation")
    hrefs = [link.get_attribute("href") for link in nav.get_by_role("link").all()]
    for href in hrefs:
        page.goto(href)
        expect(page.locator("h1")).to_be_visible()
        then_the_page_is_accessible(page)


def test_it_makes_the_sign_in_page_accessible_with_a_working_error_summary(page: Any) -> None:
    page.goto("/sign-in/")
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Sign in").click()
    then_the_error_summary_leads_to(page, "Username")
    then_the_page_is_accessible(page)


def test_it_switches_organisation(page: Any) -> None:
    given_i_am_signed_in_as(page, "analyst")
    expect(page.locator("[data-testid=current-organisation]")).to_have_text(
        "Kingsbridge City Council"
    )
    page.get_by_role("link", name="Switch organisation").click()
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Work in Westshire County Council").click()
    expect(page.locator("[data-testid=current-organisation]")).to_have_text(
        "Westshire County Council"
    )
    expect(page.locator("h1")).to_have_text("Westshire County Council")
    then_the_page_is_accessible(page)


def test_it_invites_someone_who_joins_with_the_link(page: Any) -> None:
    given_i_am_signed_in_as(page, "admin")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Team").click()
    page.get_by_role("button", name="Invite someone").click()
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Create invitation link").click()
    then_the_error_summary_leads_to(page, "Email address")
    page.get_by_label("Email address").fill("new.person@example.org")
    page.get_by_label("Evaluator").check()
    page.get_by_role("button", name="Create invitation link").click()
    link = page.locator("[data-testid=invitation-link]").inner_text()
    then_the_page_is_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.goto(link)
    then_the_page_is_accessible(page)
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Person")
    page.get_by_label("Username").fill("nia")
    page.get_by_label("Password").fill("a-long-unusual-passphrase-42")
    page.get_by_role("button", name="Create account and join").click()
    expect(page.locator("h1")).to_have_text("Kingsbridge City Council")
    expect(page.get_by_text("You are signed in as evaluator")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.goto(link)
    expect(page.locator("[data-testid=invitation-reason]")).to_contain_text("already been used")
    then_the_page_is_accessible(page)


def test_it_changes_a_role_in_place_with_htmx(page: Any) -> None:
    given_i_am_signed_in_as(page, "admin")
    page.goto("/team/")
    page.get_by_label("Role for Eleanor Shah").select_option("Analyst")
    page.get_by_role("button", name="Change role for Eleanor Shah").click()
    expect(page.get_by_role("status")).to_have_text("Saved")
    expect(page.locator(".govuk-notification-banner")).to_have_count(0)  # no full page reload
    page.goto("/audit/")
    expect(page.get_by_text("role changed from Evaluator to Analyst")).to_be_visible()
    then_the_page_is_accessible(page)
