"""One-click unsubscribe: the signed link of an alert or watch mail stops it without signing in, a mail
program's RFC 8058 post does the same without a form token, and a link the site did not sign stops nothing."""
from __future__ import annotations

import pytest

from alertkit import SECRET, html
from engine.notify.alerts import DAILY, AlertNotFound
from engine.notify.unsubscribe import alert_path, token_for, watch_path


def saved(alert_site):
    return alert_site.alerts.add("ann", "ann@example.nhs.uk", instance="qi", repository="project",
                                 query="q=falls", title="Projects matching “falls”", frequency=DAILY)


def test_the_page_says_what_stops_and_its_button_stops_the_alert(alert_site):
    alert = saved(alert_site)
    client = alert_site.client(None)            # nobody signed in: the mail's link is enough
    path = alert_path(SECRET, alert.id)

    page = html(client.get(path))
    assert "Projects matching “falls”" in page.select_one("main").get_text()
    assert alert_site.alerts.get(alert.id)       # looking at the page stops nothing
    button = page.select_one("main form button")
    assert button.get_text(strip=True) == "Unsubscribe"

    done = client.post(path)
    assert done.status_code == 200 and "You have unsubscribed" in html(done).h1.get_text()
    with pytest.raises(AlertNotFound):
        alert_site.alerts.get(alert.id)
    again = client.get(path)
    assert again.status_code == 200 and "already been deleted" in html(again).h1.get_text()


def test_a_mail_programs_one_click_post_needs_no_form_token(csrf_site):
    alert = saved(csrf_site)
    response = csrf_site.client(None).post(alert_path(SECRET, alert.id), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert csrf_site.alerts.owned_by("ann") == []


def test_only_this_route_is_spared_the_form_token(csrf_site):
    alert = saved(csrf_site)
    refused = csrf_site.client("ann").post(f"/account/alerts/{alert.id}/delete")
    assert refused.status_code == 400
    assert csrf_site.alerts.get(alert.id)


def test_a_watch_link_stops_the_watch(csrf_site):
    record = csrf_site.create("Falls audit")
    store = csrf_site.store()
    store.set_watching(record.reference, "ann", True)
    path = watch_path(SECRET, "qi", "project", record.reference, "ann")
    page = html(csrf_site.client(None).get(path))
    assert record.reference in page.select_one("main").get_text()
    assert store.watchers(record.reference) == {"ann"}

    csrf_site.client(None).post(path, data={"List-Unsubscribe": "One-Click"})

    assert store.watchers(record.reference) == frozenset()


@pytest.mark.parametrize("token", [
    token_for("another site's key", "alert", "x" * 22),      # forged: signed with another key
    "not-a-token-at-all",
    token_for(SECRET, "something", "else"),                  # signed, but names nothing that can stop
])
def test_a_link_the_site_did_not_make_stops_nothing(alert_site, token):
    alert = saved(alert_site)
    forged = token_for("another site's key", "alert", alert.id) if "x" * 22 in token else token
    for method in ("get", "post"):
        response = getattr(alert_site.client(None), method)(f"/unsubscribe/{forged}")
        assert response.status_code == 404
        assert "not valid" in html(response).h1.get_text()
    assert alert_site.alerts.get(alert.id)


def test_a_forged_watch_token_leaves_the_watch(alert_site):
    record = alert_site.create("Falls audit")
    alert_site.store().set_watching(record.reference, "ann", True)
    forged = watch_path("guessed", "qi", "project", record.reference, "ann")
    assert alert_site.client(None).post(forged).status_code == 404
    assert alert_site.store().watchers(record.reference) == {"ann"}
