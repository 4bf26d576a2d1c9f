-- visualness/chunk_positives: each word's positives (D+) among the run's universe rows, as
-- a list of row indices of the feature matrix (all splits).
-- Reads: visualness_positives (temp, universe.sql). Writes: nothing; returns (word, rows).
-- Parameters: $words (VARCHAR[] of this chunk).
SELECT word, list(row_idx ORDER BY row_idx) AS rows
FROM visualness_positives
WHERE list_contains($words, word)
GROUP BY word
ORDER BY word;
