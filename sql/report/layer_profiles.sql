-- report/layer_profiles: relative magnitude per layer of a few example words (Fig. 4 lines):
-- the most visual words of the best-covered method, or the most frequent words when
-- visualness has not run.
-- Reads: layer_depth, visualness, vocabulary. Writes: nothing.
-- Parameters: $model_id, $scope, $n (words).
WITH candidates AS (
    SELECT DISTINCT word FROM layer_depth WHERE model_id = $model_id AND scope = $scope
),
scored AS (
    SELECT
        c.word,
        max(v.accuracy) FILTER (WHERE v.method = 'resample') AS resample,
        max(v.accuracy) AS best,
        any_value(voc.rank) AS vocab_rank
    FROM candidates AS c
    LEFT JOIN visualness AS v
        ON v.word = c.word AND v.model_id = $model_id AND v.scope = $scope
    LEFT JOIN vocabulary AS voc ON voc.word = c.word AND voc.scope = $scope
    GROUP BY c.word
),
chosen AS (
    SELECT word
    FROM scored
    ORDER BY resample DESC NULLS LAST, best DESC NULLS LAST, vocab_rank NULLS LAST, word
    LIMIT $n
)
SELECT d.word, d.layer, d.layer_index, d.relative, d.max_kl
FROM layer_depth AS d
JOIN chosen USING (word)
WHERE d.model_id = $model_id AND d.scope = $scope
ORDER BY d.word, d.layer_index;
