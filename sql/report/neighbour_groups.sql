-- report/neighbour_groups: the word groups of the newest neighbours method run for a model
-- and scope (cosine preferred), largest first, words in dendrogram order.
-- Reads: word_groups. Writes: nothing. Parameters: $model_id, $scope.
WITH chosen AS (
    SELECT method FROM word_groups
    WHERE model_id = $model_id AND scope = $scope
    GROUP BY method
    ORDER BY method <> 'cosine', max(run_id) DESC
    LIMIT 1
)
SELECT
    g.method,
    g.group_id,
    count(*) AS n_words,
    list(g.word ORDER BY g.leaf_order) AS words
FROM word_groups AS g
JOIN chosen AS c ON c.method = g.method
WHERE g.model_id = $model_id AND g.scope = $scope
GROUP BY g.method, g.group_id
ORDER BY g.group_id;
