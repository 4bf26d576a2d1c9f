-- report/layer_words: paper Table 3, the words most concentrated in each layer (by the
-- chance-corrected magnitude where divergence measured a null: layer_salient_words).
-- Reads: layer_salient_words. Writes: nothing. Parameters: $model_id, $scope, $n (per layer).
SELECT layer, layer_index, word, coalesce(relative_z, relative) AS relative, max_kl, layer_rank
FROM layer_salient_words
WHERE model_id = $model_id AND scope = $scope AND layer_rank <= $n
ORDER BY layer_index, layer_rank;
