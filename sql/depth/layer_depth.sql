-- depth/layer_depth: perceptual depth (paper eq. 4). For every word and tapped layer, the
-- largest symmetric KL of the layer's units, max_{i in l} S_i(u), and its share of the sum
-- of those maxima over the layers, S_l(u) = max_{i in l} S_i(u) / sum_l max_{i in l} S_i(u)
-- (0 in every layer for a word whose KL is 0 everywhere).
-- Reads: unit_word_divergence, units. Writes: layer_depth (rows of model and scope, replaced).
-- Parameters: $model_id, $scope.

DELETE FROM layer_depth WHERE model_id = $model_id AND scope = $scope;

INSERT INTO layer_depth (model_id, scope, word, layer, layer_index, max_kl, relative)
WITH per_layer AS (
    SELECT d.word, u.layer, u.layer_index, max(d.kl) AS max_kl
    FROM unit_word_divergence AS d
    JOIN units AS u ON u.model_id = d.model_id AND u.unit_id = d.unit_id
    WHERE d.model_id = $model_id AND d.scope = $scope
    GROUP BY d.word, u.layer, u.layer_index
)
SELECT
    $model_id,
    $scope,
    word,
    layer,
    layer_index,
    max_kl,
    coalesce(max_kl / nullif(sum(max_kl) OVER (PARTITION BY word), 0), 0.0)
FROM per_layer;
