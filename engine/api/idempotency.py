"""The ``Idempotency-Key`` of a create: read from the request, scoped to the caller, with the body's fingerprint.

A client that is not sure its create arrived (a timeout, a dropped connection) sends it again with the same key
and gets the record first made instead of a second one. The key is the caller's own: it is stored as
``<username>:<key>`` (a username never holds a colon), so two clients choosing the same key never meet. The
fingerprint is the body's canonical JSON, hashed, so a key sent again with other values is refused rather
than answered with a record that is not what was asked for. The store decides, inside its one write.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Mapping

from flask import request

from engine.api.problems import ApiError
from engine.fields.values import whole
from engine.store.base import Idempotency

HEADER = "Idempotency-Key"
#: Set to ``true`` on the answer to a create sent again: the record is the one the first create made.
REPLAYED = "Idempotent-Replayed"
MAX_LENGTH = 255
#: Printable ASCII, space to tilde: what any client can send in a header, and what a log shows as it is.
PATTERN = whole(f"[ -~]{{1,{MAX_LENGTH}}}")
_KEY = re.compile(PATTERN)
INVALID = (f"The {HEADER} header must be 1 to {MAX_LENGTH} printable ASCII characters (letters, digits, "
           "punctuation), such as a UUID; send one header.")


def asked_key(username: str) -> str | None:
    """The caller's ``Idempotency-Key`` scoped to them; None without one. 400 when it is not one we take."""
    sent = request.headers.getlist(HEADER)
    if not sent:
        return None
    if len(sent) > 1 or not _KEY.match(sent[0]):
        raise ApiError(400, INVALID, errors={HEADER: INVALID})
    return f"{username}:{sent[0]}"


def fingerprint(body: Mapping[str, Any]) -> str:
    """The same for the same body however its keys were ordered or spaced: ``status`` and ``values`` alike."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def idempotency(key: str | None, body: Mapping[str, Any]) -> Idempotency | None:
    return None if key is None else Idempotency(key, fingerprint(body))
