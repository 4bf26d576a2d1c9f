-- report/neighbour_matrix: similarities among the $n words with most positives in the
-- divergence run (method as chosen by neighbour_groups), with each word's dendrogram
-- position and group, for the clustered heat map.
-- Reads: word_similarity, word_groups, unit_word_divergence. Writes: nothing.
-- Parameters: $model_id, $scope, $method, $n.
WITH shown AS (
    SELECT g.word, g.leaf_order, g.group_id
    FROM word_groups AS g
    LEFT JOIN (
        SELECT DISTINCT word, n_pos FROM unit_word_divergence
        WHERE model_id = $model_id AND scope = $scope AND unit_id = 0
    ) AS d ON d.word = g.word
    WHERE g.model_id = $model_id AND g.scope = $scope AND g.method = $method
    ORDER BY d.n_pos DESC NULLS LAST, g.word
    LIMIT $n
)
SELECT a.word, a.leaf_order, a.group_id, b.word AS neighbour, b.leaf_order AS neighbour_order,
       s.similarity
FROM shown AS a
JOIN shown AS b ON a.word <> b.word
JOIN word_similarity AS s
    ON s.model_id = $model_id AND s.scope = $scope AND s.method = $method
   AND s.word = a.word AND s.neighbour = b.word;
