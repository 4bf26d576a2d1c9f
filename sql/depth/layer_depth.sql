-- depth/layer_depth: perceptual depth (paper eq. 4). For every word and tapped layer, the
-- largest symmetric KL of the layer's units, max_{i in l} S_i(u), and its share of the sum
-- of those maxima over the layers, S_l(u) = max_{i in l} S_i(u) / sum_l max_{i in l} S_i(u)
-- (0 in every layer for a word whose KL is 0 everywhere) — the paper's figures.
-- Beside them, the chance-corrected depth: the layer's largest kl_z (KL above a random D+
-- of the word's size, in null standard deviations), its excess over the largest kl_z the
-- layer reaches for pseudo-words (layer_divergence_null: a layer of 1,280 units has a
-- larger maximum by chance than one of 32), and eq. 4 on max(excess_z, 0) (relative_z).
-- Without pseudo-words (divergence --null-draws 0) the corrected columns are NULL.
-- Reads: unit_word_divergence, units, layer_divergence_null.
-- Writes: layer_depth (rows of model and scope, replaced).
-- Parameters: $model_id, $scope.

DELETE FROM layer_depth WHERE model_id = $model_id AND scope = $scope;

INSERT INTO layer_depth (
    model_id, scope, word, layer, layer_index, max_kl, relative, max_kl_z, excess_z, relative_z
)
WITH per_layer AS (
    SELECT d.word, u.layer, u.layer_index, max(d.kl) AS max_kl, max(d.kl_z) AS max_kl_z
    FROM unit_word_divergence AS d
    JOIN units AS u ON u.model_id = d.model_id AND u.unit_id = d.unit_id
    WHERE d.model_id = $model_id AND d.scope = $scope
    GROUP BY d.word, u.layer, u.layer_index
),
excess AS (
    SELECT p.*, p.max_kl_z - n.null_max_z_mean AS excess_z
    FROM per_layer AS p
    LEFT JOIN layer_divergence_null AS n
        ON n.model_id = $model_id AND n.scope = $scope AND n.layer = p.layer
)
SELECT
    $model_id,
    $scope,
    word,
    layer,
    layer_index,
    max_kl,
    coalesce(max_kl / nullif(sum(max_kl) OVER (PARTITION BY word), 0), 0.0),
    max_kl_z,
    excess_z,
    CASE WHEN excess_z IS NOT NULL THEN coalesce(
        greatest(excess_z, 0.0) / nullif(sum(greatest(excess_z, 0.0)) OVER (PARTITION BY word), 0),
        0.0
    ) END
FROM excess;
