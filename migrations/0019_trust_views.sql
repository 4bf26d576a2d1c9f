-- 0019 trust views: ranked lists show each score's interval, support and stability, and the
-- per-layer views use the chance-corrected divergence (migration 0011).
-- Reads: visualness, visualness_stability, vocabulary, human_visualness, scopes,
--        category_bound_words, prime_units, unit_word_divergence, units, layer_depth.
-- Writes: views visualness_ranking, visualness_wide, visualness_context, prime_unit_layers,
--         layer_salient_words, word_depth_peak, layer_magnitude (replaced, columns added at
--         the end, existing columns kept).

-- Visualness per (model, scope, method) ranked both ways by the method's ranking score
-- (the lower 95 % bound for crossfit, the accuracy for the paper's methods; the same rule
-- as the macro visualness_ranking_score, written out because migrations run before the
-- macros are registered): visual_rank 1 = most visual word. Every row carries the interval and
-- the test positives and negatives behind it, and the rank spread over seeds where
-- `attrdb stability` has run. Words with NULL accuracy (too few examples) are left out.
CREATE OR REPLACE VIEW visualness_ranking AS
SELECT
    v.model_id,
    v.scope,
    v.method,
    v.word,
    v.accuracy,
    v.n_train,
    v.n_test,
    voc.n_products,
    h.h,
    rank() OVER (
        PARTITION BY v.model_id, v.scope, v.method
        ORDER BY CASE WHEN v.method = 'crossfit' THEN v.accuracy_low ELSE v.accuracy END DESC,
            v.word
    ) AS visual_rank,
    rank() OVER (
        PARTITION BY v.model_id, v.scope, v.method
        ORDER BY CASE WHEN v.method = 'crossfit' THEN v.accuracy_high ELSE v.accuracy END ASC,
            v.word
    ) AS nonvisual_rank,
    count(*) OVER (PARTITION BY v.model_id, v.scope, v.method) AS n_words,
    CASE WHEN v.method = 'crossfit' THEN v.accuracy_low ELSE v.accuracy END AS ranking_score,
    v.accuracy_low,
    v.accuracy_high,
    v.auc,
    v.auc_low,
    v.auc_high,
    v.n_test_pos,
    v.n_test_neg,
    st.rank_sd,
    st.rank_min,
    st.rank_max,
    st.n_seeds
FROM visualness AS v
LEFT JOIN vocabulary AS voc ON voc.scope = v.scope AND voc.word = v.word
LEFT JOIN human_visualness AS h ON h.word = v.word
LEFT JOIN visualness_stability AS st
    ON st.model_id = v.model_id AND st.scope = v.scope AND st.method = v.method
    AND st.word = v.word
WHERE v.accuracy IS NOT NULL;

-- One row per (model, scope, word) with each method's score side by side.
CREATE OR REPLACE VIEW visualness_wide AS
SELECT
    v.model_id,
    v.scope,
    v.word,
    max(v.accuracy) FILTER (WHERE v.method = 'random') AS random,
    max(v.accuracy) FILTER (WHERE v.method = 'initial') AS initial,
    max(v.accuracy) FILTER (WHERE v.method = 'resample') AS resample,
    max(v.accuracy) FILTER (WHERE v.method = 'language_prior') AS language_prior,
    any_value(h.h) AS h,
    max(v.accuracy) FILTER (WHERE v.method = 'crossfit') AS crossfit,
    max(v.accuracy_low) FILTER (WHERE v.method = 'crossfit') AS crossfit_low,
    max(v.accuracy_high) FILTER (WHERE v.method = 'crossfit') AS crossfit_high
FROM visualness AS v
LEFT JOIN human_visualness AS h ON h.word = v.word
GROUP BY v.model_id, v.scope, v.word;

-- Visualness ranking with the context checks beside it: the scope's negatives option, and
-- whether the word is category-bound (then a high score may be the category's). A scope
-- without the key has the definition's default (attrdb.context.scopes.ScopeDefinition).
CREATE OR REPLACE VIEW visualness_context AS
SELECT
    r.model_id,
    r.scope,
    r.method,
    r.word,
    r.accuracy,
    r.visual_rank,
    r.nonvisual_rank,
    r.n_words,
    coalesce(json_extract_string(s.definition, '$.negatives'), 'category_matched') AS negatives,
    coalesce(json_extract_string(s.definition, '$.boilerplate'), 'drop') AS boilerplate,
    b.bound AS category_bound,
    b.top_category,
    b.top_share,
    b.n_categories,
    r.accuracy_low,
    r.accuracy_high,
    r.n_test_pos,
    r.n_test_neg
FROM visualness_ranking AS r
LEFT JOIN scopes AS s ON s.scope = r.scope
LEFT JOIN category_bound_words AS b ON b.scope = r.scope AND b.word = r.word;

-- Prime units with the layer and channel they sit in, and how far above chance their KL is.
CREATE OR REPLACE VIEW prime_unit_layers AS
SELECT
    p.model_id,
    p.scope,
    p.word,
    p.rank,
    p.unit_id,
    p.kl,
    u.layer,
    u.layer_index,
    u.channel,
    p.kl_z
FROM prime_units AS p
JOIN units AS u ON u.model_id = p.model_id AND u.unit_id = p.unit_id;

-- Paper Table 3: words ranked within each layer by relative magnitude; layer_rank 1 = the
-- word whose divergence is most concentrated in this layer, by the chance-corrected
-- magnitude (relative_z) where divergence measured a null, else the paper's (relative).
CREATE OR REPLACE VIEW layer_salient_words AS
SELECT
    model_id,
    scope,
    layer,
    layer_index,
    word,
    relative,
    max_kl,
    rank() OVER (
        PARTITION BY model_id, scope, layer_index
        ORDER BY coalesce(relative_z, relative) DESC, word
    ) AS layer_rank,
    relative_z,
    max_kl_z,
    excess_z
FROM layer_depth;

-- Where each word's divergence peaks: the layer of largest relative magnitude (corrected
-- where available), whether that is the model's last tapped layer, and the
-- magnitude-weighted mean layer index.
CREATE OR REPLACE VIEW word_depth_peak AS
WITH last_layer AS (
    SELECT model_id, max(layer_index) AS last_index
    FROM units
    GROUP BY model_id
),
depth AS (
    SELECT *, coalesce(relative_z, relative) AS magnitude FROM layer_depth
)
SELECT
    d.model_id,
    d.scope,
    d.word,
    arg_max(d.layer, d.magnitude) AS peak_layer,
    arg_max(d.layer_index, d.magnitude) AS peak_layer_index,
    max(d.magnitude) AS peak_relative,
    sum(d.magnitude * d.layer_index) / nullif(sum(d.magnitude), 0) AS mean_depth,
    arg_max(d.layer_index, d.magnitude) = any_value(l.last_index) AS peaks_in_last_layer,
    count(*) AS n_layers
FROM depth AS d
LEFT JOIN last_layer AS l ON l.model_id = d.model_id
GROUP BY d.model_id, d.scope, d.word;

-- Paper Fig. 4: per layer, the relative magnitude and max KL averaged over words, and the
-- chance-corrected magnitude beside them.
CREATE OR REPLACE VIEW layer_magnitude AS
SELECT
    model_id,
    scope,
    layer,
    layer_index,
    avg(relative) AS mean_relative,
    stddev_samp(relative) AS sd_relative,
    avg(max_kl) AS mean_max_kl,
    count(*) AS n_words,
    avg(relative_z) AS mean_relative_z,
    avg(excess_z) AS mean_excess_z
FROM layer_depth
GROUP BY model_id, scope, layer, layer_index;
