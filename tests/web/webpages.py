"""Helpers for the page tests: read a response with selectors, and fill in the forms as a user would."""
from __future__ import annotations

import io

from bs4 import BeautifulSoup

BASE = "/qi/qi-project/"


def html(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def project(**values):
    """Form data for a valid submission, with any field replaced."""
    data = {"title": "Reducing falls on Ward 12", "division": "Surgery", "aim": "Fewer falls by March."}
    data.update(values)
    return data


def submit(client, **values):
    """Post the new-record form; returns the record page's URL."""
    response = client.post(BASE + "new", data=project(**values), content_type="multipart/form-data")
    assert response.status_code == 302, html(response).select(".nhsuk-error-summary")
    return response.headers["Location"]


def upload(name="report.pdf", content=b"%PDF-1.4 a report"):
    return (io.BytesIO(content), name)
