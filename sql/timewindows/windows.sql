-- timewindows/windows: the windows of a set over its stored periods, in label order (labels
-- sort in time order): each period alone ($rolling = 1) or every run of $rolling
-- consecutive periods, labelled 'first..last'. A window needs its results (re)computed when
-- it is new, its periods or size changed, it holds a recounted period, or $recompute_all.
-- Windows that no longer exist lose their results.
-- Reads: time_periods, time_windows, tw_recount.
-- Writes: temp tables tw_windows, tw_window_periods(window, period), tw_affected(window);
--         time_windows (the set's rows replaced); time_window_words and
--         time_window_prime_units (rows of affected and vanished windows deleted).
-- Parameters: $model_id, $scope, $window_set, $rolling, $recompute_all, $run_id.

CREATE OR REPLACE TEMP TABLE tw_periods_ordered AS
SELECT period, n_products, CAST(row_number() OVER (ORDER BY period) - 1 AS INTEGER) AS k
FROM time_periods
WHERE model_id = $model_id AND scope = $scope AND window_set = $window_set;

CREATE OR REPLACE TEMP TABLE tw_windows AS
SELECT
    CASE WHEN $rolling = 1 THEN l.period ELSE f.period || '..' || l.period END AS time_window,
    CAST(l.k - ($rolling - 1) AS INTEGER) AS window_index,
    f.period AS first_period,
    l.period AS last_period,
    (SELECT sum(m.n_products) FROM tw_periods_ordered AS m WHERE m.k BETWEEN f.k AND l.k)
        AS n_products
FROM tw_periods_ordered AS l
JOIN tw_periods_ordered AS f ON f.k = l.k - ($rolling - 1);

CREATE OR REPLACE TEMP TABLE tw_window_periods AS
SELECT w.time_window, p.period
FROM tw_windows AS w
JOIN tw_periods_ordered AS p ON p.period BETWEEN w.first_period AND w.last_period;

CREATE OR REPLACE TEMP TABLE tw_affected AS
SELECT w.time_window
FROM tw_windows AS w
LEFT JOIN time_windows AS s
    ON s.model_id = $model_id AND s.scope = $scope AND s.window_set = $window_set
   AND s.time_window = w.time_window
WHERE $recompute_all
   OR s.time_window IS NULL
   OR s.first_period <> w.first_period
   OR s.n_products <> w.n_products
   OR EXISTS (
       SELECT 1 FROM tw_window_periods AS wp
       JOIN tw_recount AS r ON r.period = wp.period
       WHERE wp.time_window = w.time_window
   );

DELETE FROM time_window_words
WHERE model_id = $model_id AND scope = $scope AND window_set = $window_set
  AND (time_window IN (SELECT time_window FROM tw_affected)
       OR time_window NOT IN (SELECT time_window FROM tw_windows));
DELETE FROM time_window_prime_units
WHERE model_id = $model_id AND scope = $scope AND window_set = $window_set
  AND (time_window IN (SELECT time_window FROM tw_affected)
       OR time_window NOT IN (SELECT time_window FROM tw_windows));

DELETE FROM time_windows
WHERE model_id = $model_id AND scope = $scope AND window_set = $window_set;

INSERT INTO time_windows (model_id, scope, window_set, time_window, window_index, first_period,
                          last_period, n_products, run_id)
SELECT $model_id, $scope, $window_set, time_window, window_index, first_period, last_period,
       n_products, $run_id
FROM tw_windows;

SELECT (SELECT count(*) FROM tw_windows), (SELECT count(*) FROM tw_affected);
