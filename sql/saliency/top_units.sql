-- The K units of highest symmetric KL for a word, with their KL (the S_i of eq. 5). Ties in
-- KL are broken by unit_id so K = 1, 8, 64 take nested sets of units.
-- Reads: unit_word_divergence. Writes: nothing.
-- Parameters: $model_id, $scope, $word, $k.
SELECT unit_id, kl
FROM unit_word_divergence
WHERE model_id = $model_id AND scope = $scope AND word = $word
ORDER BY kl DESC, unit_id
LIMIT $k;
