-- divergence/unit_bins_quantile: quantile bin edges per unit over the universe's activations
-- (edge k = the k / n_bins quantile, interpolated), so each bin holds about the same number
-- of universe products. Ties (many zeros after ReLU) give repeated edges, i.e. empty bins,
-- as numpy.histogram would. Constant units, and the temp table, as in unit_bins_equal.
-- Reads: activation_vectors, divergence_universe.
-- Writes: temp table divergence_edges(unit_id, edges, constant); returns its row count.
-- Parameters: $n_bins.

CREATE OR REPLACE TEMP TABLE divergence_edges AS
WITH ranges AS (
    SELECT
        CAST(i - 1 AS INTEGER) AS unit_id,
        min(v) AS lo,
        max(v) AS hi,
        quantile_cont(v, list_transform(range($n_bins + 1), lambda k: k / $n_bins)) AS quantiles
    FROM (
        SELECT CAST(unnest(a.vals) AS DOUBLE) AS v, generate_subscripts(a.vals, 1) AS i
        FROM activation_vectors AS a
        JOIN divergence_universe AS u ON u.product_id = a.product_id AND u.model_id = a.model_id
    )
    GROUP BY i
),
flagged AS (
    SELECT unit_id, lo, hi, quantiles, hi - lo <= 1e-9 * greatest(abs(lo), abs(hi)) AS constant
    FROM ranges
)
SELECT
    unit_id,
    CASE
        WHEN constant THEN list_transform(
            range($n_bins + 1), lambda k: equal_width_edge(lo - 0.5, lo + 0.5, $n_bins, k))
        -- The first and last quantiles are the min and max; pin them so rounding in the
        -- interpolation can never leave a value outside the edges.
        ELSE list_transform(
            range($n_bins + 1),
            lambda k: CASE WHEN k = 0 THEN lo WHEN k = $n_bins THEN hi ELSE quantiles[k + 1] END)
    END AS edges,
    constant
FROM flagged;

SELECT count(*) FROM divergence_edges;
