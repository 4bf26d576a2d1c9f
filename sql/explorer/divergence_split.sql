-- explorer/divergence_split: the split the newest divergence run of a scope used (its
-- histograms are the ones the unit page redraws); NULL when divergence has not run.
-- Reads: latest_runs. Writes: nothing. Parameters: $scope.
SELECT json_extract_string(params, '$.split') AS split
FROM latest_runs
WHERE stage = 'divergence' AND scope = $scope;
