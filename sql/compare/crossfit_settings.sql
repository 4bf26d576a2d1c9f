-- compare/crossfit_settings: the distinct visualness settings (params JSON) a model's
-- cross-fitted results in a scope were computed with; the supervised ceiling is trained
-- with the same ones, so the two compare like for like.
-- Reads: visualness. Writes: nothing. Parameters: $model_id, $scope.
SELECT DISTINCT CAST(params AS VARCHAR) AS params
FROM visualness
WHERE model_id = $model_id AND scope = $scope AND method = 'crossfit' AND params IS NOT NULL
ORDER BY params;
