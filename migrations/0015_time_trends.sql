-- 0015 time trends: views over the time windows (docs/time.md).
-- Reads: nothing. Writes: views time_window_trends, time_layer_shifts, time_scope_visualness,
-- time_visualness_trends.

-- Per word and window set: how the word's divergence moves across windows. value = the
-- mean kl_z of the window's top-k units (max_kl without a null). slope: least-squares
-- change per window; t: its t statistic (r * sqrt((n - 2) / (1 - r^2))); direction is
-- 'rising' / 'falling' when |t| exceeds the two-sided 5 % critical value of Student's t with
-- n - 2 degrees of freedom (windows are disjoint product sets when rolling = 1), else
-- 'flat'; NULL below 3 windows. Support: the smallest and total positives over the windows.
CREATE VIEW time_window_trends AS
WITH points AS (
    SELECT
        w.model_id, w.scope, w.window_set, w.word, t.window_index, w.time_window,
        coalesce(w.mean_top_kl_z, w.max_kl) AS value, w.n_pos
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

-- Per word and window set: the layer of the word's peak unit in each window, in time order,
-- and whether it differs between the first and the last window the word has results in.
CREATE VIEW time_layer_shifts AS
SELECT
    w.model_id, w.scope, w.window_set, w.word,
    count(*) AS n_windows,
    list(w.time_window ORDER BY t.window_index) AS windows,
    list(w.peak_layer ORDER BY t.window_index) AS peak_layers,
    arg_min(w.peak_layer, t.window_index) AS first_layer,
    arg_max(w.peak_layer, t.window_index) AS last_layer,
    arg_min(w.peak_layer_index, t.window_index) <> arg_max(w.peak_layer_index, t.window_index)
        AS shifted,
    arg_max(w.peak_layer_index, t.window_index) - arg_min(w.peak_layer_index, t.window_index)
        AS layer_change,
    count(DISTINCT w.peak_layer) AS n_layers
FROM time_window_words AS w
JOIN time_windows AS t
    ON t.model_id = w.model_id AND t.scope = w.scope AND t.window_set = w.window_set
   AND t.time_window = w.time_window
GROUP BY w.model_id, w.scope, w.window_set, w.word;

-- Visualness of scopes that hold one value of a field (`attrdb time scope`, e.g. year =
-- 2015): the visualness stage's scores, intervals and support per window.
CREATE VIEW time_scope_visualness AS
SELECT
    v.model_id,
    json_extract_string(s.definition, '$.category_field') AS time_field,
    CAST(json_extract(s.definition, '$.categories') AS VARCHAR[])[1] AS time_window,
    v.scope,
    v.method,
    v.word,
    v.accuracy,
    v.accuracy_low,
    v.accuracy_high,
    v.auc,
    v.n_test_pos,
    v.n_test_neg
FROM visualness AS v
JOIN scopes AS s ON s.scope = v.scope
WHERE json_extract_string(s.definition, '$.category_field') IS NOT NULL
  AND json_array_length(json_extract(s.definition, '$.categories')) = 1
  AND v.accuracy IS NOT NULL;

-- Per word: its visualness in the earliest and the latest window it is scored in, and
-- whether it rose or fell beyond the intervals (the later interval entirely above or below
-- the earlier one), 'overlap' otherwise.
CREATE VIEW time_visualness_trends AS
WITH ordered AS (
    SELECT *, count(*) OVER (PARTITION BY model_id, time_field, method, word) AS n_windows
    FROM time_scope_visualness
),
ends AS (
    SELECT
        model_id, time_field, method, word, any_value(n_windows) AS n_windows,
        arg_min(time_window, time_window) AS first_window,
        arg_max(time_window, time_window) AS last_window,
        arg_min({'a': accuracy, 'lo': accuracy_low, 'hi': accuracy_high,
                 'n': n_test_pos}, time_window) AS first_score,
        arg_max({'a': accuracy, 'lo': accuracy_low, 'hi': accuracy_high,
                 'n': n_test_pos}, time_window) AS last_score
    FROM ordered
    GROUP BY model_id, time_field, method, word
)
SELECT
    model_id, time_field, method, word, n_windows, first_window, last_window,
    first_score.a AS first_accuracy, first_score.lo AS first_low, first_score.hi AS first_high,
    first_score.n AS first_n_test_pos,
    last_score.a AS last_accuracy, last_score.lo AS last_low, last_score.hi AS last_high,
    last_score.n AS last_n_test_pos,
    last_score.a - first_score.a AS change,
    CASE
        WHEN n_windows < 2 THEN NULL
        WHEN last_score.lo > first_score.hi THEN 'rising'
        WHEN last_score.hi < first_score.lo THEN 'falling'
        ELSE 'overlap'
    END AS direction
FROM ends;
