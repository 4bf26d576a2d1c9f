-- stability/latest_params: the parameters of the scope's newest successful divergence and
-- visualness runs, which the stability stage repeats for every seed.
-- Reads: runs. Writes: nothing; returns (stage, params) for each stage that has run.
-- Parameters: $scope.
SELECT stage, CAST(arg_max(params, run_id) AS VARCHAR) AS params
FROM runs
WHERE status = 'ok' AND scope = $scope AND stage IN ('divergence', 'visualness')
GROUP BY stage
ORDER BY stage;
