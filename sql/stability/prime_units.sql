-- stability/prime_units: each word's prime units as stored (ranked by kl_z, the KL above
-- chance) and, for comparison, the same number of units ranked by raw KL (the paper's
-- prime units), so the stability stage can report how much either list moves between seeds.
-- Reads: prime_units, unit_word_divergence. Writes: nothing;
-- returns (word, by_z INTEGER[], by_kl INTEGER[]).
-- Parameters: $model_id, $scope.
WITH top_k AS (
    SELECT word, list(unit_id) AS by_z, count(*) AS k
    FROM prime_units
    WHERE model_id = $model_id AND scope = $scope
    GROUP BY word
),
ranked AS (
    SELECT d.word, d.unit_id
    FROM unit_word_divergence AS d
    JOIN top_k AS t ON t.word = d.word
    WHERE d.model_id = $model_id AND d.scope = $scope
    QUALIFY row_number() OVER (PARTITION BY d.word ORDER BY d.kl DESC, d.unit_id) <= t.k
),
by_kl AS (
    SELECT word, list(unit_id) AS by_kl FROM ranked GROUP BY word
)
SELECT t.word, t.by_z, k.by_kl
FROM top_k AS t
JOIN by_kl AS k ON k.word = t.word
ORDER BY t.word;
