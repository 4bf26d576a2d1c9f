-- Word sets for near-duplicate detection: one row per (product, distinct word).
-- Reads: tokens, products, stop_words. Writes: temp table dedup_bag.
-- Parameters: none. Returns the width the word bitsets need (largest shop vocabulary).
--
-- The set: distinct title and description words made only of letters (\p{L}+, so
-- Japanese words count too; numbers, sizes and punctuation do not), as tokens.word
-- (lower-cased, synonym-merged), minus the English stop words. A product is its binary
-- bag-of-words vector: repeating a word does not make two listings more alike. Products
-- with no such word have no rows and stay singletons. Products without a shop form one
-- shop together (shop_key '').
-- wid numbers each shop's words from 0, rarest first (document frequency in the shop,
-- then the word): it is the shared token order of the prefix filter and the bit position
-- in the word bitsets.
CREATE OR REPLACE TEMP TABLE dedup_bag AS
WITH pairs AS (
    SELECT product_id, word
    FROM tokens
    WHERE field IN ('title', 'description')
    GROUP BY product_id, word
),
usable AS (
    -- The letter test runs once per distinct word, not once per token.
    SELECT word
    FROM (SELECT DISTINCT word FROM pairs)
    WHERE regexp_full_match(word, '\p{L}+')
      AND word NOT IN (SELECT word FROM stop_words)
),
product_words AS (
    SELECT w.product_id, coalesce(p.shop, '') AS shop_key, w.word
    FROM pairs AS w
    SEMI JOIN usable AS u ON u.word = w.word
    JOIN products AS p ON p.product_id = w.product_id
),
shop_words AS (
    SELECT
        shop_key,
        word,
        (dense_rank() OVER (PARTITION BY shop_key ORDER BY count(*), word) - 1)::INTEGER AS wid
    FROM product_words
    GROUP BY shop_key, word
)
SELECT w.product_id, w.shop_key, w.word, s.wid
FROM product_words AS w
JOIN shop_words AS s USING (shop_key, word);

SELECT coalesce(max(wid) + 1, 1) AS width FROM dedup_bag;
