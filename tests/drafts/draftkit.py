"""Helpers for the drafts tests: the form a person half fills in, and what a page says."""
from __future__ import annotations

from web.webpages import BASE, html

DRAFTS = BASE + "drafts"


def save_draft(client, **values):
    """Press "Save as draft" on the new-record form; the response (a redirect to the draft when saved)."""
    return client.post(DRAFTS, data={**values, "save_draft": "1"}, content_type="multipart/form-data")


def saved_draft(client, **values) -> str:
    """Save a draft from the new-record form; its page's address."""
    response = save_draft(client, **values)
    assert response.status_code == 302, html(response).select(".nhsuk-error-summary")
    return response.headers["Location"]


def post_draft(client, address: str, version: int = 1, save: bool = False, **values):
    """Post the draft's own form: "Submit", or "Save as draft" when ``save``."""
    data = {**values, "draft_version": str(version), **({"save_draft": "1"} if save else {})}
    return client.post(address, data=data, content_type="multipart/form-data")


def problems(response) -> list[str]:
    return [item.get_text(strip=True) for item in html(response).select(".nhsuk-error-summary__list li")]


def banners(response) -> list[str]:
    return [b.get_text(" ", strip=True) for b in html(response).select(".nhsuk-notification-banner__heading")]
