"""Every form post needs the CSRF token of the page it came from: without it, the explained 400 page and nothing
written. The routes are read from the app, so a form added later is covered without editing this test."""
from __future__ import annotations

import pytest

from hostile import data_fingerprint, page_of, records_in
from web.webpages import BASE, project, upload

URL_VALUES = {"instance": "qi", "repo": "qi-project", "reference": "QI-0001", "username": "ada", "number": 1}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def unsafe_routes(app, api: bool) -> list[tuple[str, str]]:
    """(method, URL) of every route that changes something: the site's forms, or the API's (``api=True``).
    URL parts name things that exist (the signed-in admin, QI-0001), so a post that got through would show."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") != api:
            continue
        values = {name: URL_VALUES.get(name, "no-such-thing") for name in rule.arguments}
        url = rule.build(values, append_unknown=False)[1]
        routes += [(method, url) for method in sorted(rule.methods & UNSAFE)]
    return sorted(routes)


#: The one form spared the token: a mail's one-click unsubscribe (RFC 8058) is posted by the mail program, which
#: has no session; the signed token in its address is what it must carry instead.
TOKEN_FREE = ("/unsubscribe/",)


def post_urls(app) -> list[str]:
    return [url for method, url in unsafe_routes(app, api=False) if method == "POST" and not url.startswith(TOKEN_FREE)]


def test_only_the_one_click_unsubscribe_is_spared_the_token_and_it_needs_a_signed_address(csrf_app, csrf_client,
                                                                                         tmp_path):
    spared = [url for method, url in unsafe_routes(csrf_app, api=False) if url.startswith(TOKEN_FREE)]
    assert len(spared) == 1
    before = data_fingerprint(tmp_path / "data")
    response = csrf_client.post(spared[0], data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 404         # an address not signed by this site stops nothing
    assert data_fingerprint(tmp_path / "data") == before


def token(client, url: str) -> str:
    return page_of(client.get(url)).select_one("input[name=csrf_token]")["value"]


@pytest.fixture
def saved_record(csrf_client):
    """QI-0001, saved through the form with its token, so that the edit form's post has a record to change."""
    response = csrf_client.post(BASE + "new", data=project(csrf_token=token(csrf_client, BASE + "new")))
    assert response.status_code == 302
    return response.headers["Location"]


def test_the_form_routes_are_among_those_checked(csrf_app):
    assert {BASE + "new", BASE + "QI-0001/edit", BASE + "QI-0001/delete", "/account/password"} \
        <= set(post_urls(csrf_app))
    assert {method for method, _ in unsafe_routes(csrf_app, api=False)} == {"POST"}


@pytest.mark.parametrize("token_sent", [None, "forged-token"])
def test_a_post_without_its_token_is_refused_on_every_route_and_writes_nothing(
        csrf_app, csrf_client, saved_record, tmp_path, token_sent):
    before = data_fingerprint(tmp_path / "data")
    for url in post_urls(csrf_app):
        data = project(title="Changed by another site", version="1", status="Completed", report=upload())
        if token_sent:
            data["csrf_token"] = token_sent
        response = csrf_client.post(url, data=data, content_type="multipart/form-data")
        assert response.status_code == 400, url
        page = page_of(response)
        assert page.select_one("main h1").get_text(strip=True) == "Your form could not be sent", url
        assert "reload the form and send it again" in page.select_one("main").get_text(" ", strip=True)
    assert data_fingerprint(tmp_path / "data") == before
    assert [r.values["title"] for r in records_in(csrf_app)] == [project()["title"]]


def test_a_token_from_another_session_is_refused(csrf_app, csrf_client, saved_record):
    from access_helpers import sign_in
    other = csrf_app.test_client()
    sign_in(other, csrf_app, "mal", role="admin")
    stolen = token(other, BASE + "new")
    response = csrf_client.post(BASE + "new", data=project(csrf_token=stolen))
    assert response.status_code == 400
    assert len(records_in(csrf_app)) == 1


def test_the_api_which_needs_no_token_takes_nothing_from_the_session_cookie(csrf_app, csrf_client, saved_record,
                                                                            tmp_path):
    """The API is exempt from CSRF tokens because it accepts only bearer tokens: a browser's cookie, which
    another site could make it send, must not be enough to write there."""
    routes = unsafe_routes(csrf_app, api=True)
    assert routes, "the API has no routes that write"
    before = data_fingerprint(tmp_path / "data")
    for method, url in routes:
        response = csrf_client.open(url, method=method, json={"values": {"title": "Changed by another site"}},
                                    headers={"If-Match": "1"})
        assert response.status_code in (401, 403), (method, url, response.status_code)
    assert data_fingerprint(tmp_path / "data") == before
