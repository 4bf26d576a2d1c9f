-- timewindows/summary: per window of a set, its size, words with results, and the words
-- with the largest max_kl_z (max_kl without a null).
-- Reads: time_windows, time_window_words. Writes: nothing.
-- Parameters: $model_id, $scope, $window_set, $n.
SELECT
    w.time_window,
    w.n_products,
    count(ww.word) AS n_words,
    coalesce(list(ww.word ORDER BY coalesce(ww.max_kl_z, ww.max_kl) DESC, ww.word)
        FILTER (WHERE ww.word IS NOT NULL), [])[1:$n] AS top_words
FROM time_windows AS w
LEFT JOIN time_window_words AS ww
    ON ww.model_id = w.model_id AND ww.scope = w.scope AND ww.window_set = w.window_set
   AND ww.time_window = w.time_window
WHERE w.model_id = $model_id AND w.scope = $scope AND w.window_set = $window_set
GROUP BY w.time_window, w.window_index, w.n_products
ORDER BY w.window_index;
