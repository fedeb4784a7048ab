"""Record documents kept as written (schema version 9): ``records.doc`` becomes ``json``, compressed with LZ4
where the server has it (PostgreSQL 14 and later, built with it, as the usual packages are).

A page reads its records' whole documents and never asks the database anything of them: filters, facets,
sort and search read what the field types derive (``derived``). As ``jsonb``, each document was decompressed
(``pglz``), parsed out of its binary form and printed back to text for every row of every page read, most of
the database's time for a page of 25; as ``json`` it is the text it was written as, sent as it is, and LZ4
decompresses it several times faster. The text is the application's own (``writing``), so it keeps the keys
in the order they were written, as the embedded store does. Changing the type rewrites the table once, under
the upgrade's lock (see docs/operating.md); an older release still writes its ``jsonb`` into the column, which
PostgreSQL converts on assignment.
"""

AS_WRITTEN = """
DO $$
BEGIN
    EXECUTE 'ALTER TABLE records ALTER COLUMN doc TYPE json USING doc::json, ALTER COLUMN doc SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error THEN      -- no LZ4 in this server, or before version 14
    ALTER TABLE records ALTER COLUMN doc TYPE json USING doc::json;
END $$;
"""
