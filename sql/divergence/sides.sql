-- divergence/sides: the products each kept word's histograms are counted over: its
-- positives, or for a `complement` word its negatives (universe minus positives), so no word
-- enumerates more than half the universe. The same for every unit block (block.sql).
-- Reads: divergence_words, divergence_positives, divergence_universe.
-- Writes: temp table divergence_sides(widx, pidx).
-- Parameters: none.

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
