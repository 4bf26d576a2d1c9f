-- divergence/universe: the products the histograms are computed over: the scope's products
-- in the chosen split (or splits joined by '+', e.g. 'train+val') that have an activation
-- vector for the model, numbered densely in product_id order (pidx), so every later join
-- and group key is a small integer. model_id is a column so that the statements reading
-- activation_vectors join on it instead of filtering the scan: DuckDB guesses a filter
-- keeps a fifth of the rows, and with that guess it built its hash table from the
-- activation vectors (1.45 GB of lists at the paper's size) instead of from this table.
-- Reads: scope_products, splits, activation_vectors.
-- Writes: temp table divergence_universe(pidx, product_id, model_id); returns its row count.
-- Parameters: $model_id, $scope, $split.

CREATE OR REPLACE TEMP TABLE divergence_universe AS
SELECT
    CAST(row_number() OVER (ORDER BY sp.product_id) - 1 AS INTEGER) AS pidx,
    sp.product_id,
    v.model_id
FROM (SELECT DISTINCT product_id FROM scope_products WHERE scope = $scope) AS sp
JOIN splits AS s
    ON s.product_id = sp.product_id AND list_contains(string_split($split, '+'), s.split)
JOIN activation_vectors AS v ON v.product_id = sp.product_id AND v.model_id = $model_id;

SELECT count(*) FROM divergence_universe;
