-- report/compare_prime_layers: where each feature set's prime units sit, per layer and unit
-- pooling: their share of all prime units and the layer's share of the units.
-- Reads: compare_prime_layers. Writes: nothing. Parameters: $scope.
SELECT model_id, pooling, unit_pooling, layer, layer_index, n_prime, n_words, prime_share, unit_share,
       enrichment
FROM compare_prime_layers
WHERE scope = $scope
ORDER BY model_id, unit_pooling, layer_index;
