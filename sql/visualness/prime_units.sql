-- Each chunk word's prime units (the top $n_prime units by symmetric KL), in rank order:
-- the features of the 'initial' classifier.
-- Reads: prime_units. Writes: nothing; returns (word, unit_ids INTEGER[]).
-- Parameters: $model_id, $scope, $words (VARCHAR[]), $n_prime (INTEGER).

SELECT word, list(unit_id ORDER BY rank, unit_id) AS unit_ids
FROM prime_units
WHERE model_id = $model_id
  AND scope = $scope
  AND rank <= $n_prime
  AND list_contains($words, word)
GROUP BY word
ORDER BY word;
