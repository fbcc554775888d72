"""Form filling shared by the browser journeys."""

from __future__ import annotations

REGISTRATION = {
    "organisation": "Nairobi Leather Cluster Association",
    "organisation_type": "cluster_association",
    "job_title": "Chairperson",
    "country": "KE",
    "sector": "industry",
    "phone": "+254 700 000000",
}


def fill_registration(page, *, name: str, email: str, opt_in: bool = False, **fields: str) -> None:
    """Fill the registration form with the contract's field names (selects by value)."""
    values = {**REGISTRATION, **fields}
    page.fill("input[name=full_name]", name)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "a long enough password")
    for field in ("organisation", "job_title", "phone"):
        page.fill(f"input[name={field}]", values[field])
    for field in ("organisation_type", "country", "sector"):
        page.select_option(f"select[name={field}]", values[field])
    page.check("input[name=interests][value=export_markets]")
    if opt_in:
        page.check("input[name=directory_opt_in]")
