"""The core tables (schema version 1): repositories, records, history, attachments, idempotency keys, the
discussion, watchers and the outbox. Every row hangs from a repository row (one per instance and repository
type name); the site's own outbox rows have no repository.

A record row keeps the stored document exactly as the embedded store keeps it (``doc``: system fields beside
field values, timestamps as ``documents.stamp`` strings), so both backends read a record the same way; its
system fields are columns too, for indexes. (JSONB keeps an object's keys in an order of its own, shorter keys
first: nothing may rely on the order of a document's keys; since schema version 9, ``record_docs``, the
record's document is ``json``, kept as written.) ``keys``, ``facets``, ``points``, ``texts`` and ``sorts`` are
what the field types derive from the values for filters, facet counts and sort (``derived.py``).
"""

CORE = """
CREATE TABLE repositories (
    id              serial PRIMARY KEY,
    instance        text NOT NULL,
    repository      text NOT NULL,
    next_reference  bigint NOT NULL DEFAULT 1,      -- taken under the row's lock, only ever moves forward
    revision        bigint NOT NULL DEFAULT 0,      -- every write adds one: caches are kept under it
    meta            jsonb NOT NULL DEFAULT '{}',
    UNIQUE (instance, repository)
);

CREATE TABLE records (
    repo            integer NOT NULL REFERENCES repositories (id),
    number          bigint NOT NULL,
    reference       text NOT NULL,
    status          text NOT NULL,
    created         timestamptz NOT NULL,
    created_by      text NOT NULL,
    updated         timestamptz NOT NULL,
    updated_by      text NOT NULL,
    version         integer NOT NULL,
    deleted         boolean NOT NULL DEFAULT false,
    type_revision   text NOT NULL DEFAULT '',
    doc             jsonb NOT NULL,
    keys            jsonb NOT NULL DEFAULT '{}',
    facets          jsonb NOT NULL DEFAULT '{}',
    points          jsonb NOT NULL DEFAULT '{}',
    texts           jsonb NOT NULL DEFAULT '{}',
    sorts           jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (repo, number),
    UNIQUE (repo, reference)
);
CREATE INDEX records_live ON records (repo, deleted, number);
CREATE INDEX records_status ON records (repo, status) WHERE NOT deleted;
CREATE INDEX records_created_by ON records (repo, created_by) WHERE NOT deleted;
CREATE INDEX records_keys ON records USING gin (keys jsonb_path_ops);

CREATE TABLE history (
    id              bigserial PRIMARY KEY,
    repo            integer NOT NULL REFERENCES repositories (id),
    number          bigint NOT NULL,
    version         integer NOT NULL,
    doc             jsonb NOT NULL
);
CREATE INDEX history_record ON history (repo, number, id);

CREATE TABLE attachments (
    id              text PRIMARY KEY,
    seq             bigserial,
    repo            integer NOT NULL REFERENCES repositories (id),
    number          bigint,                         -- NULL while staged: no record write has taken it yet
    field           text NOT NULL,
    filename        text NOT NULL,
    content_type    text NOT NULL,
    size            bigint NOT NULL,
    sha256          text NOT NULL,
    uploaded        timestamptz NOT NULL,
    uploaded_by     text NOT NULL,
    doc             jsonb NOT NULL,                 -- as ``documents.attachment_doc`` writes it
    text            text                            -- extracted for search; NULL: none
);
CREATE INDEX attachments_record ON attachments (repo, number, seq);

CREATE TABLE attachment_content (
    id              text NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
    chunk           integer NOT NULL,
    data            bytea NOT NULL,
    PRIMARY KEY (id, chunk)
);

CREATE TABLE requests (
    repo            integer NOT NULL REFERENCES repositories (id),
    key             text NOT NULL,
    at              timestamptz NOT NULL,
    fingerprint     text NOT NULL,
    reference       text NOT NULL,
    PRIMARY KEY (repo, key)
);

CREATE TABLE comments (
    id              text PRIMARY KEY,
    seq             bigserial,
    repo            integer NOT NULL REFERENCES repositories (id),
    number          bigint NOT NULL,
    doc             jsonb NOT NULL
);
CREATE INDEX comments_record ON comments (repo, number, seq);

CREATE TABLE watchers (
    repo            integer NOT NULL REFERENCES repositories (id),
    number          bigint NOT NULL,
    username        text NOT NULL,
    PRIMARY KEY (repo, number, username)
);
CREATE INDEX watchers_user ON watchers (username, repo);

CREATE TABLE outbox (
    seq             bigserial PRIMARY KEY,
    repo            integer REFERENCES repositories (id),      -- NULL: the site's own outbox
    id              text NOT NULL UNIQUE,
    key             text NOT NULL DEFAULT '',
    state           text NOT NULL,
    next_at         text NOT NULL DEFAULT '',
    claimed_until   text NOT NULL DEFAULT '',
    doc             jsonb NOT NULL                  -- the notice and its delivery, as the embedded outbox keeps it
);
CREATE UNIQUE INDEX outbox_key ON outbox (coalesce(repo, 0), key) WHERE key <> '';
CREATE INDEX outbox_due ON outbox (coalesce(repo, 0), state, next_at);

CREATE TABLE documents (
    name            text PRIMARY KEY,               -- 'accounts', 'drafts:<instance>', 'alerts', ...
    revision        bigint NOT NULL DEFAULT 0,
    body            jsonb NOT NULL
);
"""
