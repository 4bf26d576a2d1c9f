-- visualness/upstream_runs: the newest successful run of every stage a visualness result
-- depends on (the products' text, duplicates, split, activations; the scope's vocabulary and
-- divergence). They are stored in the results' params, so results computed before any of
-- them ran again no longer count as done and are recomputed (no silent staleness).
-- Reads: runs. Writes: nothing; returns one row (stage, run_id) per stage that has run.
-- Parameters: $scope.
SELECT stage, max(run_id) AS run_id
FROM runs
WHERE status = 'ok'
  AND (stage IN ('text', 'dedup', 'split', 'extract')
       OR (stage IN ('vocab', 'divergence') AND scope = $scope))
GROUP BY stage
ORDER BY stage;
