-- report/neighbour_examples: the nearest neighbours of the $n most visual words (resample
-- visualness, else most positives), with similarity, z and both words' support.
-- Reads: word_neighbours, visualness. Writes: nothing.
-- Parameters: $model_id, $scope, $method, $n, $k.
WITH chosen AS (
    SELECT n.word
    FROM (
        SELECT DISTINCT word, word_n_pos FROM word_neighbours
        WHERE model_id = $model_id AND scope = $scope AND method = $method
    ) AS n
    LEFT JOIN visualness AS s
        ON s.model_id = $model_id AND s.scope = $scope AND s.word = n.word
       AND s.method = 'resample'
    ORDER BY s.accuracy DESC NULLS LAST, n.word_n_pos DESC NULLS LAST, n.word
    LIMIT $n
)
SELECT
    n.word,
    any_value(n.word_n_pos) AS n_pos,
    string_agg(
        n.neighbour || ' (' || printf('%.2f', n.similarity) || ', n+ '
            || coalesce(CAST(n.neighbour_n_pos AS VARCHAR), '?') || ')',
        ', ' ORDER BY n.rank
    ) AS neighbours
FROM word_neighbours AS n
JOIN chosen AS c ON c.word = n.word
WHERE n.model_id = $model_id AND n.scope = $scope AND n.method = $method AND n.rank <= $k
GROUP BY n.word
ORDER BY n.word;
