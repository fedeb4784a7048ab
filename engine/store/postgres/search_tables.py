"""Tables of the ranked search (schema version 3): the site's own analysed terms, kept by the write path.

The terms are the site analyser's (``engine.search.analysis``) and their weights its BM25F weights
(``engine.search.weights``), not PostgreSQL's ``english`` configuration and ``ts_rank``: a search must find
and rank the same records on either backend, and the analyser (folding, joining apostrophes, stop words kept
for phrases) and the thesaurus are one rule in one place. So no ``tsvector`` is kept.

- ``search_repositories``: per repository, how many records are indexed (the N of idf; deleted ones count,
  as they are searched in the bin) and each searched field's usual length in words, learnt from a sample;
- ``search_records``: what each record gave, so that indexing it again can take exactly that back (as
  text: terms and words are runs of letters and digits, so a space or a comma can part them);
- ``search_terms`` and ``search_pairs``: a term's (or two neighbouring terms') weight in each record,
  read by (repo, term) in one index-only range;
- ``search_dictionary``: how many records hold each term (idf; the longer words a typed beginning may
  mean, most common first, read as a range of the ``"C"``-ordered key);
- ``search_words``: how many live (not deleted) records use each folded word, for "Did you mean".
Terms are ``COLLATE "C"``: ordered by code point as the embedded index orders them, and a prefix is a range.
"""

SEARCH = """
CREATE TABLE search_repositories (
    repo            integer PRIMARY KEY REFERENCES repositories (id),
    records         bigint NOT NULL DEFAULT 0,
    lengths         jsonb NOT NULL DEFAULT '{}',    -- field name -> usual length in words
    learnt_from     bigint NOT NULL DEFAULT 0       -- how many records there were when they were learnt
);

CREATE TABLE search_records (
    repo            integer NOT NULL REFERENCES repositories (id),
    number          bigint NOT NULL,
    counted         boolean NOT NULL,               -- its words are in search_words (it is not deleted)
    terms           text NOT NULL,                  -- separated by spaces
    pairs           text NOT NULL,                  -- separated by commas (a pair holds a space)
    words           text NOT NULL,                  -- separated by spaces
    PRIMARY KEY (repo, number)
);

CREATE TABLE search_terms (
    repo            integer NOT NULL,
    term            text COLLATE "C" NOT NULL,
    number          bigint NOT NULL,
    weight          real NOT NULL,
    PRIMARY KEY (repo, term, number) INCLUDE (weight)
);

CREATE TABLE search_pairs (
    repo            integer NOT NULL,
    pair            text COLLATE "C" NOT NULL,
    number          bigint NOT NULL,
    weight          real NOT NULL,
    PRIMARY KEY (repo, pair, number) INCLUDE (weight)
);

CREATE TABLE search_dictionary (
    repo            integer NOT NULL,
    term            text COLLATE "C" NOT NULL,
    records         integer NOT NULL,
    PRIMARY KEY (repo, term)
);

CREATE TABLE search_words (
    repo            integer NOT NULL,
    word            text COLLATE "C" NOT NULL,
    records         integer NOT NULL,
    PRIMARY KEY (repo, word)
);
"""

#: Schema version 5: a word's records in order of its weight in them (then newest first), so that the records
#: a common word finds alone are read best first and only as far as a page needs (``search_ranked``).
RANKED = """
CREATE INDEX search_terms_ranked ON search_terms (repo, term, weight DESC, number DESC);
"""
