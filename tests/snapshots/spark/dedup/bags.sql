CREATE OR REPLACE TABLE dedup_bag AS
WITH pairs AS (
  SELECT
    product_id,
    word
  FROM tokens
  WHERE
    field IN ('title', 'description')
  GROUP BY
    product_id,
    word
), usable AS (
  /* The letter test runs once per distinct word, not once per token. */
  SELECT
    word
  FROM (
    SELECT DISTINCT
      word
    FROM pairs
  )
  WHERE
    word RLIKE '^(?:\\p{L}+)$'
    AND NOT word IN (
      SELECT
        word
      FROM stop_words
    )
), product_words AS (
  SELECT
    w.product_id,
    COALESCE(p.shop, '') AS shop_key,
    w.word
  FROM pairs AS w
  SEMI JOIN usable AS u
    ON u.word = w.word
  JOIN products AS p
    ON p.product_id = w.product_id
), shop_words AS (
  SELECT
    shop_key,
    word,
    CAST((
      DENSE_RANK() OVER (PARTITION BY shop_key ORDER BY COUNT(*) NULLS LAST, word NULLS LAST) - 1
    ) AS INT) AS wid
  FROM product_words
  GROUP BY
    shop_key,
    word
)
SELECT
  w.product_id,
  w.shop_key,
  w.word,
  s.wid
FROM product_words AS w
JOIN shop_words AS s
  USING (shop_key, word);

SELECT
  COALESCE(MAX(wid) + 1, 1) AS width
FROM dedup_bag;

