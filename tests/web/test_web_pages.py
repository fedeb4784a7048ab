"""Home pages, assets and every kind of error page: what a visitor sees when the URL is right and when not."""
from __future__ import annotations

import pytest

from web.conftest import make_app
from engine.web.app import create_app
from access_helpers import sign_in
from webpages import BASE, html, submit, upload


def test_site_home_lists_every_instance(client):
    page = html(client.get("/"))
    links = {a.get_text(strip=True): a["href"] for a in page.select("main .nhsuk-card__link")}
    assert links == {"Quality Improvement Team": "/qi/"}


def test_instance_home_shows_repositories_with_counts_and_latest_records(client):
    submit(client, title="Safer discharge")
    page = html(client.get("/qi/"))
    card = page.select_one("main section.nhsuk-card")
    assert card.select_one("h2 a")["href"] == BASE
    assert "1 quality improvement project" in card.get_text(" ", strip=True)
    assert [a.get_text(strip=True) for a in card.select("ul.nhsuk-list a")] == ["QI-0001: Safer discharge"]
    assert page.select_one(".nhsuk-header__organisation-name").get_text() == "Example NHS Trust"
    assert page.select_one(".nhsuk-header__service-name").get_text() == "Quality Improvement Team"


@pytest.mark.parametrize("url, words", [
    ("/nowhere/", "There is no instance called “nowhere”."),
    ("/qi/audits/", "The qi instance has no repository called “audits”."),
    ("/nowhere/audits/new", "There is no instance called “nowhere”."),
    (BASE + "QI-0404", "There is no record QI-0404."),
    (BASE + "QI-0404/edit", "There is no record QI-0404."),
    (BASE + "QI-0404/history", "There is no record QI-0404."),
])
def test_unknown_instance_repository_or_record_gives_a_helpful_404(client, url, words):
    response = client.get(url)
    assert response.status_code == 404
    page = html(response)
    assert page.select_one("main h1").get_text() == "Page not found"
    assert page.select_one("main p").get_text() == words


def test_unknown_attachment_is_a_404(client):
    record = submit(client)
    assert client.get(record + "/attachments/nothing-here").status_code == 404


def test_assets_are_served_with_long_cache_headers(client):
    page = html(client.get("/"))
    stylesheet = page.select_one("link[rel=stylesheet]")["href"]
    response = client.get(stylesheet)
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert client.get("/assets/images/nhsuk-icon-search.svg").status_code == 200
    assert client.get("/assets/../pyproject.toml").status_code == 404


def test_an_unexpected_error_shows_a_page_without_a_traceback(app, client, monkeypatch):
    site = app.extensions["repo_engine"]
    store = site.store(site.repository("qi", "qi-project"))

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals /etc/passwd")
    monkeypatch.setattr(store, "query", broken)
    response = client.get(BASE)
    assert response.status_code == 500
    text = html(response).select_one("main").get_text()
    assert "Sorry, there is a problem with the service" in text
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_an_oversized_upload_gets_a_413_page(tmp_path):
    app = make_app(tmp_path, MAX_CONTENT_LENGTH=1024)
    client = app.test_client()
    sign_in(client, app)
    response = client.post(BASE + "new", data={"title": "Big", "report": upload(content=b"x" * 4096)},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert html(response).select_one("main h1").get_text() == "The file is too large"


def test_a_form_without_its_csrf_token_is_refused_and_explained(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    sign_in(client, app)
    response = client.post(BASE + "new", data={"title": "No token", "division": "Surgery"})
    assert response.status_code == 400
    assert html(response).select_one("main h1").get_text() == "Your form could not be sent"
    site = app.extensions["repo_engine"]
    assert site.store(site.repository("qi", "qi-project")).count() == 0

    form = html(client.get(BASE + "new"))
    token = form.select_one("input[name=csrf_token]")["value"]
    response = client.post(BASE + "new", data={"csrf_token": token, "title": "With token", "division": "Surgery"})
    assert response.status_code == 302


def test_a_repository_can_have_its_own_browse_template(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "browse-qi-project.html").write_text(
        '{% extends "browse.html" %}{% block title %}Our own list{% endblock %}')
    app = make_app(tmp_path, TEMPLATES=str(templates))
    client = app.test_client()
    sign_in(client, app)
    assert html(client.get(BASE)).title.get_text().startswith("Our own list")
    assert html(client.get(BASE + "new")).title.get_text().startswith("Submit a quality improvement project")


def test_workers_without_a_configured_secret_share_one_kept_beside_the_data(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = make_app(tmp_path, SECRET_KEY=None)
    second = create_app({key: first.config[key] for key in ("SCHEMAS", "INSTANCES", "DATA")})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64
    assert (tmp_path / "data" / ".secret_key").exists()
    assert not list((tmp_path / "instances").rglob(".secret_key"))


def test_a_write_with_nobody_signed_in_is_stopped_not_stamped_with_a_made_up_name(app):
    """Every writing view asks require() first; one that forgot must fail rather than write as 'anonymous'."""
    from engine.web.views import user
    with app.test_request_context("/qi/qi-project/new", method="POST"):
        app.preprocess_request()
        with pytest.raises(PermissionError):
            user()
