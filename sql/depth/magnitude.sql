-- depth/magnitude: per layer, M_l = the relative magnitude averaged over words (paper
-- Fig. 4), with the mean of the layer's max KL and the number of words that peak there
-- (largest relative magnitude, ties to the earlier layer; a word with no magnitude anywhere
-- peaks nowhere). The relative magnitude is the chance-corrected one (relative_z: eq. 4 on
-- the layer's largest kl_z above its pseudo-word level) when divergence measured a null,
-- else the paper's (relative).
-- Reads: layer_depth. Writes: nothing. Parameters: $model_id, $scope.
WITH depth AS (
    SELECT *, coalesce(relative_z, relative) AS magnitude
    FROM layer_depth
    WHERE model_id = $model_id AND scope = $scope
),
peaks AS (
    SELECT word, layer_index AS peak_index
    FROM depth
    WHERE magnitude > 0
    QUALIFY row_number() OVER (PARTITION BY word ORDER BY magnitude DESC, layer_index) = 1
)
SELECT
    d.layer,
    d.layer_index,
    avg(d.magnitude) AS mean_relative,
    avg(d.max_kl) AS mean_max_kl,
    count(*) AS n_words,
    (SELECT count(*) FROM peaks AS p WHERE p.peak_index = d.layer_index) AS n_peaking
FROM depth AS d
GROUP BY d.layer, d.layer_index
ORDER BY d.layer_index;
