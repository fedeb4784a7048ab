"""Security headers on every response the site gives, the script nonce, cookies, HTTPS and the proxy fix."""
from __future__ import annotations

import re

import pytest
from flask import request

from access_helpers import sign_in
from engine.web import security
from hostile import page_of
from web.conftest import make_app
from web.webpages import BASE, project, upload

#: A value for each URL part, so that every GET route of the site (whoever adds it) is asked for; a part
#: not listed gets a name that exists nowhere, and the 404 page must carry the headers too.
URL_VALUES = {"instance": "qi", "repo": "qi-project", "reference": "QI-0001", "filename": "engine.css", "number": 1}


def get_urls(app, attachment_id: str) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        values = {name: URL_VALUES.get(name, "no-such-thing") for name in rule.arguments}
        if "attachment_id" in values:
            values["attachment_id"] = attachment_id
        urls.append(rule.build(values, append_unknown=False)[1])
    return sorted(set(urls)) + ["/no/such/page", BASE + "QI-9999"]


@pytest.fixture
def every_url(app, client):
    response = client.post(BASE + "new", data=project(report=upload()), content_type="multipart/form-data")
    assert response.status_code == 302
    record = page_of(client.get(response.headers["Location"]))
    attachment = record.select_one("a[href*='/attachments/']")["href"].rsplit("/", 1)[1]
    return get_urls(app, attachment)


def test_every_response_carries_the_hardening_headers(client, every_url):
    assert len(every_url) >= 9
    for url in every_url:
        response = client.get(url)
        assert response.status_code < 500, url
        for name, value in security.HEADERS.items():
            assert response.headers.get(name) == value, (url, name)
        assert response.headers.get("Content-Security-Policy"), url
        assert "Strict-Transport-Security" not in response.headers, url     # plain HTTP here


def test_pages_have_the_nonce_policy_and_are_never_kept_by_a_cache(client, every_url):
    pages = [url for url in every_url if not url.startswith("/assets/") and "/attachments/" not in url]
    for url in pages:
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([A-Za-z0-9_-]{20,})'", policy)
        assert nonce and policy == security.CSP.format(nonce=nonce.group(1)), (url, policy)
        assert "no-store" in response.headers["Cache-Control"], url


def test_the_nonce_is_new_on_each_request_and_is_the_one_on_the_script_tag(client):
    nonces = []
    for _ in range(3):
        response = client.get(BASE)
        header = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        scripts = page_of(response).find_all("script")
        assert [s.get("nonce") for s in scripts] == [header]
        nonces.append(header)
    assert len(set(nonces)) == 3


def test_assets_are_cached_publicly_and_attachments_only_by_the_browser(client, every_url):
    asset = next(url for url in every_url if url.startswith("/assets/"))
    assert "public" in client.get(asset).headers["Cache-Control"]
    download = client.get(next(url for url in every_url if "/attachments/" in url))
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download.headers["Cache-Control"] == "private, no-cache"


def session_cookie(client, app) -> str:
    """The Set-Cookie header of a response that writes the session (a save flashes its confirmation)."""
    sign_in(client, app, "eve", role="editor")
    response = client.post(BASE + "new", data=project())
    assert response.status_code == 302
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_session_cookie_is_http_only_and_same_site_lax_over_plain_http(app):
    cookie = session_cookie(app.test_client(), app)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


@pytest.mark.parametrize("config", [{"HTTPS": True}, {"PREFERRED_URL_SCHEME": "https"}])
def test_over_https_cookies_are_secure_and_hsts_is_sent(tmp_path, config):
    app = make_app(tmp_path, **config)
    client = app.test_client()
    cookie = session_cookie(client, app)
    assert "Secure" in cookie and "HttpOnly" in cookie
    response = client.get("/")
    assert response.headers["Strict-Transport-Security"] == security.DEFAULT_HSTS
    assert app.config["PREFERRED_URL_SCHEME"] == "https"


def test_https_is_taken_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("REPO_ENGINE_HTTPS", "1")
    assert make_app(tmp_path).config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("proxies, seen", [(0, "http 127.0.0.1 "), (1, "https 10.1.2.3 /repo")])
def test_a_proxy_forwarded_scheme_and_address_are_trusted_only_when_configured(tmp_path, proxies, seen):
    app = make_app(tmp_path, PROXY_FIX=proxies)

    @app.get("/_seen")
    def what_the_app_sees():
        return f"{request.scheme} {request.remote_addr} {request.script_root}"
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3", "X-Forwarded-Prefix": "/repo"}
    assert app.test_client().get("/_seen", headers=forwarded).get_data(as_text=True) == seen


@pytest.mark.parametrize("config, hours", [({}, 12), ({"SESSION_HOURS": 8}, 8),
                                           ({"PERMANENT_SESSION_LIFETIME": 3600}, 1)])
def test_a_sign_in_lasts_a_working_shift_unless_configured(tmp_path, config, hours):
    app = make_app(tmp_path, **config)
    assert app.permanent_session_lifetime.total_seconds() == hours * 3600


def test_templates_hold_no_script_or_style_the_policy_would_refuse():
    """The policy refuses inline scripts, inline styles and event-handler attributes: a template adding one
    would break in the browser, so it is caught here first."""
    from pathlib import Path

    import engine.web
    templates = sorted((Path(engine.web.__file__).parent / "templates").rglob("*.html"))
    assert len(templates) > 10
    for path in templates:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<[^>]*\son[a-z]+\s*=", text), f"{path.name}: event-handler attribute"
        assert not re.search(r"<[^>]*\sstyle\s*=", text) and "<style" not in text, f"{path.name}: inline style"
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag and 'nonce="{{ csp_nonce() }}"' in tag, f"{path.name}: {tag}"


def test_a_server_error_page_carries_the_headers_and_no_traceback(app, client, monkeypatch):
    site = app.extensions["repo_engine"]
    store = site.store(site.repository("qi", "qi-project"))
    monkeypatch.setattr(store, "query", lambda query: 1 / 0)
    response = client.get(BASE + "?q=anything-not-cached")
    assert response.status_code == 500
    assert "ZeroDivisionError" not in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "'nonce-" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("host, status", [("repo.example.nhs.uk", 200), ("evil.example", 400)])
def test_trusted_hosts_refuse_a_forged_host_header(tmp_path, monkeypatch, host, status):
    monkeypatch.setenv("REPO_ENGINE_TRUSTED_HOSTS", '["repo.example.nhs.uk"]')
    app = make_app(tmp_path)
    response = app.test_client().get("/", headers={"Host": host})
    assert response.status_code == status
    assert response.headers["X-Frame-Options"] == "DENY"
    if status == 400:
        assert response.get_data(as_text=True) == "Host 'evil.example' is not trusted."
