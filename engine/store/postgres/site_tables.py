"""Site tables beside the repositories (schema version 4): the spreadsheets import pages hold between a
check and its confirm (``engine.exchange.held``), so that any application server may take the confirm.

The site's other data (accounts, alerts, drafts, sign-in counts, the secret key) is kept whole in the core
``documents`` table, and its outbox in ``outbox`` rows of no repository."""

SITE = """
CREATE TABLE held_imports (
    name            text PRIMARY KEY,               -- <random>.<csv|xlsx|json|zip>, as the page's form names it
    held_at         timestamptz NOT NULL DEFAULT now(),
    data            bytea NOT NULL,
    note            jsonb NOT NULL DEFAULT '{}'     -- its file name, the versions first read, its good rows
);
CREATE INDEX held_imports_age ON held_imports (held_at);
"""
