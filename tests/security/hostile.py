"""Helpers for the security tests: hostile values, a page check that finds any markup they could have made,
and a fingerprint of the data folder to prove that a refused request wrote nothing."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from bs4 import BeautifulSoup

#: Each breaks out of a different context: element text, a quoted or unquoted attribute, a textarea, a URL,
#: a Jinja expression evaluated twice.
XSS_PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)' x='",
    "x onfocus=alert(1) autofocus",
    "</textarea><script>alert(1)</script>",
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "{{ 7 * 7 }}{% raw %}",
)
#: Text a person could paste from another system: direction overrides, joiners, combining marks, emoji.
ODD_UNICODE = (
    "Ward \u202eevil\u202c 12",                 # right-to-left override
    "\U0001F469\u200D\u2695\uFE0F nurse-led",     # woman health worker: zero-width joiner sequence
    "Cafe\u0301 Z\u0335\u0321a\u0336lgo",       # combining marks
    "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",    # Hebrew and Arabic
    "\U0001F3E5\U0001F489 clinic",              # emoji outside the BMP
    "zero\u200bwidth\ufeffspaces",              # zero-width space, BOM
)
#: Control characters a form may still carry (pasted, or sent by a script).
CONTROL_CHARACTERS = ("a\x00b", "bell\x07", "esc\x1b[31mred", "del\x7f", "vt\x0bff\x0c")

SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)


def page_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def assert_no_injected_markup(response) -> BeautifulSoup:
    """Fail if the page carries anything a payload could have made live: a script other than ours, an event
    handler attribute (an ``<svg onload>`` included), a link or source to a script URL, an image not from our
    assets, a frame, an object or a base address."""
    page = page_of(response)
    scripts = [s.get("src", "").split("?")[0] for s in page.find_all("script")]
    assert scripts == ["/assets/engine.js"], f"unexpected scripts: {scripts}"
    for tag in page.find_all(True):
        handlers = [name for name in tag.attrs if name.lower().startswith("on")]
        assert not handlers, f"event handler on {tag.name}: {tag}"
        for name in ("href", "src", "action", "formaction"):
            assert not SCRIPT_URL.match(str(tag.get(name) or "")), f"script URL in {name}: {tag}"
    assert not page.find_all(["iframe", "object", "embed", "base"]), "markup made from input"
    foreign_images = [img for img in page.find_all("img") if not str(img.get("src", "")).startswith("/assets/")]
    assert not foreign_images, f"an image made from input: {foreign_images}"
    return page


def shows(page: BeautifulSoup, value: str) -> bool:
    """The value appears as text, or as the value of an input or the text of a textarea (as typed)."""
    if value in page.get_text():
        return True
    return any(value == (tag.get("value") or "") for tag in page.find_all("input"))


def data_fingerprint(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a checksum of its content: equal fingerprints, nothing written."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def records_in(app) -> list:
    site = app.extensions["repo_engine"]
    return list(site.store(site.repository("qi", "qi-project")).iter_all())
