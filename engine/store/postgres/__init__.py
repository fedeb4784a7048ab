"""The PostgreSQL backend: the whole site (every instance's records, history, files, discussion, outbox,
accounts, drafts and alerts) in one database, for a deployment of several application servers.

- ``database``: the connection pool of one database URL, shared by every store of the process, and the
  repository rows (one per instance and repository) that every other table hangs from;
- ``schema``: the versioned schema, created and upgraded by the application itself under an advisory lock;
- ``store``: ``PostgresStore``, the ``Store`` of one repository;
- ``listing``: filters, facet counts, sort and paging in SQL, from what each field type says (``derived``);
  pages in an index's order (``sort_indexes``), counts under one filter kept by the write path
  (``pair_tables``, ``pair_counts``);
- ``search``: the ranked search, answered from term tables the write path keeps (``engine.search``'s rules);
  a page of a search holding a common word read from that word's weight order (``search_ranked``);
- ``rederiving``: what the rows derive, made again when a repository's type changes;
- ``documents``: ``DatabaseDocument``, the site's small tables kept whole (accounts, alerts, drafts, the count of
  failed sign-ins, the secret key), the twin of ``engine.store.wholefile`` (``engine.store.places`` chooses).
"""
