-- neighbours/similarity_prime_jaccard: overlap of two words' top-k prime units,
-- |A and B| / |A or B| (Jaccard), for every pair of words with prime units (both orders),
-- and its z-score among all pairs of the run.
-- Reads: prime_units.
-- Writes: word_similarity (rows of model, scope and method replaced).
-- Parameters: $model_id, $scope, $method, $top_k, $run_id.

DELETE FROM word_similarity
WHERE model_id = $model_id AND scope = $scope AND method = $method;

INSERT INTO word_similarity (model_id, scope, method, word, neighbour, similarity, z, n_units,
                             run_id)
WITH prime AS (
    SELECT word, unit_id
    FROM prime_units
    WHERE model_id = $model_id AND scope = $scope AND rank <= $top_k
),
sizes AS (
    SELECT word, count(*) AS n FROM prime GROUP BY word
),
shared AS (
    SELECT a.word, b.word AS neighbour, count(*) AS n
    FROM prime AS a
    JOIN prime AS b ON a.unit_id = b.unit_id AND a.word < b.word
    GROUP BY a.word, b.word
),
half AS (
    SELECT
        sa.word,
        sb.word AS neighbour,
        coalesce(sh.n, 0) / (sa.n + sb.n - coalesce(sh.n, 0)) AS similarity,
        CAST(greatest(sa.n, sb.n) AS INTEGER) AS n_units
    FROM sizes AS sa
    JOIN sizes AS sb ON sa.word < sb.word
    LEFT JOIN shared AS sh ON sh.word = sa.word AND sh.neighbour = sb.word
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
