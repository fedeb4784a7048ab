"""Repository types change: how stored data follows them.

- ``renames``: old field names and old choice values read as today's, wherever records leave the store;
- ``impact``: the stored values a type no longer has a place for (a removed field or choice, a changed type);
- ``spots``: the line of the YAML where each such change was made, for ``repo-engine check``;
- ``report``: those findings for every repository of a project, as ``file:line: message`` lines.

``repo-engine migrate`` (``engine.cli.migrate``) rewrites the stored documents to today's names and values
through each store's own write path (``Store.migrate``).
"""
