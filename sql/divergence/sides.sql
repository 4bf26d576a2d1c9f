-- divergence/sides: the products each kept word's histograms are counted over: its
-- positives, or for a `complement` word its negatives (universe minus positives), so no word
-- enumerates more than half the universe. Also the per-unit totals over the whole universe,
-- from which the other side follows by subtraction instead of a second scan.
-- Reads: divergence_words, divergence_positives, divergence_universe, divergence_binned.
-- Writes: temp tables divergence_sides(widx, pidx), divergence_totals(unit, bin, chunk,
--         total) (non-empty bins only), divergence_counts (empty; filled per chunk).
-- Parameters: $bins_per_chunk.

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
SELECT unit, bin, CAST(bin // $bins_per_chunk AS INTEGER) AS chunk, count(*) AS total
FROM divergence_binned
GROUP BY unit, bin;

CREATE OR REPLACE TEMP TABLE divergence_counts (
    widx INTEGER NOT NULL,
    unit INTEGER NOT NULL,
    chunk INTEGER NOT NULL,
    packed HUGEINT NOT NULL
);
