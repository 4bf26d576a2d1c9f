-- divergence/binned_equal: every universe activation of a non-constant unit as its bin index
-- under the unit's equal-width edges, with numpy.histogram semantics: the arithmetic guess
-- floor((v - lo) / width), moved by one bin where rounding put it on the wrong side of an
-- exact stored edge (the same doubles macro equal_width_edge stores). Each unit's range is
-- looked up by position in one list per model (unit_id = position in
-- activation_vectors.vals), which costs less than a hash join of every activation with
-- unit_bins. Small integer types only: this
-- table is what the per-word histograms scan, once per bin chunk.
-- Reads: activation_vectors, divergence_universe, unit_bins.
-- Writes: temp table divergence_binned(pidx, unit, bin).
-- Parameters: $model_id, $scope, $n_bins.

CREATE OR REPLACE TEMP TABLE divergence_binned AS
WITH ranges AS (
    -- lo is NULL for constant units: they are never binned. width is computed exactly as
    -- in equal_width_edge, so lo + k * width is the stored edge k (k < n_bins).
    SELECT
        list(CASE WHEN NOT constant THEN edges[1] END ORDER BY unit_id) AS lo,
        list((edges[$n_bins + 1] - edges[1]) / $n_bins ORDER BY unit_id) AS width
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
        r.width[vals.i] AS width,
        least(greatest(floor((vals.v - r.lo[vals.i]) / r.width[vals.i]), 0), $n_bins - 1)
            AS guess
    FROM vals
    CROSS JOIN ranges AS r
)
SELECT
    pidx,
    i - 1 AS unit,
    -- guess < n_bins, so edge `guess` is lo + guess * width; edge guess + 1 is only looked
    -- at below the last bin, so it is lo + (guess + 1) * width too (never the exact max).
    CAST(
        guess
        - CAST(v < lo + guess * width AS INTEGER)
        + CAST(guess < $n_bins - 1 AND v >= lo + (guess + 1) * width AS INTEGER)
        AS UTINYINT
    ) AS bin
FROM guessed
WHERE lo IS NOT NULL;
