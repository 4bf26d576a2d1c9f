-- visualness/upstream_runs: the newest successful run of every stage a visualness result
-- depends on (the products' text, duplicates, split; the model's activations; the scope's
-- vocabulary and the scope's divergence of this model). They are stored in the results'
-- params, so results computed before any of them ran again no longer count as done and
-- are recomputed (no silent staleness). Extracting or analysing another network leaves
-- this model's results current: extract and divergence runs count only for $model_id
-- (recorded in their params). An extract run that wrote no vector (every image was done
-- before: its summary says 0 extracted and 0 copied) changed nothing and does not count;
-- one without those counts (an import) does.
-- Reads: runs. Writes: nothing; returns one row (stage, run_id) per stage that has run.
-- Parameters: $scope, $model_id.
SELECT stage, max(run_id) AS run_id
FROM runs
WHERE status = 'ok'
  AND (stage IN ('text', 'dedup', 'split')
       OR (stage = 'extract' AND json_extract_string(params, '$.model_id') = $model_id
           AND coalesce(CAST(json_extract(summary, '$.n_extracted') AS BIGINT), 1)
               + coalesce(CAST(json_extract(summary, '$.n_copied_from_both') AS BIGINT), 0) > 0)
       OR (stage = 'vocab' AND scope = $scope)
       OR (stage = 'divergence' AND scope = $scope
           AND json_extract_string(params, '$.model_id') = $model_id))
GROUP BY stage
ORDER BY stage;
