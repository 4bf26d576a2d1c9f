-- 0030 product types: product_types, each product's type as its title names it (the last
-- noun of the title's first segment, plurals joined to their singular), which category-matched scopes use
-- for products without a category. Written by `attrdb text` (sql/text/product_types.sql);
-- filled here from the tokens an existing database already holds, with the same rules
-- written out (migrations run before the macros are registered; 10 = the text stage's
-- minimum products per type, attrdb.text.tokenize.PRODUCT_TYPE_MIN_PRODUCTS).
-- Reads: tokens. Writes: table product_types.

CREATE TABLE product_types (
    product_id VARCHAR PRIMARY KEY,
    head_noun VARCHAR NOT NULL,
    product_type VARCHAR
);

COMMENT ON TABLE product_types IS 'Each product''s type as its title names it: the last noun before the title''s first comma, bar, colon or bracket (head_noun), a plural joined to its singular when the titles use both (product_type; NULL when fewer than 10 products share it). Category-matched scopes match products without a category on it. Written by attrdb text.';
COMMENT ON COLUMN product_types.product_id IS 'The product (products.product_id); products whose title has no noun have no row.';
COMMENT ON COLUMN product_types.head_noun IS 'The last noun of the title''s first segment (before its first comma, bar, colon or bracket; the whole title when that segment has none), as tokens.word: lower case, synonyms merged.';
COMMENT ON COLUMN product_types.product_type IS 'head_noun, or its singular when the titles also end with that (shirts -> shirt); NULL for a type of fewer than 10 products.';

INSERT INTO product_types (product_id, head_noun, product_type)
WITH breaks AS (
    -- Where a title's first segment ends: at its first line's end, or before at its first
    -- comma, bar, colon or bracket; the type comes before the details ("Running Shoe, Black,
    -- 10 M US", "Leather Wallet | Personalised Gift", "Tote (Large)"). Hyphens are no
    -- break: the tagger splits "T-Shirt" at its hyphen too.
    SELECT
        product_id,
        min(line_no) AS first_line,
        min((line_no, position)) FILTER (
            WHERE word IN (',', '、', '，', '|', '｜', '(', '（', '[', '【', ':', '：')
        ) AS first_break
    FROM tokens
    WHERE field = 'title'
    GROUP BY product_id
),
heads AS (
    -- The last noun of the first segment, or of the whole title when that segment has none.
    SELECT
        t.product_id,
        coalesce(
            arg_max(t.word, (t.line_no, t.position)) FILTER (
                WHERE t.line_no = b.first_line
                  AND (b.first_break IS NULL OR (t.line_no, t.position) < b.first_break)),
            arg_max(t.word, (t.line_no, t.position))
        ) AS head_noun
    FROM tokens AS t
    JOIN breaks AS b ON b.product_id = t.product_id
    WHERE t.field = 'title'
      AND (t.pos IN ('NN', 'NNS', 'NNP', 'NNPS') OR split_part(t.pos, '-', 1) = '名詞')
      AND regexp_matches(
          t.word,
          '^\p{L}[\p{L}\p{M}]*(?:[\p{Pd}\x{27}\x{2019}\x{30FB}\x{B7}\x{FF65} ]\p{L}[\p{L}\p{M}]*)*$')
    GROUP BY t.product_id
),
nouns AS (
    SELECT DISTINCT head_noun FROM heads
),
folded AS (
    SELECT
        n.head_noun,
        coalesce(s.head_noun, es.head_noun, n.head_noun) AS product_type
    FROM nouns AS n
    LEFT JOIN nouns AS s
        ON n.head_noun LIKE '%s' AND s.head_noun = left(n.head_noun, length(n.head_noun) - 1)
    LEFT JOIN nouns AS es
        ON n.head_noun LIKE '%es' AND es.head_noun = left(n.head_noun, length(n.head_noun) - 2)
),
typed AS (
    SELECT
        h.product_id,
        h.head_noun,
        f.product_type,
        count(*) OVER (PARTITION BY f.product_type) AS n_type
    FROM heads AS h
    JOIN folded AS f ON f.head_noun = h.head_noun
)
SELECT product_id, head_noun, CASE WHEN n_type >= 10 THEN product_type END
FROM typed;
