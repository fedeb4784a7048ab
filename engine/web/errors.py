"""One handler turning every error into a page chosen by its status: helpful 404s, 413 for a file that is
too large, an explained CSRF failure, 503 for a repository whose data is damaged (or a store that is busy),
507 for a full disk, and a 500 that never shows a traceback. Under /api/ the same errors are answered in
JSON."""
from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from engine.api.problems import is_api_request, json_error
from engine.errors import DataDamaged, NotFound, OutOfSpace, StoreError, as_out_of_space
from engine.web.unreadable import log_damage, named_here

TITLES = {
    400: "Your request could not be handled",
    403: "You do not have permission to do this",
    404: "Page not found",
    405: "That cannot be done here",
    409: "Someone else changed this",
    413: "The file is too large",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "The service is busy",
    507: "The server has run out of space",
}
UNAVAILABLE = "This repository is unavailable"


def _page(status: int, message: str, title: str | None = None):
    if is_api_request():            # a script calling the API reads JSON, never an HTML page
        return json_error(status, message)
    html = render_template("error.html", status=status, title=title or TITLES.get(status, TITLES[500]),
                           message=message)
    return html, status


def not_found(error: NotFound):
    return _page(404, str(error))


def csrf_failed(error: CSRFError):
    return _page(400, "The form could not be sent because it had been open for too long, or it came from "
                      "another page. Go back, reload the form and send it again: you may need to re-enter "
                      "what you typed.", "Your form could not be sent")


def too_large(_error):
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and limit and request.content_length <= limit:
        # Under the size limit: one answer was longer than a form field may carry (MAX_FORM_MEMORY_SIZE), or
        # the form had more parts than MAX_FORM_PARTS. Talking about files here would send people looking
        # for a file they never chose.
        return _page(413, "One of your answers is far longer than this service accepts, or the form had too "
                          "many parts. Go back, shorten the longest answer (or attach it as a document) and "
                          "send the form again.", "The form is too large")
    return _page(413, f"What you sent was larger than the {limit / (1024 * 1024):g} MB this service accepts "
                      "at once. Go back and choose smaller files, or add them one at a time by editing the record.")


def http_error(error: HTTPException):
    if error.code is not None and error.code < 400:
        return error
    message = error.description if error.code != 404 else "Check the address, or start again from the home page."
    kept = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    return (*_page(error.code or 500, message), kept)      # e.g. Allow, which a 405 must carry


def untrusted_host(error: SecurityError):
    # A Host header outside TRUSTED_HOSTS: every link of the page layout is built from that very header, so
    # the answer is plain text.
    return error.description, 400, {"Content-Type": "text/plain; charset=utf-8"}


def unavailable(error: DataDamaged):
    # The page says only what a user can act on; the log says which file and what is wrong with it.
    log_damage(error, named_here())
    return _page(503, str(error), UNAVAILABLE)


def store_refused(error: StoreError):
    # Any other refusal of a store (busy with another write, most often): its message says nothing was saved.
    current_app.logger.warning("Store refused a request (%s): %s", named_here() or request.path, error)
    return _page(503, str(error))


def out_of_space(error: OutOfSpace):
    current_app.logger.error("Out of disk space (%s): nothing was written to %s", named_here() or request.path,
                             error.path or "the data folder")
    return _page(507, str(error))


def os_error(error: OSError):
    """A full disk met outside the store (the account list, the count of failed sign-ins) is the same 507;
    any other OSError is a fault of the service."""
    full = as_out_of_space(error)
    return out_of_space(full) if full is not None else server_error(error)


def server_error(error: Exception):
    current_app.logger.exception("Unhandled error", exc_info=error)
    return _page(500, "Try again later. What you were doing has not been saved unless you saw a "
                      "confirmation.")


def register(app: Flask) -> None:
    app.register_error_handler(NotFound, not_found)
    app.register_error_handler(CSRFError, csrf_failed)
    app.register_error_handler(SecurityError, untrusted_host)
    app.register_error_handler(DataDamaged, unavailable)
    app.register_error_handler(OutOfSpace, out_of_space)
    app.register_error_handler(StoreError, store_refused)
    app.register_error_handler(OSError, os_error)
    app.register_error_handler(413, too_large)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, server_error)
