"""Following the site's main navigation as a person does: on a phone, open the Menu first."""

from __future__ import annotations


def follow_nav(page, name: str) -> None:
    """Click a link of the header's navigation, opening the phone's Menu when it is shown."""
    summary = page.locator("details.nav-menu > summary")
    if summary.is_visible() and page.locator("details.nav-menu[open]").count() == 0:
        summary.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()
