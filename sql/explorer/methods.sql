-- explorer/methods: the visualness methods with scores in a (model, scope).
-- Reads: visualness. Writes: nothing. Parameters: $model_id, $scope.
SELECT DISTINCT method
FROM visualness
WHERE model_id = $model_id AND scope = $scope
ORDER BY CASE method WHEN 'resample' THEN 1 WHEN 'initial' THEN 2 WHEN 'random' THEN 3
    ELSE 4 END, method;
