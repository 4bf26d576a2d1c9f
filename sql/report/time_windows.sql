-- report/time_windows: the newest window set's windows with their sizes and words scored,
-- and how many words' peak layer moved between their first and last window.
-- Reads: time_window_sets, time_windows, time_window_words, time_layer_shifts.
-- Writes: nothing. Parameters: $model_id, $scope.
WITH chosen AS (
    SELECT window_set FROM time_window_sets
    WHERE model_id = $model_id AND scope = $scope
    ORDER BY run_id DESC
    LIMIT 1
)
SELECT
    c.window_set,
    count(*) AS n_windows,
    min(w.n_products) AS min_products,
    max(w.n_products) AS max_products,
    sum(w.n_products) AS n_products,
    (SELECT count(DISTINCT word) FROM time_window_words AS ww
     WHERE ww.model_id = $model_id AND ww.scope = $scope AND ww.window_set = c.window_set)
        AS n_words,
    (SELECT count(*) FILTER (WHERE shifted) FROM time_layer_shifts AS s
     WHERE s.model_id = $model_id AND s.scope = $scope AND s.window_set = c.window_set
       AND s.n_windows >= 3) AS n_shifted,
    (SELECT count(*) FROM time_layer_shifts AS s
     WHERE s.model_id = $model_id AND s.scope = $scope AND s.window_set = c.window_set
       AND s.n_windows >= 3) AS n_with_3_windows
FROM chosen AS c
JOIN time_windows AS w
    ON w.model_id = $model_id AND w.scope = $scope AND w.window_set = c.window_set
GROUP BY c.window_set;
