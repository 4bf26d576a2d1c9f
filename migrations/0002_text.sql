-- 0002 text: tokens, lines, stop words, synonyms, near-duplicate groups, vocabulary, splits.
-- Reads: products. Writes: the tables below (filled by `attrdb text|dedup|vocab|split`).

CREATE TABLE text_lines (
    product_id VARCHAR NOT NULL,
    field VARCHAR NOT NULL,          -- title / description / tag
    line_no INTEGER NOT NULL,        -- line or sentence index within the field, from 0
    text VARCHAR NOT NULL,
    PRIMARY KEY (product_id, field, line_no)
);

CREATE TABLE tokens (
    product_id VARCHAR NOT NULL,
    word VARCHAR NOT NULL,           -- lower-cased (English) / normalised form (Japanese)
    pos VARCHAR,                     -- Penn tag (JJ, NN, ...) or Sudachi POS
    field VARCHAR NOT NULL,          -- title / description / tag
    line_no INTEGER NOT NULL,
    position INTEGER NOT NULL,       -- token index within the line
    surface VARCHAR,                 -- the text as written
    lang VARCHAR                     -- en / ja
);

CREATE TABLE stop_words (word VARCHAR PRIMARY KEY);

CREATE TABLE synonyms (
    term VARCHAR PRIMARY KEY,
    canonical VARCHAR NOT NULL,
    source VARCHAR
);

CREATE TABLE duplicate_groups (
    product_id VARCHAR PRIMARY KEY,
    shop VARCHAR,
    group_id VARCHAR NOT NULL,       -- smallest product_id of the group
    kept BOOLEAN NOT NULL
);

CREATE VIEW kept_products AS
SELECT p.*
FROM products AS p
JOIN duplicate_groups AS g USING (product_id)
WHERE g.kept;

CREATE TABLE vocabulary (
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    n_products BIGINT NOT NULL,
    rank INTEGER NOT NULL,
    kind VARCHAR NOT NULL,           -- adjective / tag / phrase / all
    PRIMARY KEY (scope, word)
);

-- D+ membership: which products' text has each vocabulary word (per scope).
CREATE TABLE word_products (
    scope VARCHAR NOT NULL DEFAULT 'default',
    word VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL
);

CREATE TABLE splits (
    product_id VARCHAR PRIMARY KEY,
    split VARCHAR NOT NULL CHECK (split IN ('train', 'test', 'val'))
);
