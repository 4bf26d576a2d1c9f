-- divergence/binned_equal: every universe activation of a non-constant unit as its bin index
-- under the unit's equal-width edges, with numpy.histogram semantics: the arithmetic guess
-- (macro equal_width_bin_guess), moved by one bin where rounding put it on the wrong side of
-- an exact stored edge (macro equal_width_edge). Each unit's range is looked up by position
-- in one list per model (unit_id = position in activation_vectors.vals), which costs less
-- than a hash join of every activation with unit_bins. Small integer types only: this
-- table is what the per-word histograms scan, once per bin chunk.
-- Reads: activation_vectors, divergence_universe, unit_bins.
-- Writes: temp table divergence_binned(pidx, unit, bin).
-- Parameters: $model_id, $scope, $n_bins.

CREATE OR REPLACE TEMP TABLE divergence_binned AS
WITH ranges AS (
    -- lo is NULL for constant units: they are never binned.
    SELECT
        list(CASE WHEN NOT constant THEN edges[1] END ORDER BY unit_id) AS lo,
        list(edges[$n_bins + 1] ORDER BY unit_id) AS hi
    FROM unit_bins
    WHERE model_id = $model_id AND scope = $scope
),
vals AS (
    SELECT
        u.pidx,
        CAST(generate_subscripts(a.vals, 1) AS INTEGER) AS i,
        CAST(unnest(a.vals) AS DOUBLE) AS v
    FROM activation_vectors AS a
    JOIN divergence_universe AS u ON u.product_id = a.product_id
    WHERE a.model_id = $model_id
),
guessed AS (
    SELECT
        vals.pidx,
        vals.i,
        vals.v,
        r.lo[vals.i] AS lo,
        r.hi[vals.i] AS hi,
        equal_width_bin_guess(vals.v, r.lo[vals.i], r.hi[vals.i], $n_bins) AS guess
    FROM vals
    CROSS JOIN ranges AS r
)
SELECT
    pidx,
    i - 1 AS unit,
    CAST(
        CASE
            WHEN v < equal_width_edge(lo, hi, $n_bins, guess) THEN guess - 1
            WHEN guess < $n_bins - 1 AND v >= equal_width_edge(lo, hi, $n_bins, guess + 1)
                THEN guess + 1
            ELSE guess
        END AS UTINYINT
    ) AS bin
FROM guessed
WHERE lo IS NOT NULL;
