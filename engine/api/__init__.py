"""The JSON API under ``/api/v1/``: other systems (an intranet, Power BI) list, read, add and change records
with a token. ``routes`` (the blueprint), ``openapi`` (the description built from the schemas), ``auth``
(bearer tokens), ``problems`` (JSON errors), ``representation`` (records <-> JSON), ``query`` (list filters)."""
