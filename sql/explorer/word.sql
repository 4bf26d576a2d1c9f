-- explorer/word: one word of a (model, scope): kind, |D+|, vocabulary rank, strongest prime
-- unit, peak layer, human score.
-- Reads: explorer_words. Writes: nothing. Parameters: $model_id, $scope, $word.
SELECT *
FROM explorer_words
WHERE model_id = $model_id AND scope = $scope AND word = $word;
