-- The products a visualness run works on: the scope's products that have a split and an
-- activation vector for the model, numbered in product_id order (row_idx = row of the
-- feature matrix the stage loads). Also each run word's positives (D+) among them.
-- Reads: scope_products, splits, activation_vectors, word_products.
-- Writes: temp tables visualness_universe(row_idx, product_id, split),
--         visualness_positives(word, row_idx, split).
-- Parameters: $model_id, $scope, $words (VARCHAR[]: the words of this run).

CREATE OR REPLACE TEMP TABLE visualness_universe AS
SELECT
    CAST(row_number() OVER (ORDER BY sp.product_id) - 1 AS INTEGER) AS row_idx,
    sp.product_id,
    s.split
FROM (SELECT DISTINCT product_id FROM scope_products WHERE scope = $scope) AS sp
JOIN splits AS s ON s.product_id = sp.product_id
JOIN activation_vectors AS v ON v.product_id = sp.product_id AND v.model_id = $model_id;

CREATE OR REPLACE TEMP TABLE visualness_positives AS
SELECT DISTINCT wp.word, u.row_idx, u.split
FROM word_products AS wp
JOIN visualness_universe AS u ON u.product_id = wp.product_id
WHERE wp.scope = $scope AND list_contains($words, wp.word);
