"""Facet counts under one filter (schema version 6), kept as ``facet_counts`` is, so that a page filtered by
one value (division is Surgery), or by the open/closed switch, gets its total and facet counts without
counting rows (``pair_counts`` reads them).

``facet_pair_counts`` holds, per repository and pool (live or deleted), how many records have the filter key
``filter_key`` of ``filter`` and count under the facet key ``key`` of ``name`` (name ``''``, key ``''``: the
record itself, for totals). The filters are those whose keys a facet also counts, in the same record: the
facetable fields and the system filters (a reference, whose keys are many and facets none, adds nothing).
A record pairs each such key with the facet keys of every other field; the filter's own facet, whose counts
under its filter leave that filter out, is ``facet_counts``'s. A trigger per kind of write keeps the counts in
the same transaction, once per statement, in key order, as ``listing_tables`` does.

The counting functions, this one and ``listing_tables``'s (replaced here), run static statements, planned once
per session rather than at every write, and never compile them (JIT): the planner reckons a row's facet keys
by the hundred, so finds a one-row write's count worth compiling, which costs hundreds of times the count.

Schema version 8 (``PAIRED``) keeps, under each filter, the counts of the facets pages show only: each
repository's ``paired`` names them (its listing's facets and status, set by ``pair_counts.bring_up_to_date``
when a store opens; NULL, as before the step, for every facet). Every facet counted under every other was
hundreds of counts a save, most of the database's work of saving a record. The rows every save updates
(these counts, the search's dictionary and vocabulary) also keep room in their pages, so that an update is
written beside the row it replaces without a new entry in the table's index (a HOT update).

Schema version 10 (``TERMS_ONCE``) makes the same pairs from a row's facet terms listed once, rather than once
for each of its filter keys: a quarter of the time, for every save's count and every recount.
"""

PAIRS = """
CREATE TABLE facet_pair_counts (
    repo            integer NOT NULL REFERENCES repositories (id),
    deleted         boolean NOT NULL,
    filter          text NOT NULL,
    filter_key      text NOT NULL,
    name            text NOT NULL,
    key             text NOT NULL,
    count           bigint NOT NULL,
    PRIMARY KEY (repo, deleted, filter, filter_key, name, key)
);

-- The pairs of one row: each filter key of a field it also has facet keys of, with each facet term
-- (``facet_terms``: the row itself, then every facet key) of the other fields.
CREATE FUNCTION facet_pairs(keys jsonb, facets jsonb)
RETURNS TABLE (filter text, filter_key text, name text, key text) LANGUAGE sql IMMUTABLE AS $$
    SELECT f.key, k.key, t.name, t.key
    FROM jsonb_each(keys) AS f CROSS JOIN LATERAL jsonb_array_elements_text(f.value) AS k(key)
    CROSS JOIN LATERAL facet_terms(facets) AS t
    WHERE facets ? f.key AND t.name <> f.key
$$;

-- The rows a statement added count once more, those it removed once less. Static statements, one per kind of
-- write, so that each session plans them once (a statement made as text is planned at every write).
CREATE FUNCTION count_facet_pairs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO facet_pair_counts AS f (repo, deleted, filter, filter_key, name, key, count)
        SELECT c.repo, c.deleted, p.filter, p.filter_key, p.name, p.key, count(*)
        FROM added AS c CROSS JOIN LATERAL facet_pairs(c.keys, c.facets) AS p
        GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (repo, deleted, filter, filter_key, name, key) DO UPDATE SET count = f.count + excluded.count;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO facet_pair_counts AS f (repo, deleted, filter, filter_key, name, key, count)
        SELECT c.repo, c.deleted, p.filter, p.filter_key, p.name, p.key, -count(*)
        FROM removed AS c CROSS JOIN LATERAL facet_pairs(c.keys, c.facets) AS p
        GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (repo, deleted, filter, filter_key, name, key) DO UPDATE SET count = f.count + excluded.count;
    ELSE
        INSERT INTO facet_pair_counts AS f (repo, deleted, filter, filter_key, name, key, count)
        SELECT c.repo, c.deleted, p.filter, p.filter_key, p.name, p.key, sum(c.sign)
        FROM (SELECT repo, deleted, keys, facets, 1 AS sign FROM added
              UNION ALL SELECT repo, deleted, keys, facets, -1 FROM removed) AS c
        CROSS JOIN LATERAL facet_pairs(c.keys, c.facets) AS p
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(c.sign) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (repo, deleted, filter, filter_key, name, key) DO UPDATE SET count = f.count + excluded.count;
    END IF;
    RETURN NULL;
END $$;

-- ``listing_tables``'s count of facets, made static the same way.
CREATE OR REPLACE FUNCTION count_facets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO facet_counts AS f (repo, deleted, name, key, count)
        SELECT c.repo, c.deleted, t.name, t.key, count(*) FROM added AS c CROSS JOIN LATERAL facet_terms(c.facets) AS t
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (repo, deleted, name, key) DO UPDATE SET count = f.count + excluded.count;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO facet_counts AS f (repo, deleted, name, key, count)
        SELECT c.repo, c.deleted, t.name, t.key, -count(*) FROM removed AS c
        CROSS JOIN LATERAL facet_terms(c.facets) AS t
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (repo, deleted, name, key) DO UPDATE SET count = f.count + excluded.count;
    ELSE
        INSERT INTO facet_counts AS f (repo, deleted, name, key, count)
        SELECT c.repo, c.deleted, t.name, t.key, sum(c.sign)
        FROM (SELECT repo, deleted, facets, 1 AS sign FROM added
              UNION ALL SELECT repo, deleted, facets, -1 FROM removed) AS c
        CROSS JOIN LATERAL facet_terms(c.facets) AS t
        GROUP BY 1, 2, 3, 4 HAVING sum(c.sign) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (repo, deleted, name, key) DO UPDATE SET count = f.count + excluded.count;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER records_paired_insert AFTER INSERT ON records REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION count_facet_pairs();
CREATE TRIGGER records_paired_update AFTER UPDATE ON records REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION count_facet_pairs();
CREATE TRIGGER records_paired_delete AFTER DELETE ON records REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION count_facet_pairs();

INSERT INTO facet_pair_counts (repo, deleted, filter, filter_key, name, key, count)
SELECT r.repo, r.deleted, p.filter, p.filter_key, p.name, p.key, count(*)
FROM records AS r CROSS JOIN LATERAL facet_pairs(r.keys, r.facets) AS p
GROUP BY 1, 2, 3, 4, 5, 6;

ALTER FUNCTION count_facet_pairs() SET jit = off;
ALTER FUNCTION count_facets() SET jit = off;
"""

