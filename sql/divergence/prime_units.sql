-- divergence/prime_units: each word's top units by kl_z, the symmetric KL above what a random
-- D+ of the word's size gets from that unit, in null standard deviations (null.sql); ties:
-- lower unit_id first; rank 1 = the largest. Raw KL ranks every unit by its own chance
-- level as much as by the word (rare words and high-entropy units win by chance), so the
-- corrected value ranks; the raw KL is kept beside it. Without pseudo-words (null_draws =
-- 0) kl_z is NULL and the raw KL ranks, as in the paper. A top-k aggregate per word
-- (max_by with k) instead of a window over all (word, unit) rows: no full sort.
-- Reads: unit_word_divergence. Writes: prime_units (rows of model and scope, replaced).
-- Parameters: $model_id, $scope, $top_k.

DELETE FROM prime_units WHERE model_id = $model_id AND scope = $scope;

INSERT INTO prime_units (model_id, scope, word, unit_id, rank, kl, kl_z)
WITH top AS (
    SELECT
        word,
        max_by(
            {'unit_id': unit_id, 'kl': kl, 'kl_z': kl_z},
            {'score': coalesce(kl_z, kl), 'neg_unit': -unit_id},
            $top_k
        ) AS units
    FROM unit_word_divergence
    WHERE model_id = $model_id AND scope = $scope
    GROUP BY word
)
SELECT
    $model_id, $scope, word, units[i].unit_id, CAST(i AS INTEGER), units[i].kl, units[i].kl_z
FROM (SELECT word, units, generate_subscripts(units, 1) AS i FROM top);
