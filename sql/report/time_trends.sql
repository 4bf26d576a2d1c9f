-- report/time_trends: the words with the strongest significant divergence trends in the
-- newest window set of a model and scope, with slope, t, direction and support.
-- Reads: time_window_trends, time_window_sets. Writes: nothing.
-- Parameters: $model_id, $scope, $n.
WITH chosen AS (
    SELECT window_set FROM time_window_sets
    WHERE model_id = $model_id AND scope = $scope
    ORDER BY run_id DESC
    LIMIT 1
)
SELECT t.window_set, t.word, t.direction, t.n_windows, t.slope, t.t, t.first_value,
       t.last_value, t.min_n_pos, t.total_n_pos
FROM time_window_trends AS t
JOIN chosen AS c ON c.window_set = t.window_set
WHERE t.model_id = $model_id AND t.scope = $scope AND t.direction IN ('rising', 'falling')
ORDER BY abs(t.t) DESC, t.word
LIMIT $n;
