-- explorer/unit_histogram: one unit's activation histogram in D+ and D- of a word on one
-- split, with each side's share per bin (explorer_unit_histogram).
-- Reads: explorer_unit_histogram. Writes: nothing.
-- Parameters: $model_id, $scope, $word, $unit_id, $split.
SELECT
    bin,
    lower_edge,
    upper_edge,
    n_pos,
    n_neg,
    n_pos / nullif(sum(n_pos) OVER (), 0) AS share_pos,
    n_neg / nullif(sum(n_neg) OVER (), 0) AS share_neg
FROM explorer_unit_histogram
WHERE model_id = $model_id AND scope = $scope AND word = $word AND unit_id = $unit_id
  AND split = $split
ORDER BY bin;
