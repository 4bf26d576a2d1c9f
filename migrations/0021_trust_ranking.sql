-- 0021 trust ranking: the cross-fitted list ranks by the lower end of the AUC's 95 % interval.
-- Reads: visualness, visualness_stability, vocabulary, human_visualness.
-- Writes: view visualness_ranking (replaced; same columns as 0019).
--
-- Measured on the full shared Myntra set (docs/trust.md): between split seeds 0 and 1 the
-- cross-fitted ranking by the AUC's lower bound moved less (Spearman 0.83, top-30 overlap
-- 28) than by the balanced accuracy's (0.74, 26): the AUC uses every score, not only which
-- side of 0.5 it falls. visual_rank 1 = the largest auc_low; nonvisual_rank 1 = the
-- smallest auc_high. The paper's methods still rank by their balanced accuracy.

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
        ORDER BY CASE WHEN v.method = 'crossfit' THEN v.auc_low ELSE v.accuracy END DESC,
            v.word
    ) AS visual_rank,
    rank() OVER (
        PARTITION BY v.model_id, v.scope, v.method
        ORDER BY CASE WHEN v.method = 'crossfit' THEN v.auc_high ELSE v.accuracy END ASC,
            v.word
    ) AS nonvisual_rank,
    count(*) OVER (PARTITION BY v.model_id, v.scope, v.method) AS n_words,
    CASE WHEN v.method = 'crossfit' THEN v.auc_low ELSE v.accuracy END AS ranking_score,
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
