-- divergence/prime_units: each word's top units by symmetric KL (ties: lower unit_id first),
-- rank 1 = largest. A top-k aggregate per word (max_by with k) instead of a window over
-- all (word, unit) rows: no full sort.
-- Reads: unit_word_divergence. Writes: prime_units (rows of model and scope, replaced).
-- Parameters: $model_id, $scope, $top_k.

DELETE FROM prime_units WHERE model_id = $model_id AND scope = $scope;

INSERT INTO prime_units (model_id, scope, word, unit_id, rank, kl)
WITH top AS (
    SELECT
        word,
        max_by(
            {'unit_id': unit_id, 'kl': kl}, {'kl': kl, 'neg_unit': -unit_id}, $top_k
        ) AS units
    FROM unit_word_divergence
    WHERE model_id = $model_id AND scope = $scope
    GROUP BY word
)
SELECT $model_id, $scope, word, units[i].unit_id, CAST(i AS INTEGER), units[i].kl
FROM (SELECT word, units, generate_subscripts(units, 1) AS i FROM top);
