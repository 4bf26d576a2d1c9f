-- 0031 uncompressed keys: the tables a stage rerun empties (all rows, or a scope's) are
-- rebuilt with their VARCHAR key columns stored uncompressed. DuckDB 2 removes a deleted
-- row's key from the table's primary-key index at COMMIT by fetching that row's key
-- columns one row at a time, and fetching one row from a DICT_FSST-compressed string
-- segment (its default for strings) costs about 45 us: deleting all 173,175 rows of
-- splits took 7-11 s to commit, 1.3 M rows of one scope from a table keyed like
-- word_products 56 s; with the key columns uncompressed 0.1 s and 1.7 s (docs/scale.md,
-- "Reruns"). Those columns take more disk (on the 173,175-product database 1.2% more used
-- blocks: 9,281 against 9,173); the other columns keep DuckDB's compression. Same columns,
-- types, constraints, defaults and comments as before; a fresh database gets the same
-- tables.
-- Reads and writes: splits, duplicate_groups, product_types, tokenized_products,
-- text_lines, scope_products, word_products, boilerplate_product_lines (each rebuilt:
-- created under a new name, filled, the old one dropped, the new one renamed).

-- splits: keys product_id
CREATE TABLE splits_rebuilt (
    product_id VARCHAR USING COMPRESSION 'uncompressed' PRIMARY KEY,
    split VARCHAR NOT NULL,
    CHECK((split IN ('train', 'test', 'val')))
);
INSERT INTO splits_rebuilt (product_id, split)
SELECT product_id, split FROM splits;
DROP TABLE splits;
ALTER TABLE splits_rebuilt RENAME TO splits;
COMMENT ON TABLE splits IS 'Every product''s split: train / test / val.';
COMMENT ON COLUMN splits.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN splits.split IS 'train / test / val, 50/25/25 by md5(''split:'' || seed || '':'' || product_id).';

-- duplicate_groups: keys product_id
CREATE TABLE duplicate_groups_rebuilt (
    product_id VARCHAR USING COMPRESSION 'uncompressed' PRIMARY KEY,
    shop VARCHAR,
    group_id VARCHAR NOT NULL,
    kept BOOLEAN NOT NULL
);
INSERT INTO duplicate_groups_rebuilt (product_id, shop, group_id, kept)
SELECT product_id, shop, group_id, kept FROM duplicate_groups;
DROP TABLE duplicate_groups;
ALTER TABLE duplicate_groups_rebuilt RENAME TO duplicate_groups;
COMMENT ON TABLE duplicate_groups IS 'Near-duplicate clusters per shop; one product kept per group.';
COMMENT ON COLUMN duplicate_groups.product_id IS 'A listing of the shop (products.product_id).';
COMMENT ON COLUMN duplicate_groups.shop IS 'The shop the group lies in: listings are compared within a shop only.';
COMMENT ON COLUMN duplicate_groups.group_id IS 'smallest product_id of the group';
COMMENT ON COLUMN duplicate_groups.kept IS 'True for the one listing kept per group (chosen at random by seed).';

-- product_types: keys product_id
CREATE TABLE product_types_rebuilt (
    product_id VARCHAR USING COMPRESSION 'uncompressed' PRIMARY KEY,
    head_noun VARCHAR NOT NULL,
    product_type VARCHAR
);
INSERT INTO product_types_rebuilt (product_id, head_noun, product_type)
SELECT product_id, head_noun, product_type FROM product_types;
DROP TABLE product_types;
ALTER TABLE product_types_rebuilt RENAME TO product_types;
COMMENT ON TABLE product_types IS 'Each product''s type as its title names it: the last noun before the title''s first comma, bar, colon or bracket (head_noun), a plural joined to its singular when the titles use both (product_type; NULL when fewer than 10 products share it). Category-matched scopes match products without a category on it. Written by attrdb text.';
COMMENT ON COLUMN product_types.product_id IS 'The product (products.product_id); products whose title has no noun have no row.';
COMMENT ON COLUMN product_types.head_noun IS 'The last noun of the title''s first segment (before its first comma, bar, colon or bracket; the whole title when that segment has none), as tokens.word: lower case, synonyms merged.';
COMMENT ON COLUMN product_types.product_type IS 'head_noun, or its singular when the titles also end with that (shirts -> shirt); NULL for a type of fewer than 10 products.';

-- tokenized_products: keys product_id
CREATE TABLE tokenized_products_rebuilt (
    product_id VARCHAR USING COMPRESSION 'uncompressed' PRIMARY KEY,
    lang_option VARCHAR NOT NULL,
    n_tokens INTEGER NOT NULL,
    run_id BIGINT,
    tokenized_at TIMESTAMP DEFAULT(current_timestamp) NOT NULL
);
INSERT INTO tokenized_products_rebuilt (product_id, lang_option, n_tokens, run_id, tokenized_at)
SELECT product_id, lang_option, n_tokens, run_id, tokenized_at FROM tokenized_products;
DROP TABLE tokenized_products;
ALTER TABLE tokenized_products_rebuilt RENAME TO tokenized_products;
COMMENT ON TABLE tokenized_products IS 'Products the text stage has finished (also those whose text gave no token), so a rerun skips them and an interrupted run resumes where it stopped.';
COMMENT ON COLUMN tokenized_products.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN tokenized_products.lang_option IS 'en / ja / auto, as asked';
COMMENT ON COLUMN tokenized_products.n_tokens IS 'Tokens the product''s text gave (0 is a valid result).';
COMMENT ON COLUMN tokenized_products.run_id IS 'The run that wrote the row (runs.run_id).';
COMMENT ON COLUMN tokenized_products.tokenized_at IS 'When the product was tokenised.';

-- text_lines: keys product_id, field, line_no
CREATE TABLE text_lines_rebuilt (
    product_id VARCHAR USING COMPRESSION 'uncompressed',
    field VARCHAR USING COMPRESSION 'uncompressed',
    line_no INTEGER,
    "text" VARCHAR NOT NULL,
    PRIMARY KEY(product_id, field, line_no)
);
INSERT INTO text_lines_rebuilt (product_id, field, line_no, "text")
SELECT product_id, field, line_no, "text" FROM text_lines;
DROP TABLE text_lines;
ALTER TABLE text_lines_rebuilt RENAME TO text_lines;
COMMENT ON TABLE text_lines IS 'The text of each product split into lines / sentences per field.';
COMMENT ON COLUMN text_lines.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN text_lines.field IS 'title / description / tag';
COMMENT ON COLUMN text_lines.line_no IS 'line or sentence index within the field, from 0';
COMMENT ON COLUMN text_lines."text" IS 'The line or sentence, cleaned (HTML, emoji and odd Unicode removed).';

-- scope_products: keys scope, product_id
CREATE TABLE scope_products_rebuilt (
    "scope" VARCHAR USING COMPRESSION 'uncompressed',
    product_id VARCHAR USING COMPRESSION 'uncompressed',
    PRIMARY KEY("scope", product_id)
);
INSERT INTO scope_products_rebuilt ("scope", product_id)
SELECT "scope", product_id FROM scope_products;
DROP TABLE scope_products;
ALTER TABLE scope_products_rebuilt RENAME TO scope_products;
COMMENT ON TABLE scope_products IS 'The universe of each scope (written by `attrdb vocab`, sql/vocab/scope_products.sql).';
COMMENT ON COLUMN scope_products."scope" IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN scope_products.product_id IS 'A listing (products.product_id).';

-- word_products: keys scope, word, product_id
CREATE TABLE word_products_rebuilt (
    "scope" VARCHAR USING COMPRESSION 'uncompressed' DEFAULT('default'),
    word VARCHAR USING COMPRESSION 'uncompressed',
    product_id VARCHAR USING COMPRESSION 'uncompressed',
    PRIMARY KEY("scope", word, product_id)
);
INSERT INTO word_products_rebuilt ("scope", word, product_id)
SELECT "scope", word, product_id FROM word_products;
DROP TABLE word_products;
ALTER TABLE word_products_rebuilt RENAME TO word_products;
COMMENT ON TABLE word_products IS 'D+ membership: which products'' text has each vocabulary word (per scope).';
COMMENT ON COLUMN word_products."scope" IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN word_products.word IS 'A vocabulary word (vocabulary.word): a candidate attribute.';
COMMENT ON COLUMN word_products.product_id IS 'A listing (products.product_id).';

-- boilerplate_product_lines: keys scope, product_id, field, line_no
CREATE TABLE boilerplate_product_lines_rebuilt (
    "scope" VARCHAR USING COMPRESSION 'uncompressed',
    product_id VARCHAR USING COMPRESSION 'uncompressed',
    field VARCHAR USING COMPRESSION 'uncompressed',
    line_no INTEGER,
    line_key VARCHAR NOT NULL,
    excluded BOOLEAN NOT NULL,
    PRIMARY KEY("scope", product_id, field, line_no)
);
INSERT INTO boilerplate_product_lines_rebuilt ("scope", product_id, field, line_no, line_key, excluded)
SELECT "scope", product_id, field, line_no, line_key, excluded FROM boilerplate_product_lines;
DROP TABLE boilerplate_product_lines;
ALTER TABLE boilerplate_product_lines_rebuilt RENAME TO boilerplate_product_lines;
COMMENT ON TABLE boilerplate_product_lines IS 'Every description line of a scope product that is boilerplate. excluded: the scope drops boilerplate, so the vocabulary and the D+ sets ignore this line''s tokens.';
COMMENT ON COLUMN boilerplate_product_lines."scope" IS 'The scope (scopes.scope) the row belongs to; ''default'' = all kept products.';
COMMENT ON COLUMN boilerplate_product_lines.product_id IS 'A listing (products.product_id).';
COMMENT ON COLUMN boilerplate_product_lines.field IS 'The field of the line (description).';
COMMENT ON COLUMN boilerplate_product_lines.line_no IS 'Line or sentence index within the field, from 0.';
COMMENT ON COLUMN boilerplate_product_lines.line_key IS 'Normalised line text: lower case, digits as 0, punctuation as spaces.';
COMMENT ON COLUMN boilerplate_product_lines.excluded IS 'The scope drops boilerplate: the line''s tokens are left out of the vocabulary and D+/D-.';
