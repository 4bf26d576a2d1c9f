-- explorer/word_prime_units: a word's prime units with layer, KL, support and any
-- null-corrected divergence columns, by layer then rank.
-- Reads: explorer_prime_units. Writes: nothing. Parameters: $model_id, $scope, $word.
SELECT * EXCLUDE (model_id, scope, word)
FROM explorer_prime_units
WHERE model_id = $model_id AND scope = $scope AND word = $word
ORDER BY layer_index, rank;
