-- divergence/binned_equal: every universe activation of a non-constant unit as its bin index
-- under the unit's equal-width edges, with numpy.histogram semantics: the arithmetic guess
-- (macro equal_width_bin_guess), moved by one bin where rounding put it on the wrong side of
-- an exact stored edge (macro equal_width_edge). Small integer types only: this table is
-- what the per-word histograms scan, once per bin chunk.
-- Reads: activation_vectors, divergence_universe, unit_bins.
-- Writes: temp table divergence_binned(pidx, unit, bin).
-- Parameters: $model_id, $scope, $n_bins.

CREATE OR REPLACE TEMP TABLE divergence_binned AS
WITH ranges AS (
    SELECT unit_id, edges[1] AS lo, edges[$n_bins + 1] AS hi
    FROM unit_bins
    WHERE model_id = $model_id AND scope = $scope AND NOT constant
),
vals AS (
    SELECT
        u.pidx,
        CAST(generate_subscripts(a.vals, 1) - 1 AS INTEGER) AS unit_id,
        CAST(unnest(a.vals) AS DOUBLE) AS v
    FROM activation_vectors AS a
    JOIN divergence_universe AS u ON u.product_id = a.product_id
    WHERE a.model_id = $model_id
),
guessed AS (
    SELECT
        vals.pidx,
        vals.unit_id,
        vals.v,
        r.lo,
        r.hi,
        equal_width_bin_guess(vals.v, r.lo, r.hi, $n_bins) AS guess
    FROM vals
    JOIN ranges AS r ON r.unit_id = vals.unit_id
)
SELECT
    pidx,
    unit_id AS unit,
    CAST(
        CASE
            WHEN v < equal_width_edge(lo, hi, $n_bins, guess) THEN guess - 1
            WHEN guess < $n_bins - 1 AND v >= equal_width_edge(lo, hi, $n_bins, guess + 1)
                THEN guess + 1
            ELSE guess
        END AS UTINYINT
    ) AS bin
FROM guessed;
