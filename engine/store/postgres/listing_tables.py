"""Indexes and counts for filters, facets and sort (schema version 2).

Filters on field values are answered from the GIN index on ``keys`` (version 1). The indexes here serve the
sorts a browse page starts with (the listing's default is most recently updated first), walked backwards for
a descending sort, so a first page reads only its own rows.

``facet_counts`` holds, per repository and pool (live or deleted), how many records count under each facet
key (name ``''``, key ``''``: how many records there are). A trigger keeps it in the same transaction as
every write of ``records``, once per statement (an import of thousands of rows adds its counts at once), so
a browse page without filters never counts rows; nor does one with a single filter (``pair_tables``); with
other filters, ``listing`` counts the rows they select.
"""

LISTING = """
CREATE INDEX records_updated ON records (repo, deleted, updated, number);
CREATE INDEX records_created ON records (repo, deleted, created, number);

CREATE TABLE facet_counts (
    repo            integer NOT NULL REFERENCES repositories (id),
    deleted         boolean NOT NULL,
    name            text NOT NULL,
    key             text NOT NULL,
    count           bigint NOT NULL,
    PRIMARY KEY (repo, deleted, name, key)
);

-- The facet terms of one row: ('', '') for the row itself, then (name, key) for each of its facet keys.
CREATE FUNCTION facet_terms(facets jsonb) RETURNS TABLE (name text, key text) LANGUAGE sql IMMUTABLE AS $$
    SELECT '', '' UNION ALL
    SELECT f.key, k.key FROM jsonb_each(facets) AS f, jsonb_array_elements_text(f.value) AS k(key)
$$;

-- The rows a statement added count once more, those it removed once less (an update does both, and a change
-- that moves no count writes nothing); in key order, so that two writes never wait for each other's rows.
CREATE FUNCTION count_facets() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT repo, deleted, facets, 1 AS sign FROM added'
        WHEN 'DELETE' THEN 'SELECT repo, deleted, facets, -1 AS sign FROM removed'
        ELSE 'SELECT repo, deleted, facets, 1 AS sign FROM added '
             'UNION ALL SELECT repo, deleted, facets, -1 FROM removed' END;
BEGIN
    EXECUTE 'INSERT INTO facet_counts (repo, deleted, name, key, count) '
            'SELECT c.repo, c.deleted, t.name, t.key, sum(c.sign) FROM (' || changed || ') AS c '
            'CROSS JOIN LATERAL facet_terms(c.facets) AS t '
            'GROUP BY 1, 2, 3, 4 HAVING sum(c.sign) <> 0 ORDER BY 1, 2, 3, 4 '
            'ON CONFLICT (repo, deleted, name, key) DO UPDATE SET count = facet_counts.count + excluded.count';
    RETURN NULL;
END $$;

CREATE TRIGGER records_counted_insert AFTER INSERT ON records REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION count_facets();
CREATE TRIGGER records_counted_update AFTER UPDATE ON records REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION count_facets();
CREATE TRIGGER records_counted_delete AFTER DELETE ON records REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION count_facets();

INSERT INTO facet_counts (repo, deleted, name, key, count)
SELECT r.repo, r.deleted, t.name, t.key, count(*) FROM records AS r CROSS JOIN LATERAL facet_terms(r.facets) AS t
GROUP BY 1, 2, 3, 4;
"""
