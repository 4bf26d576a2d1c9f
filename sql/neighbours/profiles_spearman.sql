-- neighbours/profiles_spearman: each word's divergence profile as ranks over the units
-- (ties get their average rank, as scipy.stats.spearmanr), centred per word, so the cosine
-- of two profiles is the Pearson correlation of the ranks: Spearman's rho.
-- Reads: unit_word_divergence.
-- Writes: temp table neighbour_profiles(word, vec DOUBLE[] in unit_id order, n_units).
-- Parameters: $model_id, $scope, $use_z (profile = kl_z, the null-corrected divergence of
-- migration 0011, instead of the raw kl).

CREATE OR REPLACE TEMP TABLE neighbour_profiles AS
WITH ranked AS (
    SELECT
        word,
        unit_id,
        rank() OVER (PARTITION BY word ORDER BY kl)
            + (count(*) OVER (PARTITION BY word, kl) - 1) / 2.0 AS r
    FROM (
        SELECT word, unit_id, CASE WHEN $use_z THEN kl_z ELSE kl END AS kl
        FROM unit_word_divergence
        WHERE model_id = $model_id AND scope = $scope
    )
),
centred AS (
    SELECT word, unit_id, r - avg(r) OVER (PARTITION BY word) AS v
    FROM ranked
)
SELECT word, list(v ORDER BY unit_id) AS vec, CAST(count(*) AS INTEGER) AS n_units
FROM centred
GROUP BY word;
