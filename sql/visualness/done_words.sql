-- Words of a run that are already complete: a visualness row for every asked method,
-- written with the same parameters. A resumed run skips them.
-- Reads: visualness. Writes: nothing; returns (word).
-- Parameters: $model_id, $scope, $words (VARCHAR[]), $methods (VARCHAR[]), $params (JSON text).

SELECT word
FROM visualness
WHERE model_id = $model_id
  AND scope = $scope
  AND list_contains($words, word)
  AND list_contains($methods, method)
  AND CAST(params AS VARCHAR) = $params
GROUP BY word
HAVING count(DISTINCT method) = len($methods)
ORDER BY word;
