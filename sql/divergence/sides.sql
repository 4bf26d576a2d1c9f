-- divergence/sides: the products each kept word's histograms are counted over: its
-- positives, or for a `complement` word its negatives (universe minus positives), so no word
-- enumerates more than half the universe. Also every unit's histogram over the whole
-- universe (totals), from which the other side follows by subtraction instead of a second
-- scan, and each unit's fullest bin (`is_mode`): its rows are deleted from
-- divergence_binned, because a side's count in that bin is its size minus its counts in
-- the other bins, so the histograms never scan the most common activations.
-- Reads: divergence_words, divergence_positives, divergence_universe, divergence_binned.
-- Writes: temp tables divergence_sides(widx, pidx), divergence_totals(unit, bin, chunk,
--         shift, total, is_mode) (non-empty bins only; shift = the bin's bit offset in its
--         chunk's counter), divergence_counts (empty; filled per chunk); deletes the
--         mode-bin rows of divergence_binned.
-- Parameters: $bins_per_chunk, $field_bits.

CREATE OR REPLACE TEMP TABLE divergence_sides AS
SELECT w.widx, p.pidx
FROM divergence_words AS w
JOIN divergence_positives AS p ON p.word = w.word
WHERE NOT w.complement
UNION ALL
SELECT w.widx, u.pidx
FROM divergence_words AS w
CROSS JOIN divergence_universe AS u
WHERE w.complement
  AND NOT EXISTS (
      SELECT 1 FROM divergence_positives AS p WHERE p.word = w.word AND p.pidx = u.pidx
  );

CREATE OR REPLACE TEMP TABLE divergence_totals AS
SELECT
    unit,
    bin,
    CAST(bin // $bins_per_chunk AS INTEGER) AS chunk,
    CAST($field_bits * (bin % $bins_per_chunk) AS INTEGER) AS shift,
    total,
    row_number() OVER (PARTITION BY unit ORDER BY total DESC, bin) = 1 AS is_mode
FROM (
    SELECT unit, bin, count(*) AS total
    FROM divergence_binned
    GROUP BY unit, bin
);

DELETE FROM divergence_binned AS b
USING divergence_totals AS t
WHERE t.is_mode AND b.unit = t.unit AND b.bin = t.bin;

CREATE OR REPLACE TEMP TABLE divergence_counts (
    widx INTEGER NOT NULL,
    unit INTEGER NOT NULL,
    chunk INTEGER NOT NULL,
    packed HUGEINT NOT NULL
);
