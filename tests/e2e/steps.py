"""Given/when/then steps shared by the browser tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from socialvalue.web.demo import DEMO_PASSWORD

AXE_SOURCE = Path(__file__).with_name("axe.min.js")


def given_i_am_signed_in_as(page: Any, username: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("[data-testid=current-organisation]")).to_be_visible()


def then_the_navigation_is(page: Any, labels: list[str]) -> None:
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link")).to_have_text(labels)


def then_the_page_is_accessible(page: Any) -> None:
    """axe-core finds no serious or critical WCAG 2.2 A/AA violation on the page."""
    page.add_script_tag(path=str(AXE_SOURCE))
    results = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values: [
              'wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert problems == [], f"{page.url}: {problems}"


def then_the_error_summary_leads_to(page: Any, field_label: str) -> None:
    """The title starts with "Error: ", and the summary link moves focus to the field."""
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()  # waits for the re-rendered page before reading its title
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary.get_by_role("link").first.click()
    expect(page.get_by_label(field_label, exact=True)).to_be_focused()
