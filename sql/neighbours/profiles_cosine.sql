-- neighbours/profiles_cosine: each word's divergence profile over the units with the
-- vocabulary's common profile projected out. Every word's profile carries a share of one
-- common shape (units whose activations spread over many bins get more plug-in KL, for
-- every word, scaled by the word's support), which alone makes frequent words look alike
-- (cosine > 0.9 between 'black' and 'clean' on Myntra, even after centring per unit). With
-- m = the mean profile over the words and c = <p, m> / <m, m>, the residual p - c m keeps
-- what a word does not share with every word; the cosine of two residuals is the
-- similarity.
-- Reads: unit_word_divergence.
-- Writes: temp table neighbour_profiles(word, vec DOUBLE[] in unit_id order, n_units).
-- Parameters: $model_id, $scope, $use_z (profile = kl_z, the null-corrected divergence of
-- migration 0011, instead of the raw kl).

CREATE OR REPLACE TEMP TABLE neighbour_profiles AS
WITH raw AS (
    SELECT word, unit_id, CASE WHEN $use_z THEN kl_z ELSE kl END AS x
    FROM unit_word_divergence
    WHERE model_id = $model_id AND scope = $scope
),
common AS (
    SELECT unit_id, avg(x) AS m FROM raw GROUP BY unit_id
),
norm AS (
    SELECT sum(m * m) AS mm FROM common
),
coefficient AS (
    SELECT r.word, sum(r.x * c.m) / nullif(any_value(n.mm), 0) AS c
    FROM raw AS r
    JOIN common AS c ON c.unit_id = r.unit_id
    CROSS JOIN norm AS n
    GROUP BY r.word
)
SELECT
    r.word,
    list(r.x - coalesce(k.c, 0.0) * c.m ORDER BY r.unit_id) AS vec,
    CAST(count(*) AS INTEGER) AS n_units
FROM raw AS r
JOIN common AS c ON c.unit_id = r.unit_id
JOIN coefficient AS k ON k.word = r.word
GROUP BY r.word;
