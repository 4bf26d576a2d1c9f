-- timewindows/divergence: the symmetric KL (paper eq. 1) of every word and unit in each
-- affected window, from summed period counts: a window's unit histogram is the sum of its
-- periods' unit counts, a word's D+ histogram the sum of its periods' word counts, and D-
-- is the difference. Same smoothing and terms as the divergence stage (macros
-- smoothed_probability, symmetric_kl_term; bins empty on both sides add 0). A word needs
-- $min_positives positives and $min_negatives negatives in the window. When the scope's
-- divergence run measured a null (unit_divergence_null, divergence_null_sizes: migrations
-- 0011, 0014), kl_null = null_mean * mean_factor * (1/n_pos + 1/n_neg) and kl_z = (kl -
-- kl_null) / (null_sd * sd_factor * (1/n_pos + 1/n_neg)), the size factor of the window's
-- smaller side's class (1 when the scope measured no such class): the divergence stage's
-- own formula (sql/divergence/null.sql) at the window's sizes. Units without a null get
-- kl_z NULL.
-- kl_excess = kl - kl_null, the divergence beyond chance at the window's sizes (a
-- support-free effect size; kl_z grows with support).
-- Then per (window, word): the largest kl and kl_z, the mean kl_z of the window's top
-- $top_k units, the mean kl_excess of the word's top $top_k prime units of the scope (fixed
-- across windows), the peak unit and its layer; and the window's top $top_k units (prime
-- units) by kl_z (kl when there is no null).
-- Reads: tw_affected, tw_window_periods, tw_windows, time_period_unit_counts,
--        time_period_word_counts, time_period_word_sizes, unit_bins, unit_divergence_null,
--        divergence_null_sizes, units, prime_units.
-- Writes: time_window_words, time_window_prime_units (rows of affected windows).
-- Parameters: $model_id, $scope, $window_set, $min_positives, $min_negatives, $smoothing,
--             $top_k, $run_id.

CREATE OR REPLACE TEMP TABLE tw_kl AS
WITH n_bins AS (
    SELECT any_value(len(edges) - 1) AS n_bins
    FROM unit_bins
    WHERE model_id = $model_id AND scope = $scope
),
totals AS (
    SELECT wp.time_window, c.unit_id, c.bin, sum(c.n) AS total
    FROM tw_affected AS a
    JOIN tw_window_periods AS wp ON wp.time_window = a.time_window
    JOIN time_period_unit_counts AS c
        ON c.model_id = $model_id AND c.scope = $scope AND c.window_set = $window_set
       AND c.period = wp.period
    GROUP BY wp.time_window, c.unit_id, c.bin
),
words AS (
    SELECT wp.time_window, s.word, sum(s.n_pos) AS n_pos, any_value(w.n_products) - sum(s.n_pos) AS n_neg
    FROM tw_affected AS a
    JOIN tw_window_periods AS wp ON wp.time_window = a.time_window
    JOIN tw_windows AS w ON w.time_window = a.time_window
    JOIN time_period_word_sizes AS s
        ON s.model_id = $model_id AND s.scope = $scope AND s.window_set = $window_set
       AND s.period = wp.period
    GROUP BY wp.time_window, s.word
    HAVING sum(s.n_pos) >= $min_positives
       AND any_value(w.n_products) - sum(s.n_pos) >= $min_negatives
),
positives AS (
    SELECT wp.time_window, c.word, c.unit_id, c.bin, sum(c.n) AS n
    FROM tw_affected AS a
    JOIN tw_window_periods AS wp ON wp.time_window = a.time_window
    JOIN time_period_word_counts AS c
        ON c.model_id = $model_id AND c.scope = $scope AND c.window_set = $window_set
       AND c.period = wp.period
    GROUP BY wp.time_window, c.word, c.unit_id, c.bin
),
kl AS (
    SELECT
        t.time_window,
        w.word,
        t.unit_id,
        any_value(w.n_pos) AS n_pos,
        any_value(w.n_neg) AS n_neg,
        -- Summed in bin order, so an incremental run and a full one give the same doubles
        -- (a parallel sum adds in any order).
        list_sum(list(symmetric_kl_term(
            smoothed_probability(coalesce(p.n, 0), w.n_pos, nb.n_bins, $smoothing),
            smoothed_probability(t.total - coalesce(p.n, 0), w.n_neg, nb.n_bins, $smoothing)
        ) ORDER BY t.bin)) AS kl
    FROM totals AS t
    CROSS JOIN n_bins AS nb
    JOIN words AS w ON w.time_window = t.time_window
    LEFT JOIN positives AS p
        ON p.time_window = t.time_window AND p.word = w.word AND p.unit_id = t.unit_id AND p.bin = t.bin
    GROUP BY t.time_window, w.word, t.unit_id
)
SELECT
    k.time_window,
    k.word,
    k.unit_id,
    k.n_pos,
    k.n_neg,
    k.kl,
    k.kl - z.null_mean * coalesce(f.mean_factor, 1.0) * (1.0 / k.n_pos + 1.0 / k.n_neg)
        AS kl_excess,
    CASE
        WHEN z.unit_id IS NULL THEN NULL
        WHEN z.null_sd * coalesce(f.sd_factor, 1.0) > 0 THEN
            (k.kl - z.null_mean * coalesce(f.mean_factor, 1.0) * (1.0 / k.n_pos + 1.0 / k.n_neg))
            / (z.null_sd * coalesce(f.sd_factor, 1.0) * (1.0 / k.n_pos + 1.0 / k.n_neg))
        ELSE 0.0
    END AS kl_z
