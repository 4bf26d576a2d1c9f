-- report/compare_depth_words: the words the depth comparison shows: the n best-ranked by
-- one feature set's cross-fitted (else any) visualness that have a depth in at least two
-- feature sets.
-- Reads: visualness_ranking, compare_word_depth. Writes: nothing.
-- Parameters: $model_id, $scope, $n.
WITH shared AS (
    SELECT word FROM compare_word_depth WHERE scope = $scope
    GROUP BY word HAVING count(DISTINCT model_id) >= 2
)
SELECT r.word
FROM visualness_ranking AS r
JOIN shared AS s ON s.word = r.word
WHERE r.model_id = $model_id AND r.scope = $scope
ORDER BY r.method = 'crossfit' DESC, r.visual_rank, r.word
LIMIT $n;
