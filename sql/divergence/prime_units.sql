-- divergence/prime_units: each word's top units by symmetric KL (ties: lower unit_id first).
-- Reads: unit_word_divergence. Writes: prime_units (rows of model and scope, replaced).
-- Parameters: $model_id, $scope, $top_k.

DELETE FROM prime_units WHERE model_id = $model_id AND scope = $scope;

INSERT INTO prime_units (model_id, scope, word, unit_id, rank, kl)
SELECT
    model_id,
    scope,
    word,
    unit_id,
    CAST(row_number() OVER (PARTITION BY word ORDER BY kl DESC, unit_id) AS INTEGER),
    kl
FROM unit_word_divergence
WHERE model_id = $model_id AND scope = $scope
QUALIFY row_number() OVER (PARTITION BY word ORDER BY kl DESC, unit_id) <= $top_k;
