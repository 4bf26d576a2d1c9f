-- Remove a chunk's earlier results before they are written again, so a rerun or a resumed
-- run never leaves duplicates.
-- Reads: nothing. Writes: deletes from visualness, classifiers, predictions.
-- Parameters: $model_id, $scope, $words (VARCHAR[]), $methods (VARCHAR[]).

DELETE FROM visualness
WHERE model_id = $model_id AND scope = $scope
  AND list_contains($words, word) AND list_contains($methods, method);

DELETE FROM classifiers
WHERE model_id = $model_id AND scope = $scope
  AND list_contains($words, word) AND list_contains($methods, method);

DELETE FROM predictions
WHERE model_id = $model_id AND scope = $scope
  AND list_contains($words, word) AND list_contains($methods, method);
