CREATE OR REPLACE TABLE divergence_positives AS
SELECT DISTINCT
  wp.word,
  u.pidx
FROM word_products AS wp
JOIN vocabulary AS v
  ON v.scope = wp.scope AND v.word = wp.word
JOIN divergence_universe AS u
  ON u.product_id = wp.product_id
WHERE
  wp.scope = :scope;

CREATE OR REPLACE TABLE divergence_word_counts AS
WITH n AS (
  SELECT
    COUNT(*) AS n_universe
  FROM divergence_universe
)
SELECT
  v.word,
  COUNT(p.pidx) AS n_pos,
  ANY_VALUE(n.n_universe) IGNORE NULLS - COUNT(p.pidx) AS n_neg
FROM vocabulary AS v
CROSS JOIN n
LEFT JOIN divergence_positives AS p
  ON p.word = v.word
WHERE
  v.scope = :scope
GROUP BY
  v.word;

CREATE OR REPLACE TABLE divergence_words AS
SELECT
  CAST(ROW_NUMBER() OVER (ORDER BY word NULLS LAST) - 1 AS INT) AS widx,
  word,
  n_pos,
  n_neg,
  n_pos > n_neg AS complement,
  LEAST(n_pos, n_neg) AS n_side,
  GREATEST(n_pos, n_neg) AS n_other
FROM divergence_word_counts
WHERE
  n_pos >= :min_positives AND n_neg >= :min_negatives;

SELECT
  word,
  n_pos,
  n_neg,
  n_pos >= :min_positives AND n_neg >= :min_negatives AS kept
FROM divergence_word_counts
ORDER BY
  n_pos DESC,
  word NULLS LAST;

