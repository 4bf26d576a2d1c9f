-- divergence/binned_quantile: every universe activation of a non-constant unit as its bin
-- index under arbitrary ascending edges (quantile bins may repeat an edge): the bin is the
-- largest b with edges[b] <= v among b = 0 .. n_bins - 1, found by an ASOF join against the
-- edges; the last bin is closed because edges[n_bins] itself is never a lower bound. Rows
-- are stored in (pidx, unit) order, as the unnest of binned_equal leaves them, so the
-- histogram aggregation visits its groups in order. Only the units of one block
-- (unit_lo <= unit_id < unit_hi) are binned: the ASOF join finds no edge for the others.
-- Reads: activation_vectors, divergence_universe, divergence_edges.
-- Writes: temp table divergence_binned(pidx, unit, bin).
-- Parameters: $unit_lo, $unit_hi.

CREATE OR REPLACE TEMP TABLE divergence_binned AS
WITH lower_edges AS (
    -- A repeated edge starts only the last of the bins sharing it (the others are empty).
    SELECT unit_id, edge, CAST(max(k) AS UTINYINT) AS bin
    FROM (
        SELECT
            unit_id,
            unnest(edges[1:len(edges) - 1]) AS edge,
            generate_subscripts(edges[1:len(edges) - 1], 1) - 1 AS k
        FROM divergence_edges
        WHERE NOT constant AND unit_id >= $unit_lo AND unit_id < $unit_hi
    )
    GROUP BY unit_id, edge
),
vals AS (
    SELECT
        u.pidx,
        CAST(generate_subscripts(a.vals, 1) - 1 AS INTEGER) AS unit_id,
        CAST(unnest(a.vals) AS DOUBLE) AS v
    FROM activation_vectors AS a
    JOIN divergence_universe AS u ON u.product_id = a.product_id AND u.model_id = a.model_id
)
SELECT vals.pidx, vals.unit_id AS unit, e.bin
FROM vals
ASOF JOIN lower_edges AS e ON e.unit_id = vals.unit_id AND vals.v >= e.edge
ORDER BY vals.pidx, vals.unit_id;
