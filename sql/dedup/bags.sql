-- Bags of words for near-duplicate detection, one row per (product, word) with its count.
-- Reads: tokens, products, stop_words. Writes: temp table dedup_bag. Parameters: none.
-- The bag: every title and description token made only of letters (\p{L}+, so Japanese
-- words count too; numbers, sizes and punctuation do not), as tokens.word (lower-cased,
-- synonym-merged), minus the English stop words. Products with an empty bag have no rows
-- and stay singletons. Products without a shop form one shop together (shop_key '').
CREATE OR REPLACE TEMP TABLE dedup_bag AS
SELECT
    t.product_id,
    coalesce(p.shop, '') AS shop_key,
    t.word,
    count(*)::DOUBLE AS n
FROM tokens AS t
JOIN products AS p USING (product_id)
WHERE t.field IN ('title', 'description')
  AND regexp_full_match(t.word, '\p{L}+')
  AND t.word NOT IN (SELECT word FROM stop_words)
GROUP BY ALL;
