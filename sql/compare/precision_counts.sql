-- compare/precision_counts: per attribute word, of the $k products with a field value that
-- a model's classifier scores highest (predictions of $method in $scope; out-of-fold for
-- crossfit), how many carry the word's value; and the share of all scored products with a
-- value that carry it (base_rate: a random ranking's expected precision).
-- Reads: predictions, scope_products, products. Writes: nothing.
-- Parameters: $model_id, $scope (whose predictions), $method, $path (metadata key),
--   $words, $values (VARCHAR[], aligned), $k.
WITH pairs AS (
    SELECT unnest($words) AS word, unnest($values) AS value
),
scored AS (
    SELECT r.word, r.product_id, r.score, trim(metadata_value(p.metadata, $path)) AS value
    FROM predictions AS r
    JOIN scope_products AS sp ON sp.scope = r.scope AND sp.product_id = r.product_id
    JOIN products AS p ON p.product_id = r.product_id
    WHERE r.model_id = $model_id AND r.scope = $scope AND r.method = $method
      AND list_contains($words, r.word)
      AND trim(metadata_value(p.metadata, $path)) <> ''
),
ranked AS (
    SELECT
        s.word,
        s.value = w.value AS agree,
        row_number() OVER (PARTITION BY s.word ORDER BY s.score DESC, s.product_id) AS position
    FROM scored AS s
    JOIN pairs AS w ON w.word = s.word
)
SELECT
    w.word,
    w.value,
    count(*) FILTER (WHERE r.position <= $k) AS n_ranked,
    count(*) FILTER (WHERE r.position <= $k AND r.agree) AS n_agree,
    avg(CAST(r.agree AS DOUBLE)) AS base_rate
FROM pairs AS w
JOIN ranked AS r ON r.word = w.word
GROUP BY w.word, w.value
ORDER BY w.word;
