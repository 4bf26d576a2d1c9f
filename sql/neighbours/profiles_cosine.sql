-- neighbours/profiles_cosine: each word's divergence profile over the units, centred per
-- unit over the words. Every unit has a noise floor that all words share (plug-in KL is
-- biased upwards, more in units whose activations spread over many bins); subtracting the
-- unit's mean over the words removes it, so the cosine of two profiles measures what the
-- two words share beyond what every word gets.
-- Reads: unit_word_divergence.
-- Writes: temp table neighbour_profiles(word, vec DOUBLE[] in unit_id order, n_units).
-- Parameters: $model_id, $scope, $use_z (profile = kl_z, the null-corrected divergence of
-- migration 0011, instead of the raw kl).

CREATE OR REPLACE TEMP TABLE neighbour_profiles AS
WITH centred AS (
    SELECT word, unit_id, x - avg(x) OVER (PARTITION BY unit_id) AS v
    FROM (
        SELECT word, unit_id, CASE WHEN $use_z THEN kl_z ELSE kl END AS x
        FROM unit_word_divergence
        WHERE model_id = $model_id AND scope = $scope
    )
)
SELECT word, list(v ORDER BY unit_id) AS vec, CAST(count(*) AS INTEGER) AS n_units
FROM centred
GROUP BY word;
