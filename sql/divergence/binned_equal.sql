-- divergence/binned_equal: every universe activation of a non-constant unit as its bin index
-- under the unit's equal-width edges, with numpy.histogram semantics: the arithmetic guess
-- floor((v - lo) / width), moved by one bin where rounding put it on the wrong side of an
-- exact stored edge (the same doubles macro equal_width_edge stores). Each unit's range comes
-- from divergence_edges by a join on the unit (2,096 rows: DuckDB builds a perfect hash table, which
-- measured 35-40% less CPU than looking both values up by position in per-model lists). lo is
-- the minimum over these very rows, so v - lo is never negative and the guess needs no lower
-- clamp; only v = max can reach n_bins (least/greatest cost more than the rest of the
-- arithmetic together). Small integer types only: this table is what the per-word histograms
-- scan, once per bin chunk. Only the units of one block (unit_lo <= unit_id < unit_hi) are
-- binned, so the table holds products x block units rows, not products x all units (the
-- join on the block's ranges drops the other units' values right after the unnest).
-- Reads: activation_vectors, divergence_universe, divergence_edges.
-- Writes: temp table divergence_binned(pidx, unit, bin).
-- Parameters: $n_bins, $unit_lo, $unit_hi.

CREATE OR REPLACE TEMP TABLE divergence_binned AS
WITH ranges AS (
    -- Constant units are never binned. width is computed exactly as in equal_width_edge, so
    -- lo + k * width is the stored edge k (k < n_bins).
    SELECT unit_id + 1 AS i, edges[1] AS lo, (edges[$n_bins + 1] - edges[1]) / $n_bins AS width
    FROM divergence_edges
    WHERE NOT constant AND unit_id >= $unit_lo AND unit_id < $unit_hi
),
vals AS (
    SELECT
        u.pidx,
        CAST(generate_subscripts(a.vals, 1) AS INTEGER) AS i,
        CAST(unnest(a.vals) AS DOUBLE) AS v
    FROM activation_vectors AS a
    JOIN divergence_universe AS u ON u.product_id = a.product_id AND u.model_id = a.model_id
),
floored AS (
    SELECT vals.pidx, vals.i, vals.v, r.lo, r.width, floor((vals.v - r.lo) / r.width) AS f
    FROM vals
    JOIN ranges AS r ON r.i = vals.i
),
guessed AS (
    SELECT pidx, i, v, lo, width, f - CAST(f >= $n_bins AS INTEGER) AS guess
    FROM floored
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
FROM guessed;
