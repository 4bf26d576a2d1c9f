-- divergence/unit_bins_equal: equal-width bin edges per unit over the universe's activations
-- (n_bins bins between the unit's min and max). A unit whose max equals its min (within
-- 1e-9 relative: e.g. always 0 after ReLU) is flagged constant; it gets the edges numpy
-- would use for such data (min - 0.5 .. min + 0.5) and is never binned.
-- Reads: activation_vectors, divergence_universe. Writes: unit_bins (rows of model and scope).
-- Parameters: $model_id, $scope, $n_bins.

DELETE FROM unit_bins WHERE model_id = $model_id AND scope = $scope;

INSERT INTO unit_bins (model_id, scope, unit_id, edges, constant)
WITH ranges AS (
    SELECT CAST(i - 1 AS INTEGER) AS unit_id, min(v) AS lo, max(v) AS hi
    FROM (
        SELECT CAST(unnest(a.vals) AS DOUBLE) AS v, generate_subscripts(a.vals, 1) AS i
        FROM activation_vectors AS a
        JOIN divergence_universe AS u ON u.product_id = a.product_id
        WHERE a.model_id = $model_id
    )
    GROUP BY i
),
flagged AS (
    SELECT unit_id, lo, hi, hi - lo <= 1e-9 * greatest(abs(lo), abs(hi)) AS constant
    FROM ranges
)
SELECT
    $model_id,
    $scope,
    unit_id,
    CASE
        WHEN constant THEN list_transform(
            range($n_bins + 1), lambda k: equal_width_edge(lo - 0.5, lo + 0.5, $n_bins, k))
        ELSE list_transform(range($n_bins + 1), lambda k: equal_width_edge(lo, hi, $n_bins, k))
    END,
    constant
FROM flagged;
