-- text/product_types: each product's type as its title names it, for products without a
-- category. E-commerce titles name what the product is at the end of their first segment
-- ("Roadster Men Navy Blue Slim Fit Checked Casual Shirt", "Strap top", "白いシャツ",
-- "Running Shoe, Black, 10 M US"), so the type is the last noun of the title's first line
-- before its first comma, bar, colon or bracket (the title's last noun when none comes
-- before).
-- A plural joins its singular when the catalogue's titles use both (shirts -> shirt,
-- watches -> watch; English only, harmless elsewhere). A type held by fewer than
-- $min_products products is no type (NULL): a stratum of a handful of products has too few
-- negatives to match. Category-matched scopes match a product without a category on this
-- type (coalesce(products.category, product_types.product_type) in sql/divergence/words.sql,
-- sql/context/*.sql, sql/visualness/crossfit_folds.sql), so a catalogue without a category
-- column still compares a word's positives with negatives of the same kind of product.
-- Reads: tokens. Writes: product_types (every row replaced). Parameters: $min_products.

DELETE FROM product_types;

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
    WHERE t.field = 'title' AND is_noun(t.pos) AND is_wordlike(t.word)
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
SELECT product_id, head_noun, CASE WHEN n_type >= $min_products THEN product_type END
FROM typed;
