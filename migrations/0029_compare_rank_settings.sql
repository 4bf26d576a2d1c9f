-- 0029 compare rank settings: compare_rank_correlation (0026) recreated like for like, as
-- 0028 did for compare_table1 and compare_floor: two feature sets' rankings are correlated
-- over the words both scored under the same visualness settings (compare_word_settings);
-- words scored under different settings are counted in n_unlike_words and left out.
-- Reads: nothing. Writes: view compare_rank_correlation recreated.

-- How alike two feature sets rank the words: per pair of models, scope and method, the
-- Spearman correlation of their ranking scores (visualness_ranking.ranking_score: the AUC
-- lower bound for crossfit, the accuracy for the paper's methods) over the words both
-- scored with the same settings, its 95% interval (Fisher z), and how many of each one's
-- 30 most visual words the other's 30 share.
CREATE OR REPLACE VIEW compare_rank_correlation AS
WITH scored AS (
    SELECT
        r.scope, r.method, r.model_id, r.word, r.ranking_score,
        (w.crossfit_repeats, w.n_folds, w.negatives_per_positive, w.negatives, w.match_field,
         w.match_shop, w.seed, w.c, w.max_per_class, w.min_train_pos, w.min_test_pos)
            AS settings_key
    FROM visualness_ranking AS r
    JOIN compare_word_settings AS w
        ON w.model_id = r.model_id AND w.scope = r.scope AND w.method = r.method
        AND w.word = r.word
),
all_pairs AS (
    SELECT
        a.scope, a.method, a.model_id AS model_a, b.model_id AS model_b, a.word,
        a.ranking_score AS score_a, b.ranking_score AS score_b,
        a.settings_key = b.settings_key AS alike
    FROM scored AS a
    JOIN scored AS b
        ON b.scope = a.scope AND b.method = a.method AND b.word = a.word
        AND a.model_id < b.model_id
),
unlike AS (
    SELECT scope, method, model_a, model_b, count(*) FILTER (WHERE NOT alike) AS n_unlike_words
    FROM all_pairs
    GROUP BY scope, method, model_a, model_b
),
ranked AS (
    SELECT
        *,
        rank() OVER (PARTITION BY scope, method, model_a, model_b ORDER BY score_a DESC)
            AS rank_a,
        rank() OVER (PARTITION BY scope, method, model_a, model_b ORDER BY score_b DESC)
            AS rank_b
    FROM all_pairs
    WHERE alike
),
correlated AS (
    SELECT
        scope, method, model_a, model_b,
        count(*) AS n_words,
        corr(rank_a, rank_b) AS spearman,
        count(*) FILTER (WHERE rank_a <= 30 AND rank_b <= 30) AS top30_shared
    FROM ranked
    GROUP BY scope, method, model_a, model_b
)
SELECT
    c.*,
    CASE WHEN c.n_words > 3 THEN
        tanh(atanh(greatest(least(c.spearman, 0.999999), -0.999999)) - 1.96 / sqrt(c.n_words - 3))
    END AS spearman_low,
    CASE WHEN c.n_words > 3 THEN
        tanh(atanh(greatest(least(c.spearman, 0.999999), -0.999999)) + 1.96 / sqrt(c.n_words - 3))
    END AS spearman_high,
    u.n_unlike_words
FROM correlated AS c
JOIN unlike AS u USING (scope, method, model_a, model_b);

COMMENT ON VIEW compare_rank_correlation IS 'How alike two feature sets rank the words: per pair of models, scope and method, the Spearman correlation of their ranking scores (visualness_ranking.ranking_score: the AUC lower bound for crossfit, the accuracy for the paper''s methods) over the words both scored with the same visualness settings (compare_word_settings), its 95% interval (Fisher z), how many of each one''s 30 most visual words the other''s 30 share, and how many words were left out because their settings differ.';
COMMENT ON COLUMN compare_rank_correlation.n_words IS 'Words both feature sets scored with the same settings: the correlation is over these.';
COMMENT ON COLUMN compare_rank_correlation.spearman IS 'Spearman correlation of the two rankings (Pearson correlation of the ranks).';
COMMENT ON COLUMN compare_rank_correlation.spearman_low IS 'Lower end of the 95% interval of spearman (Fisher z).';
COMMENT ON COLUMN compare_rank_correlation.spearman_high IS 'Upper end of the 95% interval of spearman (Fisher z).';
COMMENT ON COLUMN compare_rank_correlation.top30_shared IS 'Words in both feature sets'' 30 most visual (ties share a rank).';
COMMENT ON COLUMN compare_rank_correlation.n_unlike_words IS 'Words both scored but under different visualness settings, left out of the correlation.';
