-- explorer/unit_histogram: one unit's activation histogram in D+ and D- of a word on the
-- split the divergence run used (one split, or several joined by '+', e.g. 'train+val',
-- whose rows are summed), with each side's share per bin (explorer_unit_histogram).
-- Reads: explorer_unit_histogram. Writes: nothing.
-- Parameters: $model_id, $scope, $word, $unit_id, $split.
WITH counts AS (
    SELECT
        bin,
        any_value(lower_edge) AS lower_edge,
        any_value(upper_edge) AS upper_edge,
        sum(n_pos) AS n_pos,
        sum(n_neg) AS n_neg
    FROM explorer_unit_histogram
    WHERE model_id = $model_id AND scope = $scope AND word = $word AND unit_id = $unit_id
      AND list_contains(string_split($split, '+'), split)
    GROUP BY bin
)
SELECT
    bin,
    lower_edge,
    upper_edge,
    n_pos,
    n_neg,
    n_pos / nullif(sum(n_pos) OVER (), 0) AS share_pos,
    n_neg / nullif(sum(n_neg) OVER (), 0) AS share_neg
FROM counts
ORDER BY bin;
