-- 0028 compare settings: every compare row shows the visualness settings it came from, and
-- rows computed under different settings are never set side by side unflagged
-- (docs/compare.md). Reads: nothing. Writes: views compare_word_settings, compare_settings;
-- views compare_table1 and compare_floor recreated.
--
-- Intervals of a mean over words: Student t with n - 1 degrees of freedom (the 0.975
-- quantile by its Cornish-Fisher expansion in 1/df: 4.17 at df 2 (exact 4.30), 2.2276 at
-- df 10 (2.2281), 1.9693 at df 249 (1.9695)); NULL under 3 words. Bounded means (accuracy,
-- AUC, precision) are clipped to [0, 1]: 11 colour words' precision +- t sd / sqrt(n) can
-- otherwise pass 1.

-- The settings of every classifier result (one row per visualness row but the language
-- prior, which trains nothing). The cross-fitting fields only matter to method crossfit
-- and are NULL for the others, so unrelated fields never make two rows look unlike.
CREATE VIEW compare_word_settings AS
SELECT
    model_id,
    scope,
    method,
    word,
    -- A result from before crossfit_repeats was recorded was one cross-fit (R = 1).
    CASE WHEN method = 'crossfit'
        THEN coalesce(CAST(params->>'crossfit_repeats' AS INTEGER), 1) END AS crossfit_repeats,
    CASE WHEN method = 'crossfit' THEN CAST(params->>'n_folds' AS INTEGER) END AS n_folds,
    CASE WHEN method = 'crossfit'
        THEN CAST(params->>'negatives_per_positive' AS INTEGER) END AS negatives_per_positive,
    coalesce(params->>'negatives', 'random') AS negatives,
    params->>'match_field' AS match_field,
    coalesce(CAST(params->>'match_shop' AS BOOLEAN), false) AS match_shop,
    CAST(params->>'seed' AS BIGINT) AS seed,
    CAST(params->>'C' AS DOUBLE) AS c,
    CAST(params->>'max_per_class' AS INTEGER) AS max_per_class,
    CAST(params->>'min_train_pos' AS INTEGER) AS min_train_pos,
    CAST(params->>'min_test_pos' AS INTEGER) AS min_test_pos
FROM visualness
WHERE method <> 'language_prior';

COMMENT ON VIEW compare_word_settings IS 'The visualness settings of every classifier result (visualness.params): cross-fit repetitions, folds and negatives per positive (crossfit only), how the scope draws negatives, seed, C, the sample cap and the support minimums. Compare views pair two results only when these agree.';
COMMENT ON COLUMN compare_word_settings.crossfit_repeats IS 'Cross-fit repetitions R (crossfit only; a result stored before R was recorded counts as 1, the single cross-fit of that release).';
COMMENT ON COLUMN compare_word_settings.n_folds IS 'Cross-fitting folds (crossfit only).';
COMMENT ON COLUMN compare_word_settings.negatives_per_positive IS 'Negatives drawn per training positive in each stratum (crossfit only).';
COMMENT ON COLUMN compare_word_settings.negatives IS 'How the scope draws negatives: random or category_matched.';
COMMENT ON COLUMN compare_word_settings.match_field IS 'The field negatives are matched on (category_matched scopes).';
COMMENT ON COLUMN compare_word_settings.match_shop IS 'Whether negatives are also matched on shop.';

