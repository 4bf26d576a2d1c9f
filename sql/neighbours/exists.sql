-- neighbours/exists: how many words have divergences and prime units for a model and scope,
-- and whether every divergence row has its null-corrected kl_z.
-- Reads: unit_word_divergence, prime_units. Writes: nothing. Parameters: $model_id, $scope.
SELECT
    (SELECT count(DISTINCT word) FROM unit_word_divergence
     WHERE model_id = $model_id AND scope = $scope),
    (SELECT count(DISTINCT word) FROM prime_units WHERE model_id = $model_id AND scope = $scope),
    -- The null-corrected kl_z (migration 0011) is used when the divergence run filled it.
    (SELECT count(*) = count(kl_z) AND count(*) > 0 FROM unit_word_divergence
     WHERE model_id = $model_id AND scope = $scope);
