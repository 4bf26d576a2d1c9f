-- depth/magnitude: per layer, M_l = the relative magnitude S_l(u) averaged over words (paper
-- Fig. 4), with the mean of the layer's max KL and the number of words that peak there
-- (largest S_l(u), ties to the earlier layer; a word whose KL is 0 everywhere peaks nowhere).
-- Reads: layer_depth. Writes: nothing. Parameters: $model_id, $scope.
WITH peaks AS (
    SELECT word, layer_index AS peak_index
    FROM layer_depth
    WHERE model_id = $model_id AND scope = $scope AND relative > 0
    QUALIFY row_number() OVER (PARTITION BY word ORDER BY relative DESC, layer_index) = 1
)
SELECT
    d.layer,
    d.layer_index,
    avg(d.relative) AS mean_relative,
    avg(d.max_kl) AS mean_max_kl,
    count(*) AS n_words,
    (SELECT count(*) FROM peaks AS p WHERE p.peak_index = d.layer_index) AS n_peaking
FROM layer_depth AS d
WHERE d.model_id = $model_id AND d.scope = $scope
GROUP BY d.layer, d.layer_index
ORDER BY d.layer_index;