-- Per model, scope and method: the settings behind its results, one line of text, and how
-- many distinct settings its words were computed with (n_settings > 1: the row mixes
-- settings and its mean is not one representation's number).
CREATE VIEW compare_settings AS
WITH grouped AS (
    SELECT
        model_id, scope, method,
        count(*) AS n_words,
        count(DISTINCT (crossfit_repeats, n_folds, negatives_per_positive, negatives,
                        match_field, match_shop, seed, c, max_per_class, min_train_pos,
                        min_test_pos)) AS n_settings,
        min(crossfit_repeats) AS min_repeats,
        max(crossfit_repeats) AS max_repeats,
        any_value((crossfit_repeats, n_folds, negatives_per_positive, negatives, match_field,
                   match_shop, seed, c, max_per_class, min_train_pos, min_test_pos))
            AS settings_key,
        any_value(crossfit_repeats) AS crossfit_repeats,
        any_value(n_folds) AS n_folds,
        any_value(negatives_per_positive) AS negatives_per_positive,
        any_value(negatives) AS negatives,
        any_value(match_field) AS match_field,
        any_value(match_shop) AS match_shop,
        any_value(seed) AS seed,
        any_value(c) AS c
    FROM compare_word_settings
    GROUP BY model_id, scope, method
)
SELECT
    model_id,
    scope,
    method,
    n_words,
    n_settings,
    CASE WHEN n_settings = 1 THEN crossfit_repeats END AS crossfit_repeats,
    CASE WHEN n_settings = 1 THEN n_folds END AS n_folds,
    CASE WHEN n_settings = 1 THEN negatives_per_positive END AS negatives_per_positive,
    CASE WHEN n_settings = 1 THEN negatives END AS negatives,
    CASE WHEN n_settings = 1 THEN match_field END AS match_field,
    CASE WHEN n_settings = 1 THEN match_shop END AS match_shop,
    CASE WHEN n_settings = 1 THEN seed END AS seed,
    CASE WHEN n_settings = 1 THEN c END AS c,
    CASE WHEN n_settings = 1 THEN settings_key END AS settings_key,
    CASE
        WHEN n_settings > 1 THEN
            'mixed: ' || n_settings || ' settings over ' || n_words || ' words'
            || CASE WHEN min_repeats <> max_repeats
                    THEN ' (R ' || min_repeats || ' to ' || max_repeats || ')' ELSE '' END
        ELSE
            CASE WHEN method = 'crossfit'
                THEN 'R=' || crossfit_repeats || ' x ' || n_folds || ' folds, '
                     || negatives_per_positive || ' neg/pos, '
                ELSE '' END
            || negatives
            || CASE WHEN negatives = 'category_matched'
                    THEN ' (' || coalesce(match_field, 'category')
                         || CASE WHEN match_shop THEN '+shop' ELSE '' END || ')'
                    ELSE '' END
            || ', seed ' || seed || ', C ' || c
    END AS settings
FROM grouped;

COMMENT ON VIEW compare_settings IS 'Per model, scope and method: the visualness settings behind its results as columns and one line of text (settings), and n_settings, how many distinct settings its words were computed with (above 1 the row mixes settings; its columns are NULL and settings says so).';
COMMENT ON COLUMN compare_settings.n_settings IS 'Distinct settings among the words'' results: 1 = like-for-like within the row.';
COMMENT ON COLUMN compare_settings.settings_key IS 'All settings as one struct (NULL when mixed): two rows are like-for-like when their keys are equal.';
COMMENT ON COLUMN compare_settings.settings IS 'The settings in one line, e.g. R=1 x 5 folds, 4 neg/pos, category_matched (category+shop), seed 0, C 0.01.';

-- Paper Table 1 across feature sets, like for like: per model, scope and method, the
-- settings the results came from, the mean visualness (balanced accuracy and AUC) over
-- the scored words with a 95% interval of the mean, the agreement with human judgments
-- where imported, and per metadata field the text-trained classifiers' precision at k
-- next to the supervised ceiling of the same features on the same words. The ceiling is
-- cross-fitted on scope '<scope>:<field>'; it is compared (share_of_ceiling) only with the
-- crossfit row and only when both were computed with the same settings; otherwise
-- ceiling_note says why not in one line.
CREATE OR REPLACE VIEW compare_table1 AS
WITH scores AS (
    SELECT
        model_id, scope, method,
        count(*) AS n_words,
        avg(accuracy) AS mean_accuracy,
        stddev_samp(accuracy) AS sd_accuracy,
        avg(auc) AS mean_auc,
        stddev_samp(auc) AS sd_auc
    FROM visualness
    WHERE accuracy IS NOT NULL AND method <> 'language_prior'  -- a score, not a classifier
    GROUP BY model_id, scope, method
),
paired_precision AS (
    -- Each text-trained precision beside the ceiling's on the same word.
    SELECT t.model_id, t.scope, t.method, t.field, t.k, t.precision, c.precision AS ceiling
    FROM metadata_precision AS t
    LEFT JOIN metadata_precision AS c
        ON c.labels = 'metadata' AND c.model_id = t.model_id AND c.scope = t.scope
        AND c.field = t.field AND c.k = t.k AND c.word = t.word
    WHERE t.labels = 'text' AND t.precision IS NOT NULL
),
text_precision AS (
    SELECT
        model_id, scope, method, field, k,
        count(*) AS n_attribute_words,
        avg(precision) AS mean_precision,
        stddev_samp(precision) AS sd_precision,
        avg(ceiling) AS ceiling_precision,
        stddev_samp(ceiling) AS sd_ceiling,
        count(ceiling) AS n_ceiling_words
    FROM paired_precision
    GROUP BY model_id, scope, method, field, k
),
t_quantiles AS (
    -- 0.975 quantile of Student t with df = n - 1 (Cornish-Fisher, see the header).
    SELECT
        *,
        CASE WHEN n_attribute_words >= 3 THEN
            1.959964 + 2.372 / (n_attribute_words - 1) + 2.823 / (n_attribute_words - 1) ^ 2
            + 2.556 / (n_attribute_words - 1) ^ 3 END AS t_precision,
        CASE WHEN n_ceiling_words >= 3 THEN
            1.959964 + 2.372 / (n_ceiling_words - 1) + 2.823 / (n_ceiling_words - 1) ^ 2
            + 2.556 / (n_ceiling_words - 1) ^ 3 END AS t_ceiling
    FROM text_precision
),
joined AS (
    SELECT
        s.*,
        CASE WHEN s.n_words >= 3 THEN
            1.959964 + 2.372 / (s.n_words - 1) + 2.823 / (s.n_words - 1) ^ 2
            + 2.556 / (s.n_words - 1) ^ 3 END AS t_words,
        f.name, f.pooling, f.kind,
        st.n_settings, st.crossfit_repeats, st.n_folds, st.negatives_per_positive,
        st.negatives, st.match_field, st.match_shop, st.seed, st.c, st.settings,
        st.settings_key,
        a.pearson, a.spearman, a.n_words AS n_human_words,
        t.field, t.k, t.n_attribute_words, t.mean_precision, t.sd_precision, t.t_precision,
        t.n_ceiling_words, t.ceiling_precision, t.sd_ceiling, t.t_ceiling,
        cs.n_settings AS ceiling_n_settings,
        cs.crossfit_repeats AS ceiling_crossfit_repeats,
        cs.settings AS ceiling_settings,
        cs.settings_key AS ceiling_settings_key,
        cs.n_folds AS ceiling_n_folds,
        cs.negatives_per_positive AS ceiling_negatives_per_positive,
        cs.negatives AS ceiling_negatives,
        cs.match_field AS ceiling_match_field,
        cs.match_shop AS ceiling_match_shop,
        cs.seed AS ceiling_seed,
        cs.c AS ceiling_c
    FROM scores AS s
    LEFT JOIN compare_feature_sets AS f ON f.model_id = s.model_id
    LEFT JOIN compare_settings AS st
        ON st.model_id = s.model_id AND st.scope = s.scope AND st.method = s.method
    LEFT JOIN agreement AS a
        ON a.model_id = s.model_id AND a.scope = s.scope AND a.method = s.method
    LEFT JOIN t_quantiles AS t
        ON t.model_id = s.model_id AND t.scope = s.scope AND t.method = s.method
    LEFT JOIN compare_settings AS cs
        ON cs.model_id = s.model_id AND cs.scope = s.scope || ':' || t.field
        AND cs.method = 'crossfit'
),
judged AS (
    SELECT
        *,
        -- Why the ceiling is not set against this row (NULL: it is, like for like).
        CASE
            WHEN ceiling_precision IS NULL THEN NULL
            WHEN method <> 'crossfit' THEN
                'the ceiling is cross-fitted; compare it with this feature set''s crossfit row'
            WHEN n_settings > 1 THEN 'the text-trained results mix settings (' || settings || ')'
            WHEN ceiling_n_settings IS NULL THEN
                'the ceiling''s settings are unknown (its visualness rows are not in this '
                || 'database); rerun `attrdb compare`'
            WHEN ceiling_n_settings > 1 THEN
                'the ceiling mixes settings (' || ceiling_settings || ')'
            WHEN ceiling_settings_key IS DISTINCT FROM settings_key THEN
                'settings differ (text-trained vs ceiling): ' || coalesce(nullif(concat_ws('; ',
                    CASE WHEN ceiling_crossfit_repeats <> crossfit_repeats THEN
                        'crossfit repeats ' || crossfit_repeats || ' vs '
                        || ceiling_crossfit_repeats END,
                    CASE WHEN ceiling_n_folds <> n_folds THEN
                        'folds ' || n_folds || ' vs ' || ceiling_n_folds END,
                    CASE WHEN ceiling_negatives_per_positive <> negatives_per_positive THEN
                        'negatives per positive ' || negatives_per_positive || ' vs '
                        || ceiling_negatives_per_positive END,
                    CASE WHEN (ceiling_negatives, ceiling_match_field, ceiling_match_shop)
                              IS DISTINCT FROM (negatives, match_field, match_shop) THEN
                        'negatives ' || negatives || ' vs ' || ceiling_negatives END,
                    CASE WHEN ceiling_seed <> seed THEN
                        'seed ' || seed || ' vs ' || ceiling_seed END,
                    CASE WHEN ceiling_c <> c THEN 'C ' || c || ' vs ' || ceiling_c END
                ), ''), 'sample cap or support minimums')
        END AS ceiling_note
    FROM joined
)
SELECT
    model_id,
    name,
    pooling,
    kind,
    scope,
    method,
    negatives,
    match_field,
    match_shop,
    crossfit_repeats,
    n_folds,
    negatives_per_positive,
    n_settings,
    settings,
    n_words,
    mean_accuracy,
    greatest(mean_accuracy - t_words * sd_accuracy / sqrt(n_words), 0) AS mean_accuracy_low,
    least(mean_accuracy + t_words * sd_accuracy / sqrt(n_words), 1) AS mean_accuracy_high,
    mean_auc,
    greatest(mean_auc - t_words * sd_auc / sqrt(n_words), 0) AS mean_auc_low,
    least(mean_auc + t_words * sd_auc / sqrt(n_words), 1) AS mean_auc_high,
    pearson AS human_pearson,
    spearman AS human_spearman,
    n_human_words,
    field,
    k,
    n_attribute_words,
    mean_precision,
    greatest(mean_precision - t_precision * sd_precision / sqrt(n_attribute_words), 0)
        AS mean_precision_low,
    least(mean_precision + t_precision * sd_precision / sqrt(n_attribute_words), 1)
        AS mean_precision_high,
    n_ceiling_words,
    ceiling_settings,
    ceiling_precision,
    greatest(ceiling_precision - t_ceiling * sd_ceiling / sqrt(n_ceiling_words), 0)
        AS ceiling_low,
    least(ceiling_precision + t_ceiling * sd_ceiling / sqrt(n_ceiling_words), 1)
        AS ceiling_high,
    ceiling_precision IS NOT NULL AND ceiling_note IS NULL AS ceiling_comparable,
    ceiling_note,
    CASE WHEN ceiling_note IS NULL THEN mean_precision / nullif(ceiling_precision, 0) END
        AS share_of_ceiling
FROM judged;

COMMENT ON VIEW compare_table1 IS 'Paper Table 1 across feature sets, like for like: per model, scope and method, the visualness settings its results came from (settings; n_settings > 1 = mixed), the mean balanced accuracy and AUC over the scored words with 95% Student-t intervals of the mean clipped to [0, 1], the agreement with human judgments where imported, and per metadata field the text-trained precision at k next to the supervised ceiling (cross-fitted, scope <scope>:<field>) on the same words. share_of_ceiling only when the row is crossfit and both used the same settings; otherwise ceiling_note says why not.';
COMMENT ON COLUMN compare_table1.settings IS 'The visualness settings of the row in one line (compare_settings).';
COMMENT ON COLUMN compare_table1.n_settings IS 'Distinct settings among the row''s words (1 = like for like).';
COMMENT ON COLUMN compare_table1.ceiling_settings IS 'The settings the ceiling''s cross-fitted classifiers were computed with.';
COMMENT ON COLUMN compare_table1.ceiling_comparable IS 'True when the ceiling and this row are crossfit results of the same settings.';
COMMENT ON COLUMN compare_table1.ceiling_note IS 'Why the ceiling is not compared with this row, in one line (NULL: it is).';
COMMENT ON COLUMN compare_table1.share_of_ceiling IS 'mean_precision / ceiling_precision, only when ceiling_comparable.';
COMMENT ON COLUMN compare_table1.mean_precision_low IS '95% Student-t interval of the mean precision over the attribute words, clipped to [0, 1].';

-- The floor, like for like: every feature set against each randomly initialised network
-- of the same pooling, paired over the words both scored with the same settings (words
-- scored under different settings are counted in n_unlike_words and left out): mean
-- difference of balanced accuracy and of AUC with 95% Student-t intervals, and the share
-- of words on which the trained network scores higher.
CREATE OR REPLACE VIEW compare_floor AS
WITH scored AS (
    SELECT
        v.model_id, v.scope, v.method, v.word, v.accuracy, v.auc, f.pooling, f.kind,
        (w.crossfit_repeats, w.n_folds, w.negatives_per_positive, w.negatives, w.match_field,
         w.match_shop, w.seed, w.c, w.max_per_class, w.min_train_pos, w.min_test_pos)
            AS settings_key
    FROM visualness AS v
    JOIN compare_feature_sets AS f ON f.model_id = v.model_id
    JOIN compare_word_settings AS w
        ON w.model_id = v.model_id AND w.scope = v.scope AND w.method = v.method
        AND w.word = v.word
    WHERE v.accuracy IS NOT NULL AND v.method <> 'language_prior'
),
paired AS (
    SELECT
        t.model_id, r.model_id AS floor_model_id, t.scope, t.method, t.pooling, t.word,
        t.settings_key = r.settings_key AS alike,
        t.accuracy - r.accuracy AS d_accuracy,
        t.auc - r.auc AS d_auc
    FROM scored AS t
    JOIN scored AS r
        ON r.kind = 'random_init' AND r.pooling = t.pooling AND r.scope = t.scope
        AND r.method = t.method AND r.word = t.word AND r.model_id <> t.model_id
),
summed AS (
    SELECT
        model_id, floor_model_id, scope, method, pooling,
        count(*) FILTER (WHERE alike) AS n_words,
        count(*) FILTER (WHERE NOT alike) AS n_unlike_words,
        avg(d_accuracy) FILTER (WHERE alike) AS mean_d_accuracy,
        stddev_samp(d_accuracy) FILTER (WHERE alike) AS sd_d_accuracy,
        avg(d_auc) FILTER (WHERE alike) AS mean_d_auc,
        stddev_samp(d_auc) FILTER (WHERE alike) AS sd_d_auc,
        avg(CAST(d_accuracy > 0 AS DOUBLE)) FILTER (WHERE alike) AS share_words_above
    FROM paired
    GROUP BY model_id, floor_model_id, scope, method, pooling
),
with_t AS (
    SELECT
        *,
        CASE WHEN n_words >= 3 THEN
            1.959964 + 2.372 / (n_words - 1) + 2.823 / (n_words - 1) ^ 2
            + 2.556 / (n_words - 1) ^ 3 END AS t
    FROM summed
)
SELECT
    w.model_id,
    w.floor_model_id,
    w.scope,
    w.method,
    w.pooling,
    st.settings,
    w.n_words,
    w.n_unlike_words,
    w.mean_d_accuracy,
    w.mean_d_accuracy - w.t * w.sd_d_accuracy / sqrt(w.n_words) AS mean_d_accuracy_low,
    w.mean_d_accuracy + w.t * w.sd_d_accuracy / sqrt(w.n_words) AS mean_d_accuracy_high,
    w.mean_d_auc,
    w.mean_d_auc - w.t * w.sd_d_auc / sqrt(w.n_words) AS mean_d_auc_low,
    w.mean_d_auc + w.t * w.sd_d_auc / sqrt(w.n_words) AS mean_d_auc_high,
    w.share_words_above
FROM with_t AS w
LEFT JOIN compare_settings AS st
    ON st.model_id = w.model_id AND st.scope = w.scope AND st.method = w.method;

COMMENT ON VIEW compare_floor IS 'The floor, like for like: every feature set against each randomly initialised network of the same pooling, paired over the words both scored with the same visualness settings (n_unlike_words: pairs left out because their settings differ): mean difference of balanced accuracy and of AUC with 95% Student-t intervals, and the share of words on which the trained network scores higher. A trained network should clear it.';
COMMENT ON COLUMN compare_floor.settings IS 'The trained feature set''s visualness settings (compare_settings).';
COMMENT ON COLUMN compare_floor.n_words IS 'Words both scored with the same settings (the pairs averaged).';
COMMENT ON COLUMN compare_floor.n_unlike_words IS 'Words both scored but under different settings: left out.';
