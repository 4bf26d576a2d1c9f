-- 0022 time excess: a support-free trend value for time windows (docs/time.md).
-- Reads: nothing. Writes: column time_window_words.mean_top_kl_excess; view
-- time_window_trends (recreated on it).
--
-- kl_z is a z-score: for a real effect it grows with the window's support, so windows that
-- grow over time made words look 'rising'. kl - kl_null (the divergence above what a random
-- D+ of the window's size gets) estimates the effect itself, whatever the size.
-- mean kl - kl_null over the word's top_k prime units of the whole scope (prime_units), the
-- same units in every window, so no window's noise picks them.
ALTER TABLE time_window_words ADD COLUMN mean_top_kl_excess DOUBLE;

DROP VIEW time_window_trends;

-- Per word and window set: how the word's divergence moves across windows. value =
-- mean_top_kl_excess (max_kl without a null or prime units). slope: least-squares
-- change per window; t: its t statistic (r * sqrt((n - 2) / (1 - r^2))); direction is
-- 'rising' / 'falling' when |t| exceeds the two-sided 5 % critical value of Student's t with
-- n - 2 degrees of freedom (windows are disjoint product sets when rolling = 1), else
-- 'flat'; NULL below 3 windows. Support: the smallest and total positives over the windows.
CREATE VIEW time_window_trends AS
WITH points AS (
    SELECT
        w.model_id, w.scope, w.window_set, w.word, t.window_index, w.time_window,
        coalesce(w.mean_top_kl_excess, w.max_kl) AS value, w.n_pos
    FROM time_window_words AS w
    JOIN time_windows AS t
        ON t.model_id = w.model_id AND t.scope = w.scope AND t.window_set = w.window_set
       AND t.time_window = w.time_window
),
fitted AS (
    SELECT
        model_id, scope, window_set, word,
        count(*) AS n_windows,
        arg_min(time_window, window_index) AS first_window,
        arg_max(time_window, window_index) AS last_window,
        arg_min(value, window_index) AS first_value,
        arg_max(value, window_index) AS last_value,
        regr_slope(value, window_index) AS slope,
        corr(value, window_index) AS r,
        min(n_pos) AS min_n_pos,
        sum(n_pos) AS total_n_pos
    FROM points
    GROUP BY model_id, scope, window_set, word
),
tested AS (
    SELECT
        *,
        CASE WHEN n_windows >= 3 AND abs(r) < 1
             THEN r * sqrt((n_windows - 2) / (1 - r * r)) END AS t,
        -- t(0.975, df) for df = 1 .. 20; 2.0 beyond (2.086 at 20, 1.96 in the limit).
        CASE WHEN n_windows >= 3 THEN coalesce(
            [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
             2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086][n_windows - 2],
            2.0) END AS t_critical
    FROM fitted
)
SELECT
    *,
    CASE
        WHEN t IS NULL AND n_windows >= 3 AND abs(r) = 1 THEN
            CASE WHEN slope > 0 THEN 'rising' ELSE 'falling' END
        WHEN t IS NULL THEN NULL
        WHEN t >= t_critical THEN 'rising'
        WHEN t <= -t_critical THEN 'falling'
        ELSE 'flat'
    END AS direction
FROM tested;