FROM kl AS k
LEFT JOIN unit_divergence_null AS z
    ON z.model_id = $model_id AND z.scope = $scope AND z.unit_id = k.unit_id
LEFT JOIN divergence_null_sizes AS f
    ON f.model_id = $model_id AND f.scope = $scope
   AND f.size_class = CAST(floor(log2(least(k.n_pos, k.n_neg))) AS INTEGER);

INSERT INTO time_window_prime_units (model_id, scope, window_set, time_window, word, unit_id, rank,
                                     kl, kl_z)
WITH top AS (
    SELECT
        time_window,
        word,
        max_by(
            {'unit_id': unit_id, 'kl': kl, 'kl_z': kl_z},
            {'key': coalesce(kl_z, kl), 'neg_unit': -unit_id},
            $top_k
        ) AS units
    FROM tw_kl
    GROUP BY time_window, word
)
SELECT $model_id, $scope, $window_set, time_window, word, units[i].unit_id, CAST(i AS INTEGER),
       units[i].kl, units[i].kl_z
FROM (SELECT time_window, word, units, generate_subscripts(units, 1) AS i FROM top);

INSERT INTO time_window_words (model_id, scope, window_set, time_window, word, n_pos, n_neg, max_kl,
                               max_kl_z, mean_top_kl_z, mean_top_kl_excess, peak_unit,
                               peak_layer, peak_layer_index, run_id)
WITH per_word AS (
    SELECT
        k.time_window,
        k.word,
        any_value(k.n_pos) AS n_pos,
        any_value(k.n_neg) AS n_neg,
        max(k.kl) AS max_kl,
        max(k.kl_z) AS max_kl_z,
        arg_max(k.unit_id, {'key': coalesce(k.kl_z, k.kl), 'neg_unit': -k.unit_id}) AS peak_unit
    FROM tw_kl AS k
    GROUP BY k.time_window, k.word
),
top_mean AS (
    SELECT time_window, word, list_avg(list(kl_z ORDER BY rank)) AS mean_top_kl_z
    FROM time_window_prime_units
    WHERE model_id = $model_id AND scope = $scope AND window_set = $window_set
    GROUP BY time_window, word
),
fixed_mean AS (
    -- The word's top $top_k prime units of the whole scope, the same units in every window:
    -- a per-window top-k would pick the units most inflated by the window's noise, which
    -- is larger in smaller windows.
    SELECT k.time_window, k.word, list_avg(list(k.kl_excess ORDER BY k.unit_id))
        AS mean_top_kl_excess
    FROM tw_kl AS k
    JOIN prime_units AS p
        ON p.model_id = $model_id AND p.scope = $scope AND p.word = k.word
       AND p.unit_id = k.unit_id AND p.rank <= $top_k
    GROUP BY k.time_window, k.word
)
SELECT
    $model_id, $scope, $window_set, w.time_window, w.word, w.n_pos, w.n_neg, w.max_kl, w.max_kl_z,
    t.mean_top_kl_z, x.mean_top_kl_excess, w.peak_unit, u.layer, u.layer_index, $run_id
FROM per_word AS w
LEFT JOIN top_mean AS t ON t.time_window = w.time_window AND t.word = w.word
LEFT JOIN fixed_mean AS x ON x.time_window = w.time_window AND x.word = w.word
LEFT JOIN units AS u ON u.model_id = $model_id AND u.unit_id = w.peak_unit;

DROP TABLE tw_kl;
