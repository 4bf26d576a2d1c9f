-- report/depth_peaks: how many words peak in each layer (word_depth_peak).
-- Reads: word_depth_peak. Writes: nothing. Parameters: $model_id, $scope.
SELECT
    peak_layer,
    peak_layer_index,
    count(*) AS n_words,
    list(word ORDER BY peak_relative DESC, word)[1:8] AS example_words
FROM word_depth_peak
WHERE model_id = $model_id AND scope = $scope
GROUP BY peak_layer, peak_layer_index
ORDER BY peak_layer_index;
