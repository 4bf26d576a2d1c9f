-- divergence/unit_bins_equal: equal-width bin edges per unit over the universe's activations
-- (n_bins bins between the unit's min and max). A unit whose max equals its min (within
-- 1e-9 relative: e.g. always 0 after ReLU) is flagged constant; it gets the edges numpy
-- would use for such data (min - 0.5 .. min + 0.5) and is never binned. The edges stay in a
-- temp table until the run's results are written (publish_bins.sql).
-- Reads: activation_vectors, divergence_universe.
-- Writes: temp table divergence_edges(unit_id, edges, constant); returns its row count.
-- Parameters: $n_bins.

CREATE OR REPLACE TEMP TABLE divergence_edges AS
WITH ranges AS (
    SELECT CAST(i - 1 AS INTEGER) AS unit_id, min(v) AS lo, max(v) AS hi
    FROM (
        SELECT CAST(unnest(a.vals) AS DOUBLE) AS v, generate_subscripts(a.vals, 1) AS i
        FROM activation_vectors AS a
        JOIN divergence_universe AS u ON u.product_id = a.product_id AND u.model_id = a.model_id
    )
    GROUP BY i
),
flagged AS (
    SELECT unit_id, lo, hi, hi - lo <= 1e-9 * greatest(abs(lo), abs(hi)) AS constant
    FROM ranges
)
SELECT
    unit_id,
    CASE
        WHEN constant THEN list_transform(
            range($n_bins + 1), lambda k: equal_width_edge(lo - 0.5, lo + 0.5, $n_bins, k))
        ELSE list_transform(range($n_bins + 1), lambda k: equal_width_edge(lo, hi, $n_bins, k))
    END AS edges,
    constant
FROM flagged;

SELECT count(*) FROM divergence_edges;
