-- divergence/counts: one bin chunk of every kept word's histograms, for all units at once.
-- Each activation row of the chunk's bins becomes a one-hot counter packed into a HUGEINT:
-- bin b of the chunk occupies bits [field_bits * j, field_bits * (j + 1)) with
-- j = b - chunk * bins_per_chunk, so SUM over a (word, unit) group adds all the chunk's bin
-- counts at once (field_bits is wide enough for the largest side: no field overflows into
-- the next). The aggregate is then a SUM over (word, unit) groups, small dense integer keys
-- that DuckDB aggregates in a perfect hash table, instead of a COUNT over (word, unit, bin).
-- A zero row per (word, unit) with non-empty non-mode bins in the chunk makes every pair
-- present. Rows of each unit's mode bin are skipped (divergence_modes); kl.sql derives
-- the side's count there from n_side.
-- Reads: divergence_sides, divergence_binned, divergence_modes, divergence_words,
--        divergence_totals.
-- Writes: divergence_counts (appends the chunk's rows).
-- Parameters: $chunk, $bins_per_chunk, $field_bits.

INSERT INTO divergence_counts (widx, unit, chunk, packed)
SELECT widx, unit, $chunk, sum(packed)
FROM (
    SELECT s.widx, b.unit, b.packed
    FROM divergence_sides AS s
    JOIN (
        SELECT
            pidx,
            unit,
            CAST(1 AS HUGEINT) << ($field_bits * (bin - $chunk * $bins_per_chunk)) AS packed
        FROM divergence_binned
        WHERE bin // $bins_per_chunk = $chunk
          AND bin <> (SELECT modes FROM divergence_modes)[unit + 1]
    ) AS b ON b.pidx = s.pidx
    UNION ALL
    SELECT w.widx, t.unit, CAST(0 AS HUGEINT)
    FROM divergence_words AS w
    CROSS JOIN (
        SELECT DISTINCT unit FROM divergence_totals WHERE chunk = $chunk AND NOT is_mode
    ) AS t
)
GROUP BY widx, unit;
