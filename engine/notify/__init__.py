"""Notifications: what happened to a record, told by email and webhook through an outbox that loses nothing.

``notice`` holds the values written to the outbox; ``recipients`` decides who is told (from a type's ``notify:``
rules, watchers and roles); the outbox itself is part of each store (``engine.store.outbox``), written in the
same write as the change; ``sender`` delivers it (``mail``, ``smtp``, ``webhook``); ``alerts`` keeps people's
saved searches and ``digest`` sends what is new in them.
"""
