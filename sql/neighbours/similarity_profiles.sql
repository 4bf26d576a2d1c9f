-- neighbours/similarity_profiles: the cosine of every pair of profiles (both orders), and
-- its z-score among all pairs of the run. A word whose profile is all zeros (it never
-- differs from the mean) gets similarity 0, not NULL.
-- Reads: neighbour_profiles (profiles_cosine.sql or profiles_spearman.sql).
-- Writes: word_similarity (rows of model, scope and method replaced).
-- Parameters: $model_id, $scope, $method, $run_id.

DELETE FROM word_similarity
WHERE model_id = $model_id AND scope = $scope AND method = $method;

INSERT INTO word_similarity (model_id, scope, method, word, neighbour, similarity, z, n_units,
                             run_id)
WITH half AS (
    -- Each unordered pair once; the other order is the same number.
    SELECT
        a.word,
        b.word AS neighbour,
        coalesce(list_cosine_similarity(a.vec, b.vec), 0.0) AS similarity,
        least(a.n_units, b.n_units) AS n_units
    FROM neighbour_profiles AS a
    JOIN neighbour_profiles AS b ON a.word < b.word
),
pairs AS (
    SELECT word, neighbour, similarity, n_units FROM half
    UNION ALL
    SELECT neighbour, word, similarity, n_units FROM half
),
spread AS (
    SELECT avg(similarity) AS mean, stddev_samp(similarity) AS sd FROM half
)
SELECT
    $model_id, $scope, $method, p.word, p.neighbour, p.similarity,
    (p.similarity - s.mean) / nullif(s.sd, 0), p.n_units, $run_id
FROM pairs AS p
CROSS JOIN spread AS s;

DROP TABLE neighbour_profiles;
