-- report/compare_word_depth: the peak layer of given words in every feature set.
-- Reads: compare_word_depth. Writes: nothing. Parameters: $scope, $words (VARCHAR[]).
SELECT word, model_id, peak_layer, peak_position
FROM compare_word_depth
WHERE scope = $scope AND list_contains($words, word)
ORDER BY word, model_id;
