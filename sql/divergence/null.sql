-- divergence/null: the divergence a word gets by chance, from the pseudo-words of words.sql.
-- A plug-in symmetric KL of two samples drawn from one distribution grows like
-- c = 1/n_pos + 1/n_neg (about c * chi-square with bins - 1 degrees of freedom) with a
-- unit-specific factor, and for small sides the smoothing pulls it below that rate. So the
-- pseudo-words' ratio r = KL / c is modelled as r = m_u * g_k * (1 + h_k * s_u * e): m_u
-- the unit's mean ratio, g_k and h_k the mean and spread of r / m_u in the word's size
-- class k = floor(log2(smaller side)) pooled over all units (divergence_null_sizes), s_u
-- the unit's own spread of the normalised residuals. Every word's KL is then set against
-- the null at its own sizes: kl_null = m_u * g_k * c, kl_null_sd = m_u * s_u * h_k * c,
-- kl_z = (kl - kl_null) / kl_null_sd (0 for constant units, whose KL is 0 whatever the
-- word; NULL for a unit no pseudo-word reached). Per layer, the mean and standard deviation over pseudo-words of the layer's largest
-- kl_z is the chance level of that maximum (a layer of many units has a larger maximum by
-- chance alone). The pseudo-words' rows are not kept.
-- Reads: unit_word_divergence (rows of model and scope, pseudo-words included), units.
-- Writes: unit_divergence_null (null_mean = m_u, null_sd = m_u * s_u),
--         divergence_null_sizes, layer_divergence_null (rows of model and scope replaced);
--         unit_word_divergence rows of model and scope rewritten with kl_null, kl_null_sd
--         and kl_z, without the pseudo-words.
-- Parameters: $model_id, $scope.

CREATE OR REPLACE TEMP TABLE divergence_null_rows AS
SELECT
    unit_id,
    word,
    least(n_pos, n_neg) AS n_side,
    CAST(floor(log2(least(n_pos, n_neg))) AS INTEGER) AS size_class,
    kl / (1.0 / n_pos + 1.0 / n_neg) AS ratio
FROM unit_word_divergence
WHERE model_id = $model_id AND scope = $scope AND starts_with(word, chr(31))
-- Stored in a fixed order, so the sums below add in the same order however the rows were
-- written (one unit block or many: floating-point sums depend on the order).
ORDER BY unit_id, word;

CREATE OR REPLACE TEMP TABLE divergence_null_means AS
SELECT unit_id, avg(ratio) AS m
FROM divergence_null_rows
GROUP BY unit_id;

DELETE FROM divergence_null_sizes WHERE model_id = $model_id AND scope = $scope;

INSERT INTO divergence_null_sizes
    (model_id, scope, size_class, n_side_min, n_side_max, mean_factor, sd_factor, n_pseudo)
WITH relative AS (
    SELECT r.size_class, r.n_side, r.word, r.ratio / m.m AS rel
    FROM divergence_null_rows AS r
    JOIN divergence_null_means AS m ON m.unit_id = r.unit_id
    WHERE m.m > 0
)
SELECT
    $model_id, $scope, size_class, min(n_side), max(n_side), avg(rel),
    coalesce(stddev_pop(rel), 0.0), CAST(count(DISTINCT word) AS INTEGER)
FROM relative
GROUP BY size_class;

DELETE FROM unit_divergence_null WHERE model_id = $model_id AND scope = $scope;

INSERT INTO unit_divergence_null (model_id, scope, unit_id, null_mean, null_sd, n_pseudo)
WITH residuals AS (
    SELECT
        r.unit_id,
        CASE
            WHEN m.m > 0 AND s.sd_factor > 0
                THEN (r.ratio / m.m - s.mean_factor) / s.sd_factor
            ELSE 0.0
        END AS e
    FROM divergence_null_rows AS r
    JOIN divergence_null_means AS m ON m.unit_id = r.unit_id
    JOIN divergence_null_sizes AS s
        ON s.model_id = $model_id AND s.scope = $scope AND s.size_class = r.size_class
)
SELECT
    $model_id, $scope, r.unit_id, any_value(m.m), any_value(m.m) * sqrt(avg(r.e * r.e)),
    CAST(count(*) AS INTEGER)
FROM residuals AS r
JOIN divergence_null_means AS m ON m.unit_id = r.unit_id
GROUP BY r.unit_id;

-- Rewritten rather than updated in place: the same statements then run on Spark, whose
-- Parquet tables take DELETE and INSERT but no UPDATE ... FROM.
CREATE OR REPLACE TEMP TABLE divergence_scored AS
WITH expected AS (
    SELECT
        d.*,
        n.null_mean * coalesce(s.mean_factor, 1.0) * (1.0 / d.n_pos + 1.0 / d.n_neg) AS mu,
        n.null_sd * coalesce(s.sd_factor, 1.0) * (1.0 / d.n_pos + 1.0 / d.n_neg) AS sigma
    FROM unit_word_divergence AS d
    LEFT JOIN unit_divergence_null AS n
        ON n.model_id = d.model_id AND n.scope = d.scope AND n.unit_id = d.unit_id
    LEFT JOIN divergence_null_sizes AS s
        ON s.model_id = d.model_id AND s.scope = d.scope
        AND s.size_class = CAST(floor(log2(least(d.n_pos, d.n_neg))) AS INTEGER)
    WHERE d.model_id = $model_id AND d.scope = $scope
)
SELECT
    model_id,
    scope,
    word,
    unit_id,
    kl,
    n_pos,
    n_neg,
    mu AS kl_null,
    sigma AS kl_null_sd,
    CASE WHEN sigma > 0 THEN (kl - mu) / sigma WHEN sigma = 0 THEN 0.0 END AS kl_z
FROM expected;

DELETE FROM unit_word_divergence WHERE model_id = $model_id AND scope = $scope;

INSERT INTO unit_word_divergence
    (model_id, scope, word, unit_id, kl, n_pos, n_neg, kl_null, kl_null_sd, kl_z)
SELECT model_id, scope, word, unit_id, kl, n_pos, n_neg, kl_null, kl_null_sd, kl_z
FROM divergence_scored
WHERE NOT starts_with(word, chr(31));

DELETE FROM layer_divergence_null WHERE model_id = $model_id AND scope = $scope;

-- Each pseudo-word's largest kl_z per layer, stored in a fixed order like
-- divergence_null_rows: the mean and spread below then add in the same order whatever
-- order the parallel aggregate or the unit blocks left the rows in.
CREATE OR REPLACE TEMP TABLE divergence_null_layer_max AS
SELECT d.word, u.layer, max(d.kl_z) AS max_z
FROM divergence_scored AS d
JOIN units AS u ON u.model_id = d.model_id AND u.unit_id = d.unit_id
WHERE starts_with(d.word, chr(31))
GROUP BY d.word, u.layer
ORDER BY u.layer, d.word;

INSERT INTO layer_divergence_null
    (model_id, scope, layer, null_max_z_mean, null_max_z_sd, n_pseudo)
SELECT
    $model_id, $scope, layer, avg(max_z), coalesce(stddev_samp(max_z), 0.0),
    CAST(count(*) AS INTEGER)
FROM divergence_null_layer_max
GROUP BY layer;

DROP TABLE divergence_null_layer_max;
DROP TABLE divergence_scored;
DROP TABLE divergence_null_means;
DROP TABLE divergence_null_rows;
