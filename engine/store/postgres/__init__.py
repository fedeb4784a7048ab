"""The PostgreSQL backend: the whole site (every instance's records, history, files, discussion, outbox,
accounts, drafts and alerts) in one database, for a deployment of several application servers.

- ``database``: the connection pool of one database URL, shared by every store of the process, and the
  repository rows (one per instance and repository) that every other table hangs from;
- ``schema``: the versioned schema, created and upgraded by the application itself under an advisory lock;
- ``store``: ``PostgresStore``, the ``Store`` of one repository;
- ``listing``: filters, facet counts, sort and paging in SQL, from what each field type says (``derived``);
- ``search``: the ranked search, answered from term tables the write path keeps (``engine.search``'s rules);
- ``documents``: ``DatabaseDocument``, the site's small tables kept whole (accounts, alerts, drafts, the count of
  failed sign-ins, the secret key), the twin of ``engine.store.wholefile`` (``engine.store.places`` chooses).
"""