PAIRED = """
ALTER TABLE repositories ADD COLUMN paired text[];
ALTER TABLE facet_counts SET (fillfactor = 50);
ALTER TABLE facet_pair_counts SET (fillfactor = 50);
ALTER TABLE search_dictionary SET (fillfactor = 50);
ALTER TABLE search_words SET (fillfactor = 50);

-- The pairs of one row whose facet is one of ``paired`` (NULL: every facet), under any filter.
CREATE FUNCTION facet_pairs(keys jsonb, facets jsonb, paired text[])
RETURNS TABLE (filter text, filter_key text, name text, key text) LANGUAGE sql IMMUTABLE AS $$
    SELECT f.key, k.key, t.name, t.key
    FROM jsonb_each(keys) AS f CROSS JOIN LATERAL jsonb_array_elements_text(f.value) AS k(key)
    CROSS JOIN LATERAL facet_terms(facets) AS t
    WHERE facets ? f.key AND t.name <> f.key AND (paired IS NULL OR t.name = '' OR t.name = ANY (paired))
$$;

CREATE OR REPLACE FUNCTION count_facet_pairs() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO facet_pair_counts AS f (repo, deleted, filter, filter_key, name, key, count)
        SELECT c.repo, c.deleted, p.filter, p.filter_key, p.name, p.key, count(*)
        FROM added AS c JOIN repositories AS r ON r.id = c.repo
        CROSS JOIN LATERAL facet_pairs(c.keys, c.facets, r.paired) AS p
        GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (repo, deleted, filter, filter_key, name, key) DO UPDATE SET count = f.count + excluded.count;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO facet_pair_counts AS f (repo, deleted, filter, filter_key, name, key, count)
        SELECT c.repo, c.deleted, p.filter, p.filter_key, p.name, p.key, -count(*)
        FROM removed AS c JOIN repositories AS r ON r.id = c.repo
        CROSS JOIN LATERAL facet_pairs(c.keys, c.facets, r.paired) AS p
        GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (repo, deleted, filter, filter_key, name, key) DO UPDATE SET count = f.count + excluded.count;
    ELSE
        INSERT INTO facet_pair_counts AS f (repo, deleted, filter, filter_key, name, key, count)
        SELECT c.repo, c.deleted, p.filter, p.filter_key, p.name, p.key, sum(c.sign)
        FROM (SELECT repo, deleted, keys, facets, 1 AS sign FROM added
              UNION ALL SELECT repo, deleted, keys, facets, -1 FROM removed) AS c
        JOIN repositories AS r ON r.id = c.repo
        CROSS JOIN LATERAL facet_pairs(c.keys, c.facets, r.paired) AS p
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(c.sign) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (repo, deleted, filter, filter_key, name, key) DO UPDATE SET count = f.count + excluded.count;
    END IF;
    RETURN NULL;
END $$;

DROP FUNCTION facet_pairs(jsonb, jsonb);
"""

TERMS_ONCE = """
CREATE OR REPLACE FUNCTION facet_pairs(keys jsonb, facets jsonb, paired text[])
RETURNS TABLE (filter text, filter_key text, name text, key text) LANGUAGE sql IMMUTABLE AS $$
    WITH terms AS MATERIALIZED (
        SELECT t.name, t.key FROM facet_terms(facets) AS t
        WHERE paired IS NULL OR t.name = '' OR t.name = ANY (paired))
    SELECT f.key, k.key, t.name, t.key
    FROM jsonb_each(keys) AS f CROSS JOIN LATERAL jsonb_array_elements_text(f.value) AS k(key)
    CROSS JOIN terms AS t
    WHERE facets ? f.key AND t.name <> f.key
$$;
"""
