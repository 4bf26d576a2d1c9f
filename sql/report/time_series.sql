-- report/time_series: per window the value a trend is fitted on (mean kl - kl_null of the
-- top units, max_kl without a null) and the positives, for the given words of a window set.
-- Reads: time_window_words, time_windows. Writes: nothing.
-- Parameters: $model_id, $scope, $window_set, $words (VARCHAR[]).
SELECT w.word, t.window_index, w.time_window, coalesce(w.mean_top_kl_excess, w.max_kl) AS value,
       w.n_pos
FROM time_window_words AS w
JOIN time_windows AS t
    ON t.model_id = w.model_id AND t.scope = w.scope AND t.window_set = w.window_set
   AND t.time_window = w.time_window
WHERE w.model_id = $model_id AND w.scope = $scope AND w.window_set = $window_set
  AND list_contains($words, w.word)
ORDER BY w.word, t.window_index;
